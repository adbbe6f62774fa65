# Copyright (c) 2026 aicc.cms contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""A CC-CMS stand-in at the client boundary, for running the inventory plugin in process."""

from __future__ import annotations

import pytest
from ansible.inventory.data import InventoryData
from ansible.parsing.dataloader import DataLoader
from ansible.plugins.loader import inventory_loader

from ..conftest import FakeClient

PLUGIN_NAME = 'aicc.cms.aicc_terminals'


@pytest.fixture
def fake_cms(monkeypatch):
    """``fake_cms(rows, failing=())`` installs a FakeClient as what the inventory connects to and returns it."""
    module = inventory_loader.get(PLUGIN_NAME, class_only=True)
    plugin_module = __import__(module.__module__, fromlist=['client_from_params'])
    created = {}

    def install(rows, failing=()):
        client = FakeClient(rows, failing)

        def client_from_params(params):
            created['params'] = params
            return client

        monkeypatch.setattr(plugin_module, 'client_from_params', client_from_params)
        created['client'] = client
        return client

    install.created = created
    return install


@pytest.fixture
def parse_inventory(tmp_path):
    """``parse_inventory(config_text, name='lab.aicc_terminals.yml', cache=True)`` -> the InventoryData it filled."""

    def parse(config_text, name='lab.aicc_terminals.yml', cache=True):
        path = tmp_path / name
        path.write_text(config_text, encoding='utf-8')
        plugin = inventory_loader.get(PLUGIN_NAME)
        inventory = InventoryData()
        plugin.parse(inventory, DataLoader(), str(path), cache=cache)
        if getattr(plugin, '_cache', None) is not None:
            plugin.update_cache_if_changed()
        return inventory

    return parse
