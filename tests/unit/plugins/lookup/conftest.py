# Copyright (c) 2026 aicc.cms contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""A CC-CMS stand-in at the client boundary, for running the lookup plugin in process."""

from __future__ import annotations

import fnmatch
import sys
from pathlib import Path

import pytest

from ansible.module_utils import _internal as _module_utils_internal
from ansible.parsing.dataloader import DataLoader
from ansible.plugins.loader import init_plugin_loader, lookup_loader
from ansible.template import Templar
from ansible.utils.collection_loader import AnsibleCollectionConfig


def _install_collection_loader() -> None:
    """Let Ansible's plugin loader find aicc.cms (plugin docs, fragments, options) as ansible-playbook would.

    Modules imported from ansible_collections before the loader existed lack its metadata; drop them so
    they are imported again through it (same files, one generation per test session from here on).
    """
    if AnsibleCollectionConfig.collection_finder is not None:
        return
    for name in [name for name in sys.modules if name == 'ansible_collections' or name.startswith('ansible_collections.')]:
        del sys.modules[name]
    repo_root = Path(__file__).resolve().parents[4]
    init_plugin_loader([str(repo_root.parents[2]) if repo_root.parent.name == 'aicc' else str(repo_root / '.build')])


_install_collection_loader()
# Importing controller code flags the whole process as the controller, which changes how AnsibleModule
# reports warnings in module unit tests of the same session: flag it only while a plugin test runs.
_module_utils_internal.is_controller = False

from ansible_collections.aicc.cms.plugins.module_utils._errors import NoResponseError  # noqa: E402  pylint: disable=wrong-import-position
from ansible_collections.aicc.cms.plugins.module_utils._normalizer import Row  # noqa: E402  pylint: disable=wrong-import-position

PLUGIN_NAME = 'aicc.cms.aicc_terminal_status'
SECRET = 'unit-secret-key'


def row(equipment_id, uap='10.10.0.1#1', register_status='registered', socket_status='normal'):
    return Row(uap=uap, equipment_id=equipment_id, register_status=register_status, socket_status=socket_status,
               ip_and_port='10.30.0.1:5060', monitor_flag='started', protocol_type='UDP', roam_ip_and_port='0.0.0.0:0',
               tls_status='unconnect', ip_type='IPv4', ccu_module_number='56', termination_type='sip')


class FakeClient:
    """Answers fetch_many from a row table, one request per EID; EIDs matching ``failing`` fail."""

    def __init__(self, rows, failing=()):
        self.rows = list(rows)
        self.failing = tuple(failing)
        self.fetched = []
        self.requests_sent = 0
        self.warnings = []
        self.reported_counts = {}
        self.closed = False

    def _matches(self, eid):
        glob = eid.replace('%', '*')
        return [r for r in self.rows if fnmatch.fnmatchcase(r.equipment_id, glob)]

    def fetch_many(self, eids):
        results = []
        for eid in eids:
            self.fetched.append(eid)
            self.requests_sent += 1
            if any(fnmatch.fnmatchcase(eid, pattern) for pattern in self.failing):
                results.append(NoResponseError('CC-CMS did not answer within 30 seconds, after 3 retries: check the address'))
            else:
                results.append(self._matches(eid))
        return results

    def close(self):
        self.closed = True


@pytest.fixture(autouse=True)
def controller_process(monkeypatch):
    monkeypatch.setattr(_module_utils_internal, 'is_controller', True)


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
