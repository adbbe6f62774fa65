# Copyright (c) 2026 aicc.cms contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The inventory plugin run in process, its clients real and over the scripted CC-CMS."""

from __future__ import annotations

import pytest
from ansible.inventory.data import InventoryData
from ansible.parsing.dataloader import DataLoader
from ansible.plugins.loader import inventory_loader

from ..scripted_cms import TerminalTable, table_of

PLUGIN_NAME = 'aicc.cms.aicc_terminals'


class Served:
    """What one ``cms(...)`` installed: the queries sent and the options of the clients built since."""

    def __init__(self, connections: list, start: int) -> None:
        self._connections = connections
        self._start = start

    @property
    def queried(self) -> list[str]:
        return [eid for connection in self._connections[self._start :] for eid in connection.cms.queried]

    @property
    def params(self) -> dict | None:
        built = self._connections[self._start :]
        return built[-1].params if built else None


@pytest.fixture
def cms(serve_cms):
    """``cms(rows, failing=())`` -> Served: every client the inventory builds from then on is real, over a CC-CMS
    serving ``rows`` (see row()) whose queries of EIDs matching ``failing`` fail."""
    plugin_class = inventory_loader.get(PLUGIN_NAME, class_only=True)
    plugin_module = __import__(plugin_class.__module__, fromlist=['client_from_params'])

    def install(rows, failing=()):
        serve_cms(plugin_module, TerminalTable(table_of(*rows), failing=failing))
        return Served(serve_cms.connections, len(serve_cms.connections))

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
