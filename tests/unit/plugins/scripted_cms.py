# Copyright (c) 2026 aicc.cms contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The one CC-CMS stand-in of the unit tests: a scripted transport under a real CmsClient.

``ScriptedCms`` is a requests transport adapter mounted on the client's session. It checks every
request as the real server would (method, path, headers, body, the auth-v2 signature recomputed
with the keys the client was given) and answers from a handler:

- ``Exchanges``: expect this request, answer that, in order (``.expect(eid, offset=0).answer(...)``);
  a request the script does not expect fails the test. ``scripted(*answers)``: answers in turn,
  whatever the request (retries, faults).
- ``TerminalTable``: serves a terminal table as CC-CMS would, under either paging reading
  (limit/offset over equipment IDs or over rows) and any ``count`` behaviour.
- any callable ``handler(body, call_index) -> (status, headers, payload)`` that may raise a requests
  exception to simulate a transport failure.

Module, lookup and inventory tests run the real client too (``serve_cms`` in conftest.py): no test
replaces the client itself.
"""

from __future__ import annotations

import datetime
import fnmatch
import json
import threading
import typing as t

import requests
from ansible_collections.aicc.cms.plugins.module_utils._query.client import API_PATH
from ansible_collections.aicc.cms.plugins.module_utils._query.signer import sign
from requests.adapters import BaseAdapter
from requests.structures import CaseInsensitiveDict

ACCESS_KEY = 'globalaktest'
SECRET_KEY = 'example-secret-key'
URL = 'https://10.1.1.1:28443'
HOST = '10.1.1.1:28443'
JSON_TYPE = {'Content-Type': 'application/json;charset=UTF-8'}
SUCCESS = '0100000'
CALL_FAILED = '0100001'


class SteppingClock:
    """UTC clock advancing one second per reading, so every signature has its own timestamp."""

    def __init__(self) -> None:
        self.now = datetime.datetime(2024, 1, 1, tzinfo=datetime.UTC)

    def __call__(self) -> datetime.datetime:
        self.now += datetime.timedelta(seconds=1)
        return self.now


class Recorder:
    """Injectable sleep that records the delays instead of waiting."""

    def __init__(self) -> None:
        self.delays: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.delays.append(seconds)


def terminal_row(equipment_id: str, status: str = 'registered', **fields) -> dict:
    """One row of an answer, as the vendor page's sample shows it."""
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
    """A successful answer: rows grouped by UAP under ``data``, and ``count`` unless None."""
    desc = {'data': rows_by_uap}
    if count is not None:
        desc['count'] = count
    return {'resultCode': SUCCESS, 'resultDesc': desc}


def failure(result_code: str = CALL_FAILED, description: str = 'call failed') -> dict:
    """A failed answer: HTTP 200 with a failure resultCode (never retried)."""
    return {'resultCode': result_code, 'resultDesc': description}


class ScriptedCms(BaseAdapter):
    """Transport adapter asserting each request and answering ``handler(body, call_index)``.

    The handler returns ``(status, headers, payload)`` (payload: dict/list -> JSON, bytes/str as is)
    or raises a requests exception to simulate a transport failure.
    """

    def __init__(
        self,
        handler,
        host: str = HOST,
        path: str = API_PATH,
        cc_id: int | None = None,
        on_enter=None,
        access_key: str = ACCESS_KEY,
        secret_key: str = SECRET_KEY,
    ) -> None:
        super().__init__()
        self.handler = handler
        self.host = host
        self.path = path
        self.cc_id = cc_id
        self.on_enter = on_enter
        self.access_key = access_key
        self.secret_key = secret_key
        self.calls: list[dict] = []
        self.authorizations: list[str] = []
        self.verify_seen: list = []
        self.proxies_seen: list = []
        self.in_flight = 0
        self.max_in_flight = 0
        self.closed = False
        self.lock = threading.Condition()

    @property
    def queried(self) -> list[str]:
        """The EID of each query started (its first page), in the order sent."""
        return [call['EID'] for call in self.calls if int(call['offset']) == 0]

    def check_request(self, request) -> dict:
        assert request.method == 'POST'
        assert request.path_url == self.path
        assert request.headers['Content-Type'] == 'application/json;charset=UTF-8'
        assert request.headers['Host'] == self.host
        authorization = request.headers['Authorization']
        assert self.secret_key not in authorization
        prefix, access_key, timestamp, signed_headers, _signature = authorization.split('/')
        assert (prefix, access_key, signed_headers) == ('auth-v2', self.access_key, 'host')
        signed_at = datetime.datetime.strptime(timestamp, '%Y-%m-%dT%H:%M:%SZ').replace(tzinfo=datetime.UTC)
        assert isinstance(request.body, bytes)
        assert authorization == sign(
            self.access_key, self.secret_key, 'POST', self.path, self.host, request.body, now=signed_at
        )
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
        self.closed = True


class Exchanges:
    """A script of exchanges: each request must be the next one expected, and gets its answer.

    ``Exchanges().expect('8880001').answer(success(...)).expect('8880001', offset=100).answer(...)``;
    ``answer`` takes a payload (HTTP 200) or ``status=``/``headers=``, or ``raises=`` an exception.
    ``done()`` asserts every expected request came.
    """

    def __init__(self) -> None:
        self._script: list[tuple[dict[str, t.Any], tuple]] = []
        self._lock = threading.Lock()
        self._next = 0

    def expect(self, eid: str, offset: int = 0, **fields) -> Exchanges:
        self._script.append((dict(EID=eid, offset=offset, **fields), None))
        return self

    def answer(self, payload: t.Any = None, status: int = 200, headers: dict | None = None, raises=None) -> Exchanges:
        expected, _answer = self._script[-1]
        self._script[-1] = (expected, (status, JSON_TYPE if headers is None else headers, payload, raises))
        return self

    def __call__(self, body: dict, _index: int):
        with self._lock:
            assert self._next < len(self._script), f'request not in the script: {body}'
            expected, answer = self._script[self._next]
            self._next += 1
        got = {key: body.get(key) for key in expected}
        got['offset'] = int(got['offset'])
        assert got == expected, f'expected a request with {expected}, got {body}'
        status, headers, payload, raises = answer
        if raises is not None:
            raise raises
        return status, headers, payload

    def done(self) -> None:
        assert self._next == len(self._script), f'{len(self._script) - self._next} expected requests never came'


def scripted(*answers):
    """A handler giving ``answers`` in turn whatever is asked (an exception instance is raised); the last one repeats.

    For answers that do not depend on the request (retries, faults); Exchanges checks the requests too.
    """

    def handler(_body: dict, index: int):
        item = answers[min(index, len(answers) - 1)]
        if isinstance(item, BaseException):
            raise item
        return item

    return handler


class TerminalTable:
    """Serves ``terminals`` ({equipment_id: [(uap, status) or (uap, status, row fields), ...]}) like CC-CMS.

    ``paging``: 'ids' (limit/offset count equipment IDs) or 'rows' (they count rows).
    ``count``: 'ids', 'rows', 'missing', 'string', or a callable(ids, rows) -> value.
    ``order``: rows sorted by equipment ID ('id') or grouped by UAP first ('uap').
    ``max_limit``: the server sends at most this many items, whatever limit asks for.
    ``failing``: EID patterns (fnmatch) answered with resultCode 0100001 (call failed).
    """

    def __init__(
        self,
        terminals: dict,
        paging: str = 'ids',
        count='ids',
        order: str = 'id',
        max_limit: int | None = None,
        failing: t.Iterable[str] = (),
    ) -> None:
        self.terminals = terminals
        self.paging = paging
        self.count = count
        self.order = order
        self.max_limit = max_limit
        self.failing = tuple(failing)

    @staticmethod
    def matches(pattern: str, equipment_id: str) -> bool:
        translated = pattern.replace('%', '*')
        return fnmatch.fnmatchcase(equipment_id, translated)

    def __call__(self, body: dict, _index: int):
        if any(fnmatch.fnmatchcase(body['EID'], pattern) for pattern in self.failing):
            return 200, JSON_TYPE, failure()
        ids = sorted(eid for eid in self.terminals if self.matches(body['EID'], eid))
        rows = [(eid,) + tuple(entry) for eid in ids for entry in self.terminals[eid]]
        if self.order == 'uap':
            rows.sort(key=lambda row: (row[1], row[0]))
        limit, offset = int(body['limit']), int(body['offset'])
        if self.max_limit is not None:
            limit = min(limit, self.max_limit)
        if self.paging == 'ids':
            page_ids = set(ids[offset : offset + limit])
            page_rows = [row for row in rows if row[0] in page_ids]
        else:
            page_rows = rows[offset : offset + limit]
        data: dict = {}
        for eid, uap, status, *fields in page_rows:
            data.setdefault(uap, []).append(terminal_row(eid, status, **(fields[0] if fields else {})))
        if callable(self.count):
            count = self.count(ids, rows)
        else:
            count = {'ids': len(ids), 'rows': len(rows), 'missing': None, 'string': str(len(ids))}[self.count]
        return 200, JSON_TYPE, success(data, count)


def table_of(*rows: tuple) -> dict:
    """A TerminalTable's terminals from ``(equipment_id, uap, status, row fields)`` rows, in the order given."""
    terminals: dict = {}
    for equipment_id, uap, status, fields in rows:
        terminals.setdefault(equipment_id, []).append((uap, status, fields))
    return terminals
