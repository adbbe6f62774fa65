# Copyright (c) 2026 aicc.cms contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The lookup plugin run in process, its clients real and over the scripted CC-CMS."""

from __future__ import annotations

import sys

import pytest
from ansible.parsing.dataloader import DataLoader
from ansible.plugins.loader import lookup_loader
from ansible.template import Templar
from ansible_collections.aicc.cms.plugins.plugin_utils import _client_pool

from ..scripted_cms import TerminalTable, table_of

PLUGIN_NAME = 'aicc.cms.aicc_terminal_status'


@pytest.fixture
def lookup_module():
    """The lookup's Python module."""
    plugin_class = lookup_loader.get(PLUGIN_NAME, class_only=True)
    return sys.modules[plugin_class.__module__]


@pytest.fixture
def client_pool(monkeypatch):
    """The per-process client pool the lookup uses, emptied for the test."""
    monkeypatch.setattr(_client_pool, '_CLIENTS', {})
    return _client_pool


@pytest.fixture
def cms(serve_cms, client_pool):
    """``cms(rows, failing=())``: every client the lookup builds is real, over a CC-CMS serving ``rows`` (see row())
    whose queries of EIDs matching ``failing`` fail. ``cms.connections`` lists a Connection per client built."""

    def install(rows, failing=()):
        serve_cms(client_pool, TerminalTable(table_of(*rows), failing=failing))

    install.connections = serve_cms.connections
    return install


@pytest.fixture
def run_lookup():
    """``run_lookup(terms, variables=None, **kwargs)`` runs the lookup as a task's template would."""

    def run(terms, variables=None, **kwargs):
        loader = DataLoader()
        templar = Templar(loader=loader, variables=variables or {})
        plugin = lookup_loader.get(PLUGIN_NAME, loader=loader, templar=templar)
        return plugin.run(terms, variables=variables or {}, **kwargs)

    return run
