# Copyright (c) 2026 aicc.cms contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The ``queryterminalstatus`` API: what the vendor requires of a request (signature, in-flight cap,
body rules) and the answer under the reading in force, or the fault the plan draws instead."""

from __future__ import annotations

import datetime
import json
import threading

from . import signing
from .faults import FaultPlan
from .scenario import ScenarioRunner
from .stats import Stats
from .store import Reading, TerminalStore, has_wildcard

API_PATH = '/rest/cmsapp/v1/openapi/uap/queryterminalstatus'
JSON_TYPE = 'application/json;charset=UTF-8'
MAX_RECORDED_VIOLATIONS = 1000
LIMIT_TYPES = ('any', 'int', 'string')
NO_MATCH_CODES = ('0101002',)
NO_MATCH_DESC = 'queried number does not exist on the UAP'

HTML_ERROR_PAGE = (
    b'<!DOCTYPE html><html><head><title>Service Unavailable</title></head>'
    b'<body><h1>Service temporarily unavailable</h1><p>Please try again later.</p></body></html>'
)


def check_options(opts) -> None:
    """ValueError unless the page rules of ``opts`` (a SimulatorOptions) are ones this API knows."""
    if opts.limit_cap is not None and (
        isinstance(opts.limit_cap, bool) or not isinstance(opts.limit_cap, int) or opts.limit_cap < 1
    ):
        raise ValueError('limit_cap must be an integer of 1 or more (or None for no cap).')
    if opts.no_match_code is not None and opts.no_match_code not in NO_MATCH_CODES:
        raise ValueError(
            f'no_match_code must be {", ".join(NO_MATCH_CODES)} (or None for an empty success), got'
            f' {opts.no_match_code!r}.'
        )
    if opts.limit_type not in LIMIT_TYPES:
        raise ValueError(f'limit_type must be one of {", ".join(LIMIT_TYPES)}, got {opts.limit_type!r}.')


def _as_int(value, name: str) -> int:
    """An int or a string of digits (the vendor's sample sends strings), else a 0100002 sentence."""
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise _BadParameter(f'{name} must be an integer or a numeric string.')
    if isinstance(value, str):
        if not value.isdigit() or not value.isascii():
            raise _BadParameter(f'{name} must be an integer or a numeric string.')
        value = int(value)
    return value


def _json_bytes(payload) -> bytes:
    return json.dumps(payload).encode('utf-8')


class _BadParameter(Exception):
    def __init__(self, message: str, result_code: str = '0100002') -> None:
        super().__init__(message)
        self.result_code = result_code


class QueryApi:  # pylint: disable=too-many-instance-attributes
    """Answers ``POST API_PATH`` for one simulator; ``hosts`` (the accepted ``Host`` headers) is set
    once the port is known. ``stopping`` releases held requests when the simulator stops."""

    def __init__(
        self,
        options,
        reading: Reading,
        store: TerminalStore,
        faults: FaultPlan,
        scenario: ScenarioRunner | None,
        counters: Stats,
        access_key: str,
        secret_key: str,
        cc_ids: set,
        stopping: threading.Event,
    ) -> None:
        self.options = options
        self.reading = reading
        self.store = store
        self.faults = faults
        self.scenario = scenario
        self.stats_counters = counters
        self.access_key = access_key
        self.secret_key = secret_key
        self.cc_ids = cc_ids
        self.hosts: frozenset = frozenset()
        self._stopping = stopping

    def _now(self) -> datetime.datetime:
        return self.options.clock() if self.options.clock else datetime.datetime.now(datetime.UTC)

    def answer(self, handler, query: str, body: bytes) -> None:
        counters = self.stats_counters
        with counters.lock:
            counters.requests += 1
            counters.concurrent += 1
            counters.max_in_flight = max(counters.max_in_flight, counters.concurrent)
            stall = counters.active >= self.options.max_in_flight
            if stall:
                counters.stalled += 1
            else:
                counters.active += 1
        answer = None
        try:
            if stall:
                self._hold()
            else:
                answer = self._answer_admitted(handler, query, body)
        finally:
            # Leave the in-flight count before the answer is written: a client may send its next
            # request as soon as it has read this answer, and must not find a stale count.
            with counters.lock:
                counters.concurrent -= 1
                if not stall:
                    counters.active -= 1
        if answer is None:
            handler.close_connection = True
        else:
            handler.respond(*answer)

    def _hold(self) -> None:
        """The vendor's warning made real: no answer; the connection closes after a long wait."""
        self._stopping.wait(self.options.stall_seconds)

    def _count(self, status: int, result_code: str | None = None) -> None:
        with self.stats_counters.lock:
            self.stats_counters.by_status[str(status)] += 1
            if result_code:
                self.stats_counters.by_result_code[result_code] += 1

    def _answer_admitted(self, handler, query: str, body: bytes) -> tuple | None:
        """(status, body, content type, headers) to send, or None to close without an answer."""
        opts = self.options
        try:
            host = handler.headers.get('Host', '')
            if host not in self.hosts:
                raise signing.AuthFailure('host', "The Host header is not this server's address.")
            signing.verify(
                handler.headers.get('Authorization'),
                access_key=self.access_key,
                secret_key=self.secret_key,
                method=handler.command,
                path=handler.path.partition('?')[0],
                host=host,
                body=body,
                query=query,
                now=self._now(),
                skew_seconds=opts.skew_seconds,
            )
        except signing.AuthFailure as failure:
            with self.stats_counters.lock:
                self.stats_counters.unauthorized += 1
                self.stats_counters.unauthorized_by_reason[failure.reason] += 1
            self._count(401)
            return (
                401,
                _json_bytes({'resultCode': '0100001', 'resultDesc': f'Authentication failed: {failure}'}),
                JSON_TYPE,
                None,
            )

        try:
            payload = json.loads(body.decode('utf-8')) if body else None
        except (UnicodeDecodeError, ValueError):
            payload = None
        eid = payload.get('EID') if isinstance(payload, dict) else None
        latency, jitter, fault = self.faults.draw(eid if isinstance(eid, str) else None)
        if latency:
            self._record_fault('latency')
            self._stopping.wait((opts.latency_ms + jitter * opts.jitter_ms) / 1000.0)
        if fault is not None and fault != 'truncated':
            self._record_fault(fault)
            return self._inject(fault)

        status, text = self._business_answer(payload)
        if fault == 'truncated':
            self._record_fault(fault)
            text = text[: max(1, len(text) // 2)]
        self._count(status)
        return status, text.encode('utf-8'), JSON_TYPE, None

    def _record_fault(self, kind: str) -> None:
        with self.stats_counters.lock:
            self.stats_counters.faults_injected[kind] += 1

    def _inject(self, fault: str) -> tuple | None:
        if fault == 'timeout':
            self._hold()
            return None
        if fault in ('500', '502', '503'):
            reasons = {'500': b'Internal Server Error', '502': b'Bad Gateway', '503': b'Service Unavailable'}
            self._count(int(fault))
            return int(fault), reasons[fault], 'text/plain', None
        if fault == '429':
            self._count(429)
            return 429, b'Too Many Requests', 'text/plain', {'Retry-After': str(self.options.retry_after)}
        if fault == 'nonjson':
            self._count(200)
            return 200, b'System busy, please retry later.', JSON_TYPE, None
        if fault == 'html':
            self._count(200)
            return 200, HTML_ERROR_PAGE, 'text/html;charset=UTF-8', None
        self._count(200, '0100001')  # resultdesc
        return 200, _json_bytes({'resultCode': '0100001', 'resultDesc': 'call failed'}), JSON_TYPE, None

    def _business_answer(self, payload) -> tuple[int, str]:
        """HTTP 200 and the JSON text: a page, or a failure resultCode with a string resultDesc."""
        try:
            eid, limit, offset = self._validate(payload)
        except _BadParameter as bad:
            self._count_result(bad.result_code)
            return 200, json.dumps({'resultCode': bad.result_code, 'resultDesc': str(bad)})
        if self.scenario is not None:
            self.scenario.advance(eid, offset)
        matches = self.store.match(eid)
        if has_wildcard(eid) and len(matches) >= self.options.violation_threshold:
            with self.stats_counters.lock:
                self.stats_counters.violations += 1
                if len(self.stats_counters.violation_eids) < MAX_RECORDED_VIOLATIONS:
                    self.stats_counters.violation_eids.append({'eid': eid, 'matches': len(matches)})
        opts = self.options
        capped = opts.limit_cap is not None and limit > opts.limit_cap
        if capped:
            limit = opts.limit_cap  # silently, as a server with its own page limit might
        page = self.store.page(matches, self.reading, limit, offset, query=eid)
        with self.stats_counters.lock:
            self.stats_counters.limits_capped += capped
        if not page.rows and opts.no_match_code is not None:
            # Nothing on this page (an unknown ID, a pattern matching nothing, a page past the end).
            self._count_result(opts.no_match_code)
            return 200, json.dumps({'resultCode': opts.no_match_code, 'resultDesc': NO_MATCH_DESC})
        text = self.store.render(page, self.reading)
        with self.stats_counters.lock:
            self.stats_counters.pages_served += 1
            self.stats_counters.rows_served += len(page.rows)
        self._count_result('0100000')
        return 200, text

    def _count_result(self, result_code: str) -> None:
        with self.stats_counters.lock:
            self.stats_counters.by_result_code[result_code] += 1

    def _validate(self, payload) -> tuple[str, int, int]:
        if not isinstance(payload, dict):
            raise _BadParameter('The request body must be a JSON object such as {"EID": "8880001"}.')
        eid = payload.get('EID')
        if eid is None:
            raise _BadParameter('EID is required.')
        if not isinstance(eid, str) or not eid.strip():
            raise _BadParameter('EID must be a non-empty string.')
        if ('limit' in payload) != ('offset' in payload):
            raise _BadParameter('limit and offset must be given together.')
        limit, offset = 100, 0
        if 'limit' in payload:
            for name in ('limit', 'offset'):
                if self.options.limit_type == 'int' and isinstance(payload[name], str):
                    raise _BadParameter(f'{name} must be an integer, not a string.')
                if self.options.limit_type == 'string' and not isinstance(payload[name], str):
                    raise _BadParameter(f"{name} must be a string of digits, as in the interface's sample request.")
            limit = _as_int(payload['limit'], 'limit')
            offset = _as_int(payload['offset'], 'offset')
            if not 1 <= limit <= self.options.max_limit:
                raise _BadParameter(f'limit must be between 1 and {self.options.max_limit}.')
            if offset < 0:
                raise _BadParameter('offset must be 0 or more.')
        if 'ccId' in payload:
            cc_id = _as_int(payload['ccId'], 'ccId')
            if cc_id not in self.cc_ids:
                raise _BadParameter('insufficient permission', '0101003')
        return eid, limit, offset
