# Copyright (c) 2026 aicc.cms contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The HTTP(S) server, the request rules and the in-process ``Simulator`` API."""

from __future__ import annotations

import collections
import dataclasses
import datetime
import json
import os
import shutil
import socket
import ssl
import tempfile
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from . import signing
from .faults import FaultError, FaultPlan
from .scenario import ScenarioRunner, load_scenario
from .store import DataError, Reading, TerminalStore, expand_ranges, has_wildcard, resolve_reading

API_PATH = '/rest/cmsapp/v1/openapi/uap/queryterminalstatus'
ADMIN_PREFIX = '/_sim'
DEFAULT_ACCESS_KEY = 'sim-access-key'
DEFAULT_SECRET_KEY = 'sim-secret-key'
ACCESS_KEY_ENV = 'AICC_SIM_ACCESS_KEY'
SECRET_KEY_ENV = 'AICC_SIM_SECRET_KEY'
JSON_TYPE = 'application/json;charset=UTF-8'
MAX_RECORDED_VIOLATIONS = 1000
LOOPBACK = ('127.0.0.1', '::1')
LIMIT_TYPES = ('any', 'int', 'string')
NO_MATCH_CODES = ('0101002',)
NO_MATCH_DESC = 'queried number does not exist on the UAP'

HTML_ERROR_PAGE = (
    b'<!DOCTYPE html><html><head><title>Service Unavailable</title></head>'
    b'<body><h1>Service temporarily unavailable</h1><p>Please try again later.</p></body></html>'
)


@dataclasses.dataclass
class SimulatorOptions:  # pylint: disable=too-many-instance-attributes
    """Every option of the simulator; the CLI flags carry the same names (``--count-semantics``...)."""

    port: int = 0
    state_dir: str | None = None
    state_file: str | None = None
    tls: bool = True
    access_key: str | None = None
    secret_key: str | None = None
    cc_ids: tuple = (1,)
    ranges: tuple = ('8880000-8880999',)
    uaps: int = 1
    registered_ratio: float = 0.97
    seed: int = 1
    uap_disagreement: float = 0.02
    data: str | None = None
    partial_membership: float = 0.0  # pool mode: chance that a terminal is absent from a UAP (on one at least)
    count_semantics: str = 'ids'  # what count counts; see store.COUNT_SEMANTICS
    count_as_string: bool = False  # count sent as a JSON string ("12")
    paging_unit: str | None = None  # what limit/offset count; None: ids for counts of IDs, rows for counts of rows
    offset_unit: str = 'items'  # "items" or "pages" (start = offset x the effective limit)
    row_order: str | None = None  # "id", "uap" or "shuffled"; None: "id" when paging IDs, "uap" otherwise
    limit_cap: int | None = None  # serve at most this many items (per key under per_key) per page, silently
    shape: str = 'sample'  # "sample", "tables", "list_sample" or "list_tables"
    empty_data: str = '{}'  # what data (sample shapes) or resultDesc (tables shapes) is on a page without rows
    no_match_code: str | None = None  # "0101002": a page without rows is that failure instead of an empty success
    limit_type: str = 'any'  # "any", "int" (string limit/offset refused) or "string" (integers refused)
    max_in_flight: int = 10
    stall_seconds: float = 60.0
    violation_threshold: int = 200
    skew_seconds: float = 900.0
    max_limit: int = 1000
    faults: tuple = ()
    fault_seed: int = 0
    latency_ms: float = 0.0
    jitter_ms: float = 0.0
    retry_after: int = 1
    scenario: Any = None
    scenario_trigger: bool = False
    clock: Callable[[], datetime.datetime] | None = None
    verbose: bool = False


class Stats:
    """Counters shared by the handler threads; ``snapshot()`` is what ``GET /_sim/stats`` returns."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.active = 0  # requests being answered (the in-flight cap applies to these)
        self.concurrent = 0  # every API request currently inside the server, stalled ones too
        self.reset()

    def reset(self) -> None:
        self.requests = 0
        self.by_status: collections.Counter = collections.Counter()
        self.by_result_code: collections.Counter = collections.Counter()
        self.max_in_flight = self.concurrent
        self.stalled = 0
        self.violations = 0
        self.violation_eids: list[dict] = []
        self.unauthorized = 0
        self.unauthorized_by_reason: collections.Counter = collections.Counter()
        self.faults_injected: collections.Counter = collections.Counter()
        self.pages_served = 0
        self.rows_served = 0
        self.limits_capped = 0

    def snapshot(self) -> dict:
        return {
            'requests': self.requests,
            'by_status': dict(self.by_status),
            'by_result_code': dict(self.by_result_code),
            'in_flight': self.concurrent,
            'max_in_flight': self.max_in_flight,
            'stalled': self.stalled,
            'violations': self.violations,
            'violation_eids': list(self.violation_eids),
            'unauthorized': self.unauthorized,
            'unauthorized_by_reason': dict(self.unauthorized_by_reason),
            'faults_injected': dict(self.faults_injected),
            'pages_served': self.pages_served,
            'rows_served': self.rows_served,
            'limits_capped': self.limits_capped,
        }


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128
    simulator: Simulator

    def __init__(self, address, handler) -> None:
        super().__init__(address, handler)
        self.connections: set = set()
        self.connections_lock = threading.Lock()


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


class Handler(BaseHTTPRequestHandler):
    """One keep-alive connection; API requests go to the simulator, ``/_sim/*`` to the admin API."""

    protocol_version = 'HTTP/1.1'
    disable_nagle_algorithm = True
    server_version = 'CC-CMS-simulator'
    sys_version = ''
    timeout = 300
    server: _Server

    def version_string(self) -> str:
        return self.server_version

    # --- connection life cycle -------------------------------------------------------------------
    def setup(self) -> None:
        if isinstance(self.request, ssl.SSLSocket):
            self.request.settimeout(self.timeout)
            try:
                self.request.do_handshake()
            except (OSError, ssl.SSLError):
                self.close_connection = True
        super().setup()
        with self.server.connections_lock:
            self.server.connections.add(self.request)

    def handle(self) -> None:
        try:
            super().handle()
        except (OSError, ssl.SSLError):
            self.close_connection = True  # the client went away or TLS failed; nothing to answer

    def finish(self) -> None:
        with self.server.connections_lock:
            self.server.connections.discard(self.request)
        try:
            super().finish()
        except (OSError, ssl.SSLError):
            pass

    def log_message(self, format, *args) -> None:  # pylint: disable=redefined-builtin
        if self.server.simulator.options.verbose:
            super().log_message(format, *args)

    # --- answers ---------------------------------------------------------------------------------
    def respond(self, status: int, body: bytes, content_type: str = JSON_TYPE, headers: dict | None = None) -> None:
        """Headers and body in one write (one TLS record, no Nagle delay)."""
        self.send_response(status)
        self.send_header('Content-Type', content_type)
        self.send_header('Content-Length', str(len(body)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self._headers_buffer.append(b'\r\n' + body)
        self.flush_headers()

    def respond_json(self, status: int, payload) -> None:
        self.respond(status, json.dumps(payload).encode('utf-8'))

    def read_body(self) -> bytes:
        length = self.headers.get('Content-Length')
        if not length or not length.isdigit():
            return b''
        return self.rfile.read(int(length))

    # --- routing ---------------------------------------------------------------------------------
    def do_POST(self) -> None:  # pylint: disable=invalid-name
        path, _sep, query = self.path.partition('?')
        body = self.read_body()
        if path.startswith(ADMIN_PREFIX + '/'):
            self.server.simulator.admin(self, 'POST', path, body)
        elif path == API_PATH:
            self.server.simulator.answer_query(self, query, body)
        else:
            self.respond(404, b'Not Found', 'text/plain')

    def do_GET(self) -> None:  # pylint: disable=invalid-name
        path = self.path.partition('?')[0]
        if path.startswith(ADMIN_PREFIX + '/'):
            self.server.simulator.admin(self, 'GET', path, b'')
        elif path == API_PATH:
            self.respond(405, b'Method Not Allowed: this interface supports only POST', 'text/plain', {'Allow': 'POST'})
        else:
            self.respond(404, b'Not Found', 'text/plain')


class Simulator:
    """A CC-CMS ``queryterminalstatus`` server running in a background thread.

    ``Simulator(**options)`` takes the keyword options of :class:`SimulatorOptions`; use it as a
    context manager or call ``start()`` / ``stop()``.
    """

    def __init__(self, **options) -> None:
        self.options = SimulatorOptions(**options)
        opts = self.options
        self.reading: Reading = resolve_reading(
            opts.count_semantics,
            opts.paging_unit,
            opts.row_order,
            opts.offset_unit,
            opts.shape,
            opts.empty_data,
            opts.count_as_string,
            opts.seed,
        )
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
        if opts.data and opts.partial_membership:
            raise ValueError(
                "partial_membership applies to generated data (ranges); a data file lists each terminal's UAPs itself."
            )
        self.access_key = opts.access_key or os.environ.get(ACCESS_KEY_ENV) or DEFAULT_ACCESS_KEY
        self.secret_key = opts.secret_key or os.environ.get(SECRET_KEY_ENV) or DEFAULT_SECRET_KEY
        self.cc_ids = {int(cc_id) for cc_id in opts.cc_ids}
        if opts.data:
            self.store = TerminalStore.load(opts.data)
        else:
            self.store = TerminalStore.generate(
                opts.ranges, opts.uaps, opts.registered_ratio, opts.seed, opts.uap_disagreement, opts.partial_membership
            )
        self.faults = FaultPlan(opts.faults, opts.fault_seed)
        self.scenario = ScenarioRunner(load_scenario(opts.scenario), self.store) if opts.scenario is not None else None
        self.stats_counters = Stats()
        self.url = self.admin_url = self.ca_path = None
        self.port = None
        self.state_dir: Path | None = None
        self._owns_state_dir = False
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._stopping = threading.Event()
        self._stopped = threading.Event()
        self._hosts: frozenset = frozenset()

    def __repr__(self) -> str:
        return f'Simulator(url={self.url!r}, terminals={len(self.store)})'

    # --- life cycle ------------------------------------------------------------------------------
    def start(self) -> Simulator:
        opts = self.options
        if opts.state_dir:
            self.state_dir = Path(opts.state_dir)
            self.state_dir.mkdir(parents=True, exist_ok=True)
        elif opts.state_file:
            self.state_dir = Path(opts.state_file).resolve().parent
            self.state_dir.mkdir(parents=True, exist_ok=True)
        else:
            self.state_dir = Path(tempfile.mkdtemp(prefix='aicc-sim-'))
            self._owns_state_dir = True
        server = _Server(('127.0.0.1', opts.port), Handler)
        server.simulator = self
        self.port = server.server_address[1]
        scheme = 'http'
        if opts.tls:
            from .tlsgen import write_certificates  # pylint: disable=import-outside-toplevel

            ca_path, cert_path, key_path = write_certificates(self.state_dir)
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(cert_path, key_path)
            server.socket = context.wrap_socket(server.socket, server_side=True, do_handshake_on_connect=False)
            self.ca_path = str(ca_path)
            scheme = 'https'
        self._hosts = frozenset({f'127.0.0.1:{self.port}', f'localhost:{self.port}'})
        self.url = f'{scheme}://127.0.0.1:{self.port}'
        self.admin_url = self.url + ADMIN_PREFIX
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs={'poll_interval': 0.1}, name=f'aicc-sim-{self.port}', daemon=True
        )
        self._thread.start()
        if self.scenario is not None and self.scenario.scenario['start'] == 'server' and not opts.scenario_trigger:
            self.scenario.start()
        if opts.state_file:
            self._write_state_file(Path(opts.state_file))
        return self

    def _write_state_file(self, path: Path) -> None:
        state = {
            'url': self.url,
            'admin_url': self.admin_url,
            'ca_path': self.ca_path,
            'pid': os.getpid(),
            'access_key': self.access_key,
            'terminals': len(self.store),
        }
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(path.name + '.tmp')
        temporary.write_text(json.dumps(state, indent=2) + '\n', encoding='utf-8')
        os.replace(temporary, path)

    def stop(self) -> None:
        """Stop serving, drop open connections and release stalled requests."""
        if self._server is None or self._stopping.is_set():
            self._stopped.wait(10)
            return
        self._stopping.set()
        stopper = threading.Thread(target=self._server.shutdown, daemon=True)
        stopper.start()
        try:  # wake the accept loop now rather than at its next poll
            socket.create_connection(('127.0.0.1', self.port), timeout=1).close()
        except OSError:
            pass
        stopper.join()
        with self._server.connections_lock:
            connections = list(self._server.connections)
        for connection in connections:
            try:
                connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        self._server.server_close()
        if self._owns_state_dir and self.state_dir is not None:
            shutil.rmtree(self.state_dir, ignore_errors=True)
        self._stopped.set()

    def wait(self, timeout: float | None = None) -> bool:
        """Block until the simulator is stopped (``POST /_sim/shutdown`` or ``stop()``)."""
        return self._stopped.wait(timeout)

    def __enter__(self) -> Simulator:
        return self.start()

    def __exit__(self, *exc_info) -> None:
        self.stop()

    # --- Python API for tests --------------------------------------------------------------------
    def stats(self) -> dict:
        with self.stats_counters.lock:
            snapshot = self.stats_counters.snapshot()
        snapshot['scenario'] = self.scenario.status() if self.scenario is not None else None
        snapshot['faults'] = [str(fault) for fault in self.faults.faults]
        return snapshot

    def reset_stats(self) -> None:
        with self.stats_counters.lock:
            self.stats_counters.reset()

    def set_status(
        self, eids, register_status: str, uap: str | None = None, socket_status: str | None = None
    ) -> list[str]:
        if isinstance(eids, str):
            eids = [eids]
        return self.store.set_status(eids, register_status, uap=uap, socket_status=socket_status)

    def set_faults(self, faults, seed: int | None = None) -> None:
        self.faults.replace(faults, seed)

    def start_scenario(self) -> None:
        if self.scenario is None:
            raise RuntimeError('This simulator was started without a scenario; pass scenario=FILE.')
        self.scenario.start()

    def effective_options(self) -> dict:
        """The reading and the page rules in force, defaults resolved (also ``GET /_sim/options``)."""
        opts = self.options
        return dict(
            self.reading._asdict(),
            limit_cap=opts.limit_cap,
            max_limit=opts.max_limit,
            no_match_code=opts.no_match_code,
            limit_type=opts.limit_type,
            uaps=list(self.store.uaps),
            partial_membership=opts.partial_membership,
            terminals=len(self.store),
        )

    def minimum_requests(self, eid: str, page_size: int) -> int:
        """Requests a client that knew this server's reading in advance needs for ``eid`` asked with
        ``limit=page_size``: the items of the paging unit over the effective page size (after the cap),
        rounded up, at least 1. Under an ignored offset only the first page can ever be had: 1."""
        return self.store.minimum_requests(eid, self.reading, page_size, self.options.limit_cap)

    def terminal(self, eid: str) -> dict | None:
        """``{"<ip>#<no>": row}`` of one terminal, as the API would show it, or None."""
        if self.scenario is not None:
            self.scenario.advance()
        return self.store.terminal(str(eid))

    # --- the API -------------------------------------------------------------------------------
    def _now(self) -> datetime.datetime:
        return self.options.clock() if self.options.clock else datetime.datetime.now(datetime.UTC)

    def answer_query(self, handler: Handler, query: str, body: bytes) -> None:
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

    def _answer_admitted(self, handler: Handler, query: str, body: bytes) -> tuple | None:
        """(status, body, content type, headers) to send, or None to close without an answer."""
        opts = self.options
        try:
            host = handler.headers.get('Host', '')
            if host not in self._hosts:
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

    # --- admin API -------------------------------------------------------------------------------
    def admin(self, handler: Handler, method: str, path: str, body: bytes) -> None:
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
            status, answer = self._admin_route(method, route, payload)
        except (DataError, FaultError, RuntimeError, TypeError, ValueError) as exc:
            status, answer = 400, {'error': str(exc)}
        handler.respond_json(status, answer)
        if route == '/shutdown' and method == 'POST':
            threading.Thread(target=self.stop, daemon=True).start()

    def _admin_route(self, method: str, route: str, payload) -> tuple[int, Any]:
        if method == 'GET' and route == '/stats':
            return 200, self.stats()
        if method == 'GET' and route == '/options':
            return 200, self.effective_options()
        if method == 'GET' and route.startswith('/terminals/'):
            found = self.terminal(route[len('/terminals/') :])
            return (200, found) if found is not None else (404, {'error': 'No such terminal.'})
        if method != 'POST':
            return 404, {'error': f'Unknown admin endpoint {method} {route}.'}
        if route == '/stats/reset':
            self.reset_stats()
            return 200, {'reset': True}
        if route == '/terminals':
            if not isinstance(payload, dict):
                raise ValueError('Send {"eids": [...], "register_status": "..."}.')
            eids = [str(eid) for eid in payload.get('eids', [])] + expand_ranges(payload.get('ranges', []))
            changed = self.set_status(
                eids, payload.get('register_status'), uap=payload.get('uap'), socket_status=payload.get('socket_status')
            )
            return 200, {'changed': len(changed)}
        if route == '/faults':
            faults, seed = (
                (payload, None) if isinstance(payload, list) else (payload.get('faults', []), payload.get('seed'))
            )
            self.set_faults(faults, seed)
            return 200, {'faults': [str(fault) for fault in self.faults.faults]}
        if route == '/scenario/start':
            if self.scenario is None:
                return 409, {'error': 'No scenario was loaded; start the simulator with --scenario FILE.'}
            self.start_scenario()
            return 200, {'started': True, 'scenario': self.scenario.scenario['name']}
        if route == '/shutdown':
            return 200, {'stopping': True}
        return 404, {'error': f'Unknown admin endpoint {method} {route}.'}
