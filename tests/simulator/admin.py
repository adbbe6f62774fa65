# Copyright (c) 2026 aicc.cms contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The admin API under ``/_sim`` (loopback clients only, no auth, JSON): stats, options, terminals,
faults, starting the scenario and shutting down, each a call of the simulator's Python API."""

from __future__ import annotations

import json
import threading
from typing import Any

from .faults import FaultError
from .store import DataError, expand_ranges

ADMIN_PREFIX = '/_sim'
LOOPBACK = ('127.0.0.1', '::1')


class AdminApi:
    """Answers ``/_sim/*`` requests for one simulator (a :class:`simulator.Simulator`)."""

    def __init__(self, simulator) -> None:
        self.simulator = simulator

    def answer(self, handler, method: str, path: str, body: bytes) -> None:
        if handler.client_address[0] not in LOOPBACK:
            handler.respond_json(403, {'error': 'The admin API answers only loopback clients.'})
            return
        try:
            payload = json.loads(body.decode('utf-8')) if body.strip() else {}
        except (UnicodeDecodeError, ValueError):
            handler.respond_json(400, {'error': 'The body must be JSON.'})
            return
        route = path[len(ADMIN_PREFIX) :].rstrip('/')
        try:
            status, answer = self._route(method, route, payload)
        except (DataError, FaultError, RuntimeError, TypeError, ValueError) as exc:
            status, answer = 400, {'error': str(exc)}
        handler.respond_json(status, answer)
        if route == '/shutdown' and method == 'POST':
            threading.Thread(target=self.simulator.stop, daemon=True).start()

    def _route(self, method: str, route: str, payload) -> tuple[int, Any]:
        sim = self.simulator
        if method == 'GET' and route == '/stats':
            return 200, sim.stats()
        if method == 'GET' and route == '/options':
            return 200, sim.effective_options()
        if method == 'GET' and route.startswith('/terminals/'):
            found = sim.terminal(route[len('/terminals/') :])
            return (200, found) if found is not None else (404, {'error': 'No such terminal.'})
        if method != 'POST':
            return 404, {'error': f'Unknown admin endpoint {method} {route}.'}
        if route == '/stats/reset':
            sim.reset_stats()
            return 200, {'reset': True}
        if route == '/terminals':
            if not isinstance(payload, dict):
                raise ValueError('Send {"eids": [...], "register_status": "..."}.')
            eids = [str(eid) for eid in payload.get('eids', [])] + expand_ranges(payload.get('ranges', []))
            changed = sim.set_status(
                eids, payload.get('register_status'), uap=payload.get('uap'), socket_status=payload.get('socket_status')
            )
            return 200, {'changed': len(changed)}
        if route == '/faults':
            faults, seed = (
                (payload, None) if isinstance(payload, list) else (payload.get('faults', []), payload.get('seed'))
            )
            sim.set_faults(faults, seed)
            return 200, {'faults': [str(fault) for fault in sim.faults.faults]}
        if route == '/scenario/start':
            if sim.scenario is None:
                return 409, {'error': 'No scenario was loaded; start the simulator with --scenario FILE.'}
            sim.start_scenario()
            return 200, {'started': True, 'scenario': sim.scenario.scenario['name']}
        if route == '/shutdown':
            return 200, {'stopping': True}
        return 404, {'error': f'Unknown admin endpoint {method} {route}.'}
