# Copyright (c) 2026 aicc.cms contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""C2 "auth-v2" AK/SK request signature of the AICC monitoring interfaces (pure functions)."""

from __future__ import annotations

import datetime
import hashlib
import hmac

SIGNED_HEADERS = 'host'
_UNRESERVED = frozenset(b'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~')
_ENCODED_BYTE = tuple(chr(byte) if byte in _UNRESERVED else f'%{byte:02X}' for byte in range(256))


def normalize(text: str) -> str:
    """Percent-encode every UTF-8 byte of ``text`` except ``A-Z a-z 0-9 - . _ ~`` (upper-case hex)."""
    return ''.join(_ENCODED_BYTE[byte] for byte in text.encode('utf-8'))


def format_timestamp(now: datetime.datetime | None = None) -> str:
    """Return ``now`` (default: the current time) in UTC as ``yyyy-MM-ddTHH:mm:ssZ``."""
    if now is None:
        now = datetime.datetime.now(datetime.timezone.utc)
    elif now.tzinfo is None or now.utcoffset() is None:
        raise ValueError('the signing time must be a timezone-aware datetime')
    return now.astimezone(datetime.timezone.utc).strftime('%Y-%m-%dT%H:%M:%SZ')


def _hmac_hex(key: str, message: str) -> str:
    return hmac.new(key.encode('utf-8'), message.encode('utf-8'), hashlib.sha256).hexdigest()


def canonical_request(method: str, path: str, host: str, body: str | bytes = '', query: dict | None = None) -> str:
    """Return the canonical request string that auth-v2 signs."""
    if isinstance(body, bytes):
        body = body.decode('utf-8')
    parts = [method.upper(), path]
    if query:
        parts.append('&'.join(sorted(f'{normalize(str(key))}={normalize(str(value))}' for key, value in query.items())))
    parts.append(SIGNED_HEADERS)
    parts.append(f'{normalize("host")}:{normalize(host)}')
    if body:
        parts.append(normalize(body))
    return '\n'.join(parts)


def sign(
    access_key: str,
    secret_key: str,
    method: str,
    path: str,
    host: str,
    body: str | bytes = '',
    query: dict | None = None,
    now: datetime.datetime | None = None,
) -> str:
    """Return the Authorization header value ``auth-v2/{AK}/{timestamp}/host/{signature}``.

    ``body`` is the exact JSON text sent (``str`` or UTF-8 ``bytes``); ``now`` is an aware datetime.
    """
    auth_string_prefix = f'auth-v2/{access_key}/{format_timestamp(now)}/{SIGNED_HEADERS}'
    signing_key = _hmac_hex(secret_key, auth_string_prefix)
    signature = _hmac_hex(signing_key, canonical_request(method, path, host, body, query))
    return f'{auth_string_prefix}/{signature}'
