# Copyright (c) 2026 aicc.cms contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""A minimal keep-alive client for the simulator's own tests and the throughput script.

Deliberately not the collection's client: the simulator must be checkable on its own.
"""

from __future__ import annotations

import http.client
import json
import ssl
from urllib.parse import urlsplit

from . import signing
from .api import API_PATH


class RawClient:
    """Signs and posts bodies over one keep-alive connection; returns (status, headers, body text)."""

    def __init__(
        self, url: str, access_key: str, secret_key: str, ca_path: str | None = None, timeout: float = 10.0
    ) -> None:
        parts = urlsplit(url)
        self.host = parts.netloc
        self.access_key = access_key
        self.secret_key = secret_key
        if parts.scheme == 'https':
            context = ssl.create_default_context(cafile=ca_path)
            self.connection = http.client.HTTPSConnection(parts.hostname, parts.port, timeout=timeout, context=context)
        else:
            self.connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)

    @classmethod
    def for_simulator(cls, sim, **kwargs) -> RawClient:
        return cls(sim.url, sim.access_key, sim.secret_key, sim.ca_path, **kwargs)

    def post(
        self, body, headers: dict | None = None, authorization: str | None = None, path: str = API_PATH, now=None
    ) -> tuple[int, dict, str]:
        data = (
            body if isinstance(body, bytes) else (body if isinstance(body, str) else json.dumps(body)).encode('utf-8')
        )
        all_headers = {'Content-Type': 'application/json;charset=UTF-8', 'Host': self.host}
        all_headers.update(headers or {})
        if authorization is None:
            path_only, _sep, query = path.partition('?')
            authorization = signing.authorization(
                self.access_key, self.secret_key, 'POST', path_only, all_headers['Host'], data, query, now=now
            )
        all_headers['Authorization'] = authorization
        self.connection.request('POST', path, body=data, headers=all_headers)
        response = self.connection.getresponse()
        text = response.read().decode('utf-8', errors='replace')
        return response.status, dict(response.getheaders()), text

    def query(self, body) -> dict:
        """Post and decode a JSON answer (raises on a non-200 or non-JSON answer)."""
        status, _headers, text = self.post(body)
        if status != 200:
            raise AssertionError(f'HTTP {status}: {text[:200]}')
        return json.loads(text)

    def close(self) -> None:
        self.connection.close()

    def __enter__(self) -> RawClient:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()
