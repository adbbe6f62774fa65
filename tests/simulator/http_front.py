# Copyright (c) 2026 aicc.cms contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The HTTP(S) front: the listening socket and its thread, one handler per keep-alive connection,
routing to the query API (``api.py``) and the admin API (``admin.py``), start and stop."""

from __future__ import annotations

import json
import socket
import ssl
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from .admin import ADMIN_PREFIX
from .api import API_PATH, JSON_TYPE


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128
    api: Any  # QueryApi: answer(handler, query, body)
    admin: Any  # AdminApi: answer(handler, method, path, body)
    options: Any  # SimulatorOptions (verbose)

    def __init__(self, address, handler) -> None:
        super().__init__(address, handler)
        self.connections: set = set()
        self.connections_lock = threading.Lock()


class Handler(BaseHTTPRequestHandler):
    """One keep-alive connection; API requests go to the query API, ``/_sim/*`` to the admin API."""

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
        if self.server.options.verbose:
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
            self.server.admin.answer(self, 'POST', path, body)
        elif path == API_PATH:
            self.server.api.answer(self, query, body)
        else:
            self.respond(404, b'Not Found', 'text/plain')

    def do_GET(self) -> None:  # pylint: disable=invalid-name
        path = self.path.partition('?')[0]
        if path.startswith(ADMIN_PREFIX + '/'):
            self.server.admin.answer(self, 'GET', path, b'')
        elif path == API_PATH:
            self.respond(405, b'Method Not Allowed: this interface supports only POST', 'text/plain', {'Allow': 'POST'})
        else:
            self.respond(404, b'Not Found', 'text/plain')


class HttpFront:
    """A threading HTTP server on 127.0.0.1: bound at construction, TLS optional, served from a
    daemon thread; ``stop()`` ends the accept loop and drops the open connections."""

    def __init__(self, port: int, api, admin, options) -> None:
        self._server = _Server(('127.0.0.1', port), Handler)
        self._server.api = api
        self._server.admin = admin
        self._server.options = options
        self.port: int = self._server.server_address[1]
        self._thread: threading.Thread | None = None

    def use_tls(self, cert_path, key_path) -> None:
        """Wrap the listening socket; each connection's handshake runs in its handler thread."""
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(cert_path, key_path)
        self._server.socket = context.wrap_socket(self._server.socket, server_side=True, do_handshake_on_connect=False)

    def serve(self) -> None:
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={'poll_interval': 0.1}, name=f'aicc-sim-{self.port}', daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        """Stop serving, then drop open connections and close the socket."""
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
