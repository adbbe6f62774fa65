# Copyright (c) 2026 aicc.cms contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Small hostile HTTP servers on 127.0.0.1 for the hardening tests: each misbehaves in one way.

``HostileServer(kind)`` listens on a free loopback port (plain HTTP), answers every request with
the behaviour ``kind`` (see BEHAVIOURS), and stops by itself after ``lifetime`` seconds or
``max_requests`` requests, whichever comes first; ``stop()`` ends it at once. ``requests`` counts
the requests received. Nothing here checks signatures: the client's answer handling is under test.
"""

from __future__ import annotations

import gzip
import json
import socket
import threading
import time

ANSWER = {
    'resultCode': '0100000',
    'resultDesc': {
        'count': 1,
        'data': {
            '10.10.0.1#1': [
                {
                    'equipmentId': '8880001',
                    'registerStatus': 'registered',
                    'socketStatus': 'normal',
                    'ipAndPort': '10.2.0.1:5060',
                    'monitorFlag': 'started',
                    'protocolType': 'UDP',
                    'roamIpAndPort': '0.0.0.0:0',
                    'tlsStatus': 'unconnect',
                    'ipType': 'IPv4',
                    'ccuModuleNumber': '1',
                    'terminationType': '0',
                }
            ]
        },
    },
}
ONE_MIB = 1024 * 1024


def _gzip_bomb_member() -> bytes:
    # 64 MiB of zeros compress to about 64 KiB; 16 members inflate to 1 GiB.
    return gzip.compress(b'\0' * (64 * ONE_MIB), compresslevel=9)


class HostileServer:
    """One misbehaving server (see BEHAVIOURS) on 127.0.0.1."""

    BEHAVIOURS = (
        'drip_headers',  # the status line and headers, one byte every `pace` seconds
        'drip_body',  # headers at once, then a valid JSON body one byte every `pace` seconds
        'headers_then_silence',  # headers announcing a body, then nothing
        'gzip_bomb',  # 1 MiB of gzip that inflates to 1 GiB
        'chunked_huge',  # a chunked body of 1 GiB
        'echo_authorization',  # a failure resultCode whose resultDesc echoes the Authorization header
        'retry_after_soon',  # HTTP 503 with "Retry-After: soon" first, then a valid answer
    )

    def __init__(self, kind: str, pace: float = 1.0, lifetime: float = 120.0, max_requests: int = 20) -> None:
        if kind not in self.BEHAVIOURS:
            raise ValueError(f'unknown behaviour {kind!r}')
        self.kind = kind
        self.pace = pace
        self.lifetime = lifetime
        self.max_requests = max_requests
        self.requests = 0
        self._stopping = threading.Event()
        self._listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._listener.bind(('127.0.0.1', 0))
        self._listener.listen(32)
        self._listener.settimeout(0.2)
        self.port = self._listener.getsockname()[1]
        self.url = f'http://127.0.0.1:{self.port}'
        self._bomb = _gzip_bomb_member() if kind == 'gzip_bomb' else b''
        self._thread = threading.Thread(target=self._serve, daemon=True)

    def __enter__(self) -> HostileServer:
        self._thread.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self.stop()

    def stop(self) -> None:
        self._stopping.set()
        self._thread.join(timeout=5)
        self._listener.close()

    def _serve(self) -> None:
        ends = time.monotonic() + self.lifetime
        while not self._stopping.is_set() and time.monotonic() < ends and self.requests < self.max_requests:
            try:
                connection, _address = self._listener.accept()
            except OSError:
                continue
            threading.Thread(target=self._handle, args=(connection, ends), daemon=True).start()

    def _read_request(self, connection: socket.socket) -> tuple[bytes, bytes] | None:
        data = b''
        while b'\r\n\r\n' not in data:
            chunk = connection.recv(65536)
            if not chunk:
                return None
            data += chunk
        head, _separator, body = data.partition(b'\r\n\r\n')
        length = 0
        for line in head.split(b'\r\n')[1:]:
            name, _colon, value = line.partition(b':')
            if name.strip().lower() == b'content-length':
                length = int(value.strip())
        while len(body) < length:
            chunk = connection.recv(65536)
            if not chunk:
                return None
            body += chunk
        return head, body

    def _alive(self, ends: float) -> bool:
        return not self._stopping.is_set() and time.monotonic() < ends

    def _handle(self, connection: socket.socket, ends: float) -> None:
        connection.settimeout(30)
        try:
            while self._alive(ends):
                request = self._read_request(connection)
                if request is None:
                    return
                self.requests += 1
                if not self._answer(connection, request, ends):
                    return
        except OSError:
            pass
        finally:
            connection.close()

    def _send_slowly(self, connection: socket.socket, data: bytes, ends: float) -> bool:
        for position in range(len(data)):
            if not self._alive(ends):
                return False
            connection.sendall(data[position : position + 1])
            time.sleep(self.pace)
        return True

    def _answer(self, connection: socket.socket, request: tuple[bytes, bytes], ends: float) -> bool:  # pylint: disable=too-many-return-statements
        """Answer one request; False when the connection is to be closed."""
        head, request_body = request
        try:
            offset = int(json.loads(request_body or b'{}').get('offset') or 0)
        except (ValueError, AttributeError):
            offset = 0
        # the one terminal on the first page, nothing after it
        body = json.dumps(
            ANSWER if offset == 0 else {'resultCode': '0100000', 'resultDesc': {'count': 1, 'data': {}}}
        ).encode()
        ok_head = b'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n' % len(body)
        if self.kind == 'drip_headers':
            return self._send_slowly(connection, ok_head, ends) and self._send_slowly(connection, body, ends)
        if self.kind == 'drip_body':
            connection.sendall(ok_head)
            return self._send_slowly(connection, body, ends)
        if self.kind == 'headers_then_silence':
            connection.sendall(ok_head)
            while self._alive(ends):
                time.sleep(0.1)
            return False
        if self.kind == 'gzip_bomb':
            members = self._bomb * 16
            connection.sendall(
                b'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Encoding: gzip\r\n'
                b'Content-Length: %d\r\n\r\n' % len(members)
            )
            connection.sendall(members)
            return True
        if self.kind == 'chunked_huge':
            connection.sendall(
                b'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n'
            )
            chunk = b'%x\r\n%s\r\n' % (ONE_MIB, b' ' * ONE_MIB)
            for _number in range(1024):
                if not self._alive(ends):
                    return False
                connection.sendall(chunk)
            connection.sendall(b'0\r\n\r\n')
            return True
        if self.kind == 'echo_authorization':
            authorization = next(
                (
                    line.split(b':', 1)[1].strip().decode()
                    for line in head.split(b'\r\n')
                    if line.lower().startswith(b'authorization:')
                ),
                '',
            )
            echo = json.dumps(
                {
                    'resultCode': '0100002',
                    'resultDesc': f'bad request, headers were Authorization: {authorization}',
                }
            ).encode()
            connection.sendall(
                b'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s' % (len(echo), echo)
            )
            return True
        # retry_after_soon
        if self.requests == 1:
            busy = b'{"resultCode":"busy"}'
            connection.sendall(
                b'HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\nRetry-After: soon\r\n'
                b'Content-Length: %d\r\n\r\n%s' % (len(busy), busy)
            )
            return True
        connection.sendall(ok_head + body)
        return True
