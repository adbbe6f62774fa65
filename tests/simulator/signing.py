# Copyright (c) 2026 aicc.cms contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""C2 "auth-v2" signing as the server sees it.

Written from ``c2-signing.md`` independently of the collection's ``_signer.py`` on purpose:
the simulator and the collection check each other.
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import re
from urllib.parse import parse_qsl

SIGNED_HEADERS = 'host'
TIMESTAMP_FORMAT = '%Y-%m-%dT%H:%M:%SZ'
_UNRESERVED = frozenset(b'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~')
_BYTE_TEXT = tuple(chr(byte) if byte in _UNRESERVED else f'%{byte:02X}' for byte in range(256))
_TIMESTAMP_PATTERN = re.compile(r'\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z')
_SIGNATURE_PATTERN = re.compile(r'[0-9a-f]{64}')


class AuthFailure(Exception):
    """Authentication failed; ``reason`` is a short machine-readable word for the stats."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


def percent_encode(text: str | bytes) -> str:
    """Percent-encode every UTF-8 byte except ``A-Z a-z 0-9 - . _ ~`` (upper-case hex)."""
    data = text.encode('utf-8') if isinstance(text, str) else text
    return ''.join([_BYTE_TEXT[byte] for byte in data])


def _hmac_hex(key: str, message: str) -> str:
    return hmac.new(key.encode('utf-8'), message.encode('utf-8'), hashlib.sha256).hexdigest()


def canonical_request(method: str, path: str, host: str, body: str | bytes, query: str = '') -> str:
    """The string that is signed: method, path, [query], signed headers, host header, [body]."""
    parts = [method.upper(), path]
    if query:
        pairs = parse_qsl(query, keep_blank_values=True)
        parts.append('&'.join(sorted(percent_encode(key) + '=' + percent_encode(value) for key, value in pairs)))
    parts.append(SIGNED_HEADERS)
    parts.append('host:' + percent_encode(host))
    if body:
        parts.append(percent_encode(body))
    return '\n'.join(parts)


def signature(
    secret_key: str,
    access_key: str,
    timestamp: str,
    method: str,
    path: str,
    host: str,
    body: str | bytes,
    query: str = '',
) -> str:
    prefix = f'auth-v2/{access_key}/{timestamp}/{SIGNED_HEADERS}'
    signing_key = _hmac_hex(secret_key, prefix)
    return _hmac_hex(signing_key, canonical_request(method, path, host, body, query))


def format_timestamp(moment: datetime.datetime) -> str:
    return moment.astimezone(datetime.UTC).strftime(TIMESTAMP_FORMAT)


def authorization(
    access_key: str,
    secret_key: str,
    method: str,
    path: str,
    host: str,
    body: str | bytes,
    query: str = '',
    now: datetime.datetime | None = None,
) -> str:
    """The Authorization header value a client sends (used by the simulator's own tests and tools)."""
    timestamp = format_timestamp(now or datetime.datetime.now(datetime.UTC))
    signed = signature(secret_key, access_key, timestamp, method, path, host, body, query)
    return f'auth-v2/{access_key}/{timestamp}/{SIGNED_HEADERS}/{signed}'


def verify(
    header: str | None,
    *,
    access_key: str,
    secret_key: str,
    method: str,
    path: str,
    host: str,
    body: bytes,
    query: str,
    now: datetime.datetime,
    skew_seconds: float,
) -> None:
    """Raise AuthFailure unless ``header`` is a valid auth-v2 value for this request."""
    if not header:
        raise AuthFailure('missing', 'The Authorization header is missing.')
    parts = header.split('/')
    if len(parts) != 5 or parts[0] != 'auth-v2' or parts[3] != SIGNED_HEADERS:
        raise AuthFailure('malformed', 'The Authorization header is not auth-v2/{AK}/{timestamp}/host/{signature}.')
    given_access_key, timestamp, given_signature = parts[1], parts[2], parts[4]
    if not _TIMESTAMP_PATTERN.fullmatch(timestamp) or not _SIGNATURE_PATTERN.fullmatch(given_signature):
        raise AuthFailure('malformed', 'The Authorization header has a malformed timestamp or signature.')
    try:
        signed_at = datetime.datetime.strptime(timestamp, TIMESTAMP_FORMAT).replace(tzinfo=datetime.UTC)
    except ValueError:
        raise AuthFailure('malformed', 'The Authorization timestamp is not a valid date.') from None
    if not hmac.compare_digest(given_access_key.encode('utf-8'), access_key.encode('utf-8')):
        raise AuthFailure('access_key', 'The access key is unknown.')
    if abs((now - signed_at).total_seconds()) > skew_seconds:
        raise AuthFailure('clock_skew', 'The request timestamp is outside the allowed clock skew.')
    expected = signature(secret_key, given_access_key, timestamp, method, path, host, body, query)
    if not hmac.compare_digest(expected, given_signature):
        raise AuthFailure('signature', 'The signature does not match the request.')
