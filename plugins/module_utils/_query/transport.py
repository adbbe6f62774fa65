# Copyright (c) 2026 aicc.cms contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Wall-clock deadlines and a bounded streaming read for one HTTP exchange.

A socket time-out bounds each read, not the exchange: a server sending its headers one byte a
second never trips it. So every exchange runs under a watchdog that shuts the sockets it uses
down when its deadline passes, whatever phase the exchange is in (connect, TLS, headers, body),
and the body is read in chunks, decompressed as it streams, and refused once it passes a cap,
before the memory is spent.
"""

from __future__ import annotations

import heapq
import itertools
import os
import socket
import threading
import time
import typing as t

try:
    from requests.adapters import HTTPAdapter
    from urllib3.connection import HTTPConnection, HTTPSConnection
    from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
    from urllib3.exceptions import HTTPError as Urllib3Error
except ImportError:  # the client reports the missing library
    HTTPAdapter = object  # type: ignore[assignment,misc]
    HTTPConnection = HTTPSConnection = HTTPConnectionPool = HTTPSConnectionPool = object  # type: ignore[assignment,misc]
    Urllib3Error = Exception  # type: ignore[assignment,misc]

# The largest legitimate page (1000 IDs, several UAPs each, about 400 bytes a row) is a few MiB.
MAX_RESPONSE_BYTES = 16 * 1024 * 1024
CHUNK_BYTES = 64 * 1024


class Deadline:
    """A point in time on the monotonic clock, ``seconds`` after ``restart()`` (or creation)."""

    def __init__(self, seconds: float, clock: t.Callable[[], float] = time.monotonic) -> None:
        self.seconds = float(seconds)
        self._clock = clock
        self._ends = clock() + self.seconds

    def restart(self) -> None:
        """Start the same span again from now (a new task with a long-lived client)."""
        self._ends = self._clock() + self.seconds

    def remaining(self) -> float:
        """Seconds left, never below 0."""
        return max(0.0, self._ends - self._clock())

    def expired(self) -> bool:
        return self.remaining() <= 0.0


class ResponseTooLarge(Exception):
    """The decompressed body passed the cap."""


class BodyFailed(Exception):
    """Reading the body failed after the headers arrived."""

    def __init__(self, error: BaseException) -> None:
        super().__init__(str(error))
        self.error = error


class Exchange:
    """The sockets one thread uses for one HTTP exchange, shut down by ``expire()``."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._sockets: list[socket.socket] = []
        self.expired = False
        self.done = False  # the exchange ended: its deadline no longer matters

    def watch(self, sock: socket.socket | None) -> None:
        if sock is None:
            return
        with self._lock:
            self._sockets.append(sock)
            expired = self.expired
        if expired:
            _shut(sock)

    def expire(self) -> None:
        with self._lock:
            self.expired = True
            sockets = list(self._sockets)
        for sock in sockets:
            _shut(sock)


def _shut(sock: socket.socket) -> None:
    # shutdown() wakes a thread blocked in recv() or poll() on the socket; close() would not.
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass


_CURRENT = threading.local()


def _current_exchange() -> Exchange | None:
    return getattr(_CURRENT, 'exchange', None)


class _Watchdog:
    """One thread per process that expires the exchanges whose deadline passed (a thread per exchange costs more
    than a small exchange itself)."""

    def __init__(self) -> None:
        self._reset()
        if hasattr(os, 'register_at_fork'):
            os.register_at_fork(after_in_child=self._reset)  # the child has no watchdog thread, and maybe a held lock

    def _reset(self) -> None:
        self._condition = threading.Condition()
        self._pending: list[tuple[float, int, Exchange]] = []
        self._numbers = itertools.count()
        self._thread: threading.Thread | None = None

    def watch(self, exchange: Exchange, seconds: float) -> None:
        with self._condition:
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name='aicc-cms-watchdog', daemon=True)
                self._thread.start()
            heapq.heappush(self._pending, (time.monotonic() + seconds, next(self._numbers), exchange))
            self._condition.notify()

    def _run(self) -> None:
        condition = self._condition
        while True:
            due = []
            with condition:
                now = time.monotonic()
                while self._pending and (self._pending[0][2].done or self._pending[0][0] <= now):
                    _ends, _number, exchange = heapq.heappop(self._pending)
                    if not exchange.done:
                        due.append(exchange)
                if not due:
                    condition.wait(self._pending[0][0] - now if self._pending else None)
            for exchange in due:
                exchange.expire()


_WATCHDOG = _Watchdog()


class watchdog:  # pylint: disable=invalid-name
    """``with watchdog(seconds) as exchange``: the sockets this thread uses are shut down after ``seconds``."""

    def __init__(self, seconds: float) -> None:
        self.exchange = Exchange()
        self._seconds = max(0.0, seconds)

    def __enter__(self) -> Exchange:
        _CURRENT.exchange = self.exchange
        _WATCHDOG.watch(self.exchange, self._seconds)
        return self.exchange

    def __exit__(self, *exc_info) -> None:
        self.exchange.done = True
        _CURRENT.exchange = None


class _Watched:
    """Mixin of urllib3 connections: each raw socket, new or reused, is given to the thread's exchange."""

    _raw_socket: socket.socket | None = None

    def _new_conn(self):  # pylint: disable=missing-function-docstring
        sock = super()._new_conn()  # type: ignore[misc]
        self._raw_socket = sock
        exchange = _current_exchange()
        if exchange is not None:
            exchange.watch(sock)
        return sock

    def request(self, *args, **kwargs):  # pylint: disable=missing-function-docstring
        exchange = _current_exchange()
        if exchange is not None:
            exchange.watch(self._raw_socket)
        return super().request(*args, **kwargs)  # type: ignore[misc]


class _WatchedHTTPConnection(_Watched, HTTPConnection):  # type: ignore[misc,valid-type]
    pass


class _WatchedHTTPSConnection(_Watched, HTTPSConnection):  # type: ignore[misc,valid-type]
    pass


class _WatchedHTTPPool(HTTPConnectionPool):  # type: ignore[misc,valid-type]
    ConnectionCls = _WatchedHTTPConnection


class _WatchedHTTPSPool(HTTPSConnectionPool):  # type: ignore[misc,valid-type]
    ConnectionCls = _WatchedHTTPSConnection


_POOL_CLASSES = {'http': _WatchedHTTPPool, 'https': _WatchedHTTPSPool}


class WatchedAdapter(HTTPAdapter):  # type: ignore[misc,valid-type]
    """requests transport adapter whose connections (direct or through an HTTP proxy) the watchdog can shut down."""

    def init_poolmanager(self, *args, **kwargs) -> None:  # pylint: disable=missing-function-docstring
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = dict(_POOL_CLASSES)

    def proxy_manager_for(self, proxy, **proxy_kwargs):  # pylint: disable=missing-function-docstring
        manager = super().proxy_manager_for(proxy, **proxy_kwargs)
        if not proxy.lower().startswith('socks'):
            manager.pool_classes_by_scheme = dict(_POOL_CLASSES)
        return manager


def read_body(response, deadline: Deadline, max_bytes: int = MAX_RESPONSE_BYTES) -> bytes:
    """The decompressed body, read in chunks: ResponseTooLarge past ``max_bytes``, BodyFailed when the
    stream breaks or ``deadline`` passes between two chunks. A response without a stream (a test
    transport) gives its content, under the same cap."""
    raw = getattr(response, 'raw', None)
    if raw is None or not hasattr(raw, 'stream'):
        content = response.content or b''
        if len(content) > max_bytes:
            raise ResponseTooLarge()
        return content
    chunks: list[bytes] = []
    received = 0
    try:
        for chunk in raw.stream(CHUNK_BYTES, decode_content=True):
            received += len(chunk)
            if received > max_bytes:
                raise ResponseTooLarge()
            chunks.append(chunk)
            if deadline.expired():
                raise BodyFailed(TimeoutError('deadline passed'))
    except (Urllib3Error, OSError, ValueError) as exc:
        raise BodyFailed(exc) from None
    return b''.join(chunks)
