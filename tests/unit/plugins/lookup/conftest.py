# Copyright (c) 2026 aicc.cms contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""A CC-CMS stand-in at the client boundary, for running the lookup plugin in process."""

from __future__ import annotations

import sys

import pytest
from ansible.parsing.dataloader import DataLoader
from ansible.plugins.loader import lookup_loader
from ansible.template import Templar

from ..conftest import FakeClient

PLUGIN_NAME = 'aicc.cms.aicc_terminal_status'


@pytest.fixture
def lookup_module(monkeypatch):
    """The lookup's Python module, with its per-process client cache emptied before and after the test."""
    plugin_class = lookup_loader.get(PLUGIN_NAME, class_only=True)
    module = sys.modules[plugin_class.__module__]
    monkeypatch.setattr(module, '_CLIENTS', {})
    return module


@pytest.fixture
def fake_cms(monkeypatch, lookup_module):
    """``fake_cms(rows, failing=())`` makes every new client of the lookup a FakeClient on those rows.

    ``fake_cms.created`` lists ``(params, client)`` per client built.
    """
    created = []

    def install(rows, failing=()):
        def client_from_params(params):
            client = FakeClient(rows, failing)
            created.append((dict(params), client))
            return client

        monkeypatch.setattr(lookup_module, 'client_from_params', client_from_params)

    install.created = created
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
