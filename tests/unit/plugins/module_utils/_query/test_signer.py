# Copyright (c) 2026 aicc.cms contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""auth-v2 signer: the reference test vector, percent-encoding properties, clock handling."""

from __future__ import annotations

import datetime
import re
import urllib.parse

import pytest
from ansible_collections.aicc.cms.plugins.module_utils._query.signer import (
    canonical_request,
    format_timestamp,
    normalize,
    sign,
)
from hypothesis import given
from hypothesis import strategies as st

PATH = '/rest/cmsapp/v1/openapi/uap/queryterminalstatus'
VECTOR_BODY = '{"EID":"8888*","limit":100,"offset":0,"ccId":1}'
VECTOR_TIME = datetime.datetime(2024, 1, 1, tzinfo=datetime.UTC)
VECTOR_AUTHORIZATION = (
    'auth-v2/globalaktest/2024-01-01T00:00:00Z/host/0b00d10149a0ff7fdd586337edc269005592b8f9fb559e5be7e229c3debcc243'
)


@pytest.mark.parametrize('body', [VECTOR_BODY, VECTOR_BODY.encode('utf-8')])
def test_reference_vector(body):
    assert (
        sign('globalaktest', 'example-secret-key', 'POST', PATH, '10.22.26.181:28080', body, now=VECTOR_TIME)
        == VECTOR_AUTHORIZATION
    )


def test_method_is_upper_cased_and_time_converted_to_utc():
    same_instant = VECTOR_TIME.astimezone(datetime.timezone(datetime.timedelta(hours=8)))
    assert (
        sign('globalaktest', 'example-secret-key', 'post', PATH, '10.22.26.181:28080', VECTOR_BODY, now=same_instant)
        == VECTOR_AUTHORIZATION
    )


def test_canonical_request_layout():
    assert canonical_request('POST', PATH, '10.22.26.181:28080', '{"a":1}') == (
        'POST\n' + PATH + '\nhost\nhost:10.22.26.181%3A28080\n%7B%22a%22%3A1%7D'
    )
    # Empty body: no trailing line; query parameters: one sorted line after the path.
    assert canonical_request('POST', PATH, 'h', '') == 'POST\n' + PATH + '\nhost\nhost:h'
    assert canonical_request('GET', '/p', 'h', query={'b': 'x y', 'a': '1'}) == 'GET\n/p\na=1&b=x%20y\nhost\nhost:h'


def test_secret_key_never_in_header():
    secret = 'globalaktest-secret'
    header = sign('globalaktest', secret, 'POST', PATH, 'h:1', VECTOR_BODY, now=VECTOR_TIME)
    assert secret not in header
    assert re.fullmatch(r'auth-v2/globalaktest/2024-01-01T00:00:00Z/host/[0-9a-f]{64}', header)


def test_fresh_timestamp_changes_signature():
    later = VECTOR_TIME + datetime.timedelta(seconds=1)
    header = sign('globalaktest', 'example-secret-key', 'POST', PATH, '10.22.26.181:28080', VECTOR_BODY, now=later)
    assert '2024-01-01T00:00:01Z' in header and header != VECTOR_AUTHORIZATION


def test_default_clock_is_current_utc():
    stamp = format_timestamp()
    parsed = datetime.datetime.strptime(stamp, '%Y-%m-%dT%H:%M:%SZ').replace(tzinfo=datetime.UTC)
    assert abs((datetime.datetime.now(datetime.UTC) - parsed).total_seconds()) < 3600


def test_naive_time_refused():
    with pytest.raises(ValueError, match='timezone-aware'):
        format_timestamp(datetime.datetime(2024, 1, 1))


@pytest.mark.parametrize(
    'text, encoded',
    [
        ('{', '%7B'),
        ('"', '%22'),
        (':', '%3A'),
        ('*', '%2A'),
        (' ', '%20'),
        ('~', '~'),
        ('-._', '-._'),
        ('é', '%C3%A9'),
        ('Az09', 'Az09'),
        ('/', '%2F'),
        ('', ''),
    ],
)
def test_normalize_examples(text, encoded):
    assert normalize(text) == encoded


@given(st.text())
def test_normalize_matches_independent_oracle(text):
    encoded = normalize(text)
    assert encoded == urllib.parse.quote(text, safe='-._~')
    assert re.fullmatch(r'(?:[A-Za-z0-9\-._~]|%[0-9A-F]{2})*', encoded)
    assert urllib.parse.unquote(encoded, errors='strict') == text
