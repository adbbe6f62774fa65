# Copyright (c) 2026 aicc.cms contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""What the plugin unit tests share: Ansible's collection loader, and a CC-CMS stand-in at the client boundary."""

from __future__ import annotations

import fnmatch
import os
import sys
from pathlib import Path

import pytest

try:
    from ansible.plugins.loader import init_plugin_loader
    from ansible.utils.collection_loader import AnsibleCollectionConfig
except ImportError:  # ansible-test units runs module and module_utils tests where only ansible.module_utils imports
    init_plugin_loader = AnsibleCollectionConfig = None


def _install_collection_loader() -> None:
    """Let Ansible's plugin loader find aicc.cms (plugin docs, fragments, options) as ansible-playbook would.

    Modules imported from ansible_collections before the loader existed lack its metadata; drop them so
    they are imported again through it (same files, one generation per test session from here on).
    """
    if AnsibleCollectionConfig is None or AnsibleCollectionConfig.collection_finder is not None:
        return
    for name in [
        name for name in sys.modules if name == 'ansible_collections' or name.startswith('ansible_collections.')
    ]:
        del sys.modules[name]
    repo_root = Path(__file__).resolve().parents[3]
    init_plugin_loader([str(repo_root.parents[2]) if repo_root.parent.name == 'aicc' else str(repo_root / '.build')])


try:
    from ansible.module_utils import _internal as _module_utils_internal
except ImportError:  # ansible-core before 2.19 has no controller flag
    _module_utils_internal = None

_install_collection_loader()
# Importing controller code flags the whole process as the controller, which changes how AnsibleModule
# reports warnings in module unit tests of the same session: flag it only while a plugin test runs.
if _module_utils_internal is not None:
    _module_utils_internal.is_controller = False

from ansible_collections.aicc.cms.plugins.module_utils._errors import NoResponseError  # noqa: E402  pylint: disable=wrong-import-position
from ansible_collections.aicc.cms.plugins.module_utils._query.normalizer import Row  # noqa: E402  pylint: disable=wrong-import-position

SECRET = 'unit-secret-key'


def row(equipment_id, uap='10.10.0.1#1', register_status='registered', socket_status='normal'):
    return Row(
        uap=uap,
        equipment_id=equipment_id,
        register_status=register_status,
        socket_status=socket_status,
        ip_and_port='10.30.0.1:5060',
        monitor_flag='started',
        protocol_type='UDP',
        roam_ip_and_port='0.0.0.0:0',
        tls_status='unconnect',
        ip_type='IPv4',
        ccu_module_number='56',
        termination_type='sip',
    )


class FakeClient:
    """Answers fetch_many and fetch_each (as CmsClient does) from a row table, one request per EID; EIDs matching
    ``failing`` fail."""

    def __init__(self, rows, failing=()):
        self.rows = list(rows)
        self.failing = tuple(failing)
        self.fetched = []
        self.requests_sent = 0
        self.warnings = []
        self.reported_counts = {}
        self.closed = False
        self.trace = None  # no trace=true: the lookup returns records

    def _matches(self, eid):
        glob = eid.replace('%', '*')
        return [r for r in self.rows if fnmatch.fnmatchcase(r.equipment_id, glob)]

    def fetch_many(self, eids):
        results = []
        for eid in eids:
            self.fetched.append(eid)
            self.requests_sent += 1
            if any(fnmatch.fnmatchcase(eid, pattern) for pattern in self.failing):
                results.append(
                    NoResponseError('CC-CMS did not answer within 30 seconds, after 3 retries: check the address')
                )
            else:
                results.append(self._matches(eid))
        return results

    def fetch_each(self, eids, wanted=None):
        return enumerate(self.fetch_many(eids))

    def close(self):
        self.closed = True

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()


@pytest.fixture
def controller_process(monkeypatch):
    """Flag this process as the controller, as it is for a lookup or an inventory plugin (ansible-core 2.19+)."""
    try:
        from ansible.module_utils import _internal as module_utils_internal  # pylint: disable=import-outside-toplevel
    except ImportError:  # ansible-core before 2.19 has no controller flag
        return
    monkeypatch.setattr(module_utils_internal, 'is_controller', True)


@pytest.fixture
def no_aicc_environment(monkeypatch):
    """No AICC_* variable from the shell running the tests: plugins would take them as option values."""
    for name in list(os.environ):
        if name.startswith('AICC_'):
            monkeypatch.delenv(name)
