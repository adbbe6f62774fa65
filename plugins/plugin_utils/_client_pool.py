# Copyright (c) 2026 aicc.cms contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""One CC-CMS client per process and connection settings, for plugins that run many times in one process.

A lookup runs once per task, but a play's lookups share the controller's process: reusing the client
keeps its TLS sessions, its profile of the server's paging and its place in the in-flight budget.
Private to the collection: names and signatures may change in any release.
"""

from __future__ import annotations

import atexit
import hashlib
import hmac
import os
import threading

from ansible_collections.aicc.cms.plugins.module_utils._options import CONNECTION_SPEC, client_from_params

# Every option client_from_params reads: one client per distinct combination.
CLIENT_OPTION_NAMES = tuple(sorted(CONNECTION_SPEC)) + ('page_size', 'trace')

# One client per process and connection settings. Keys are keyed digests (a per-process random
# key), so the secret is neither stored in clear nor guessable from a key.
_CLIENTS: dict[str, object] = {}
_CLIENTS_LOCK = threading.Lock()
_KEY_SALT = os.urandom(32)


def _client_key(params: dict) -> str:
    material = repr([(name, params.get(name)) for name in CLIENT_OPTION_NAMES] + [('pid', os.getpid())])
    return hmac.new(_KEY_SALT, material.encode('utf-8'), hashlib.sha256).hexdigest()


def shared_client(params: dict):
    """The process's client for these settings; a forked worker never reuses its parent's sockets (pid in the key)."""
    key = _client_key(params)
    with _CLIENTS_LOCK:
        client = _CLIENTS.get(key)
        if client is None:
            client = _CLIENTS[key] = client_from_params(params)
        deadline = getattr(client, 'deadline', None)
        if deadline is not None:
            deadline.restart()  # each lookup is a task of its own: its total_timeout starts now
        return client


@atexit.register
def close_clients() -> None:
    with _CLIENTS_LOCK:
        for client in _CLIENTS.values():
            client.close()
        _CLIENTS.clear()
