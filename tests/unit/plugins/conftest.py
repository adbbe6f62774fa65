# Copyright (c) 2026 aicc.cms contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""What the plugin unit tests share: Ansible's collection loader, and real clients over the scripted CC-CMS.

``make_client`` builds a CmsClient on a ScriptedCms (see scripted_cms.py); ``serve_cms`` makes every
client a front end (module, lookup, inventory) builds from its options such a client.
"""

from __future__ import annotations

import os
import sys
import typing as t
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

from ansible_collections.aicc.cms.plugins.module_utils import _options  # noqa: E402  pylint: disable=wrong-import-position
from ansible_collections.aicc.cms.plugins.module_utils._query.client import API_PATH, CmsClient  # noqa: E402  pylint: disable=wrong-import-position

from .scripted_cms import ACCESS_KEY, HOST, SECRET_KEY, URL, Recorder, ScriptedCms, SteppingClock  # noqa: E402

SECRET = 'unit-secret-key'


def row(equipment_id, uap='10.10.0.1#1', register_status='registered', socket_status='normal'):
    """One UAP row of a terminal, for table_of()."""
    return (equipment_id, uap, register_status, {'socketStatus': socket_status})


@pytest.fixture
def make_client():
    """Return a factory ``make_client(handler, **client_options) -> (client, cms, sleeps)``."""
    clients = []

    def factory(handler, url: str = URL, host: str = HOST, path: str = API_PATH, on_enter=None, **options):
        sleeps = Recorder()
        options.setdefault('sleep', sleeps)
        options.setdefault('utcnow', SteppingClock())
        client = CmsClient(url, ACCESS_KEY, SECRET_KEY, **options)
        cms = ScriptedCms(handler, host=host, path=path, cc_id=options.get('cc_id'), on_enter=on_enter)
        client.session.mount('https://', cms)
        client.session.mount('http://', cms)
        clients.append(client)
        return client, cms, sleeps

    yield factory
    for client in clients:
        client.close()


class Connection(t.NamedTuple):
    params: dict  # the validated options the front end built its client from
    client: CmsClient
    cms: ScriptedCms


@pytest.fixture
def serve_cms(monkeypatch):
    """``serve_cms(front_end_module, handler)``: each client the front end builds from its options is the real one,
    on a ScriptedCms answering from ``handler`` and checking the keys and address of those options.

    ``serve_cms.connections`` lists a Connection per client built.
    """
    connections: list[Connection] = []

    def serve(front_end_module, handler):
        def client_from_params(params):
            client = _options.client_from_params(params)
            cms = ScriptedCms(
                handler,
                host=client.endpoint.host,
                path=client.endpoint.path,
                cc_id=params.get('cc_id'),
                access_key=params['access_key'],
                secret_key=params['secret_key'],
            )
            client.session.mount('https://', cms)
            client.session.mount('http://', cms)
            connections.append(Connection(dict(params), client, cms))
            return client

        monkeypatch.setattr(front_end_module, 'client_from_params', client_from_params)

    serve.connections = connections
    yield serve
    for connection in connections:
        connection.client.close()


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
