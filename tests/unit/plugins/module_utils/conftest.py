# Copyright (c) 2026 aicc.cms contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""A scripted CC-CMS transport for the core's unit tests.

``FakeCms`` is a requests transport adapter mounted on the client's session: it checks every
request as the real server would (path, headers, body, auth-v2 signature recomputed with the test
keys) and answers from a handler. ``TerminalTable`` is a handler serving a terminal table with
either paging reading (limit/offset over equipment IDs or over rows) and any ``count`` behaviour.
"""

from __future__ import annotations

import datetime
import fnmatch
import json
import threading

import pytest
import requests
from ansible_collections.aicc.cms.plugins.module_utils._query.client import API_PATH, CmsClient
from ansible_collections.aicc.cms.plugins.module_utils._query.signer import sign
from requests.adapters import BaseAdapter
from requests.structures import CaseInsensitiveDict

ACCESS_KEY = 'globalaktest'
SECRET_KEY = 'example-secret-key'
URL = 'https://10.1.1.1:28443'
HOST = '10.1.1.1:28443'
JSON_TYPE = {'Content-Type': 'application/json;charset=UTF-8'}


class SteppingClock:
    """UTC clock advancing one second per reading, so every signature has its own timestamp."""

    def __init__(self) -> None:
        self.now = datetime.datetime(2024, 1, 1, tzinfo=datetime.UTC)

    def __call__(self) -> datetime.datetime:
        self.now += datetime.timedelta(seconds=1)
        return self.now


class FakeCms(BaseAdapter):
    """Transport adapter asserting each request and answering ``handler(body, call_index)``.

    The handler returns ``(status, headers, payload)`` (payload: dict/list -> JSON, bytes/str as is)
    or raises a requests exception to simulate a transport failure.
    """

    def __init__(
        self, handler, host: str = HOST, path: str = API_PATH, cc_id: int | None = None, on_enter=None
    ) -> None:
        super().__init__()
        self.handler = handler
        self.host = host
        self.path = path
        self.cc_id = cc_id
        self.on_enter = on_enter
        self.calls: list[dict] = []
        self.authorizations: list[str] = []
        self.verify_seen: list = []
        self.proxies_seen: list = []
        self.in_flight = 0
        self.max_in_flight = 0
        self.lock = threading.Condition()

    def check_request(self, request) -> dict:
        assert request.method == 'POST'
        assert request.path_url == self.path
        assert request.headers['Content-Type'] == 'application/json;charset=UTF-8'
        assert request.headers['Host'] == self.host
        authorization = request.headers['Authorization']
        assert SECRET_KEY not in authorization
        prefix, access_key, timestamp, signed_headers, _signature = authorization.split('/')
        assert (prefix, access_key, signed_headers) == ('auth-v2', ACCESS_KEY, 'host')
        signed_at = datetime.datetime.strptime(timestamp, '%Y-%m-%dT%H:%M:%SZ').replace(tzinfo=datetime.UTC)
        assert isinstance(request.body, bytes)
        assert authorization == sign(ACCESS_KEY, SECRET_KEY, 'POST', self.path, self.host, request.body, now=signed_at)
        body = json.loads(request.body.decode('utf-8'))
        expected_keys = ['EID', 'limit', 'offset'] + (['ccId'] if self.cc_id is not None else [])
        assert list(body) == expected_keys
        # integers, or strings of digits as in the vendor's sample request (one type for both)
        assert type(body['limit']) is type(body['offset'])  # pylint: disable=unidiomatic-typecheck
        assert isinstance(body['limit'], int) or (body['limit'].isdigit() and body['offset'].isdigit())
        assert request.body == json.dumps(body, separators=(',', ':'), ensure_ascii=False).encode('utf-8')
        if self.cc_id is not None:
            assert body['ccId'] == int(self.cc_id)
        return body

    def send(self, request, stream=False, timeout=None, verify=True, cert=None, proxies=None):  # pylint: disable=too-many-arguments
        body = self.check_request(request)
        with self.lock:
            index = len(self.calls)
            self.calls.append(body)
            self.authorizations.append(request.headers['Authorization'])
            self.verify_seen.append(verify)
            self.proxies_seen.append(proxies)
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
            self.lock.notify_all()
        try:
            if self.on_enter is not None:
                self.on_enter(self)
            status, headers, payload = self.handler(body, index)
        finally:
            with self.lock:
                self.in_flight -= 1
        response = requests.Response()
        response.status_code = status
        response.headers = CaseInsensitiveDict(headers)
        if isinstance(payload, (dict, list)):
            payload = json.dumps(payload)
        response._content = payload.encode('utf-8') if isinstance(payload, str) else payload  # pylint: disable=protected-access
        response.url = request.url
        response.request = request
        response.encoding = 'utf-8'
        return response

    def close(self) -> None:
        pass


def terminal_row(equipment_id: str, status: str = 'registered', **fields) -> dict:
    row = {
        'socketStatus': 'normal' if status == 'registered' else 'uninstall',
        'terminationType': 'sip',
        'ipAndPort': '10.2.0.1:5060',
        'ccuModuleNumber': '56',
        'registerStatus': status,
        'monitorFlag': 'started',
        'protocolType': 'sip',
        'equipmentId': equipment_id,
        'roamIpAndPort': '0.0.0.0:0',
        'tlsStatus': 'uninstall',
        'ipType': 'IPv4',
    }
    row.update(fields)
    return row


def success(rows_by_uap: dict, count) -> dict:
    desc = {'data': rows_by_uap}
    if count is not None:
        desc['count'] = count
    return {'resultCode': '0100000', 'resultDesc': desc}


class TerminalTable:
    """Serves ``terminals`` ({equipment_id: [(uap, status), ...]}) like CC-CMS.

    ``paging``: 'ids' (limit/offset count equipment IDs) or 'rows' (they count rows).
    ``count``: 'ids', 'rows', 'missing', 'string', or a callable(ids, rows) -> value.
    ``order``: rows sorted by equipment ID ('id') or grouped by UAP first ('uap').
    ``max_limit``: the server sends at most this many items, whatever limit asks for.
    """

    def __init__(
        self, terminals: dict, paging: str = 'ids', count='ids', order: str = 'id', max_limit: int | None = None
    ) -> None:
        self.terminals = terminals
        self.paging = paging
        self.count = count
        self.order = order
        self.max_limit = max_limit

    @staticmethod
    def matches(pattern: str, equipment_id: str) -> bool:
        translated = pattern.replace('%', '*')
        return fnmatch.fnmatchcase(equipment_id, translated)

    def __call__(self, body: dict, _index: int):
        ids = sorted(eid for eid in self.terminals if self.matches(body['EID'], eid))
        rows = [(eid, uap, status) for eid in ids for uap, status in self.terminals[eid]]
        if self.order == 'uap':
            rows.sort(key=lambda row: (row[1], row[0]))
        limit, offset = body['limit'], body['offset']
        if self.max_limit is not None:
            limit = min(limit, self.max_limit)
        if self.paging == 'ids':
            page_ids = set(ids[offset : offset + limit])
            page_rows = [row for row in rows if row[0] in page_ids]
        else:
            page_rows = rows[offset : offset + limit]
        data: dict = {}
        for eid, uap, status in page_rows:
            data.setdefault(uap, []).append(terminal_row(eid, status))
        if callable(self.count):
            count = self.count(ids, rows)
        else:
            count = {'ids': len(ids), 'rows': len(rows), 'missing': None, 'string': str(len(ids))}[self.count]
        return 200, JSON_TYPE, success(data, count)


class Recorder:
    """Injectable sleep that records the delays instead of waiting."""

    def __init__(self) -> None:
        self.delays: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.delays.append(seconds)


@pytest.fixture
def make_client():
    """Return a factory ``make_client(handler, **client_options) -> (client, fake, sleeps)``."""
    clients = []

    def factory(handler, url: str = URL, host: str = HOST, path: str = API_PATH, on_enter=None, **options):
        sleeps = Recorder()
        options.setdefault('sleep', sleeps)
        options.setdefault('utcnow', SteppingClock())
        client = CmsClient(url, ACCESS_KEY, SECRET_KEY, **options)
        fake = FakeCms(handler, host=host, path=path, cc_id=options.get('cc_id'), on_enter=on_enter)
        client.session.mount('https://', fake)
        client.session.mount('http://', fake)
        clients.append(client)
        return client, fake, sleeps

    yield factory
    for client in clients:
        client.close()
