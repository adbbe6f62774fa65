# Copyright (c) 2026 aicc.cms contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""auth-v2 verification: the shared test vector, acceptance over HTTPS and every rejection."""

from __future__ import annotations

import datetime
import http.client
import json
import ssl

import pytest
from simulator import API_PATH, signing

UTC = datetime.UTC
VECTOR = {
    'access_key': 'globalaktest',
    'secret_key': 'example-secret-key',
    'host': '10.22.26.181:28080',
    'body': '{"EID":"8888*","limit":100,"offset":0,"ccId":1}',
}
VECTOR_TIME = datetime.datetime(2024, 1, 1, tzinfo=UTC)
VECTOR_AUTHORIZATION = (
    'auth-v2/globalaktest/2024-01-01T00:00:00Z/host/0b00d10149a0ff7fdd586337edc269005592b8f9fb559e5be7e229c3debcc243'
)


def test_shared_vector_authorization():
    assert (
        signing.authorization(
            VECTOR['access_key'],
            VECTOR['secret_key'],
            'POST',
            API_PATH,
            VECTOR['host'],
            VECTOR['body'],
            now=VECTOR_TIME,
        )
        == VECTOR_AUTHORIZATION
    )


def test_shared_vector_verifies():
    signing.verify(
        VECTOR_AUTHORIZATION,
        access_key='globalaktest',
        secret_key='example-secret-key',
        method='POST',
        path=API_PATH,
        host=VECTOR['host'],
        body=VECTOR['body'].encode(),
        query='',
        now=VECTOR_TIME + datetime.timedelta(minutes=14),
        skew_seconds=900,
    )


@pytest.mark.parametrize(
    'text, expected',
    [
        ('AZaz09-._~', 'AZaz09-._~'),
        ('{"EID":"8888*"}', '%7B%22EID%22%3A%228888%2A%22%7D'),
        ('a b/c', 'a%20b%2Fc'),
        ('é', '%C3%A9'),
        ('10.22.26.181:28080', '10.22.26.181%3A28080'),
    ],
)
def test_percent_encode(text, expected):
    assert signing.percent_encode(text) == expected


def test_canonical_request_with_query_sorts_pairs():
    canonical = signing.canonical_request('post', '/p', 'h:1', '', 'b=2&a=1')
    assert canonical == 'POST\n/p\na=1&b=2\nhost\nhost:h%3A1'


def _vector_sim(make_sim, minutes_after: float):
    return make_sim(
        access_key=VECTOR['access_key'],
        secret_key=VECTOR['secret_key'],
        ranges=('88880000-88880009',),
        clock=lambda: VECTOR_TIME + datetime.timedelta(minutes=minutes_after),
    )


def _post(sim, authorization, body=VECTOR['body'], host=None):
    connection = http.client.HTTPSConnection(
        '127.0.0.1', sim.port, timeout=10, context=ssl.create_default_context(cafile=sim.ca_path)
    )
    headers = {'Content-Type': 'application/json;charset=UTF-8', 'Host': host or f'127.0.0.1:{sim.port}'}
    if authorization is not None:
        headers['Authorization'] = authorization
    connection.request('POST', API_PATH, body=body.encode(), headers=headers)
    response = connection.getresponse()
    answer = response.status, json.loads(response.read())
    connection.close()
    return answer


def _sign(sim, access_key=VECTOR['access_key'], secret_key=VECTOR['secret_key'], body=VECTOR['body'], host=None):
    return signing.authorization(
        access_key, secret_key, 'POST', API_PATH, host or f'127.0.0.1:{sim.port}', body, now=VECTOR_TIME
    )


def test_vector_keys_and_time_accepted_over_https(make_sim):
    sim = _vector_sim(make_sim, minutes_after=15)
    status, answer = _post(sim, _sign(sim))
    assert status == 200
    assert answer['resultCode'] == '0100000'
    assert answer['resultDesc']['count'] == 10
    assert sim.stats()['unauthorized'] == 0


def _bad_signature(sim):
    return _sign(sim, secret_key='wrong-secret')


def _tampered_body(sim):
    return _sign(sim, body=VECTOR['body'].replace('8888*', '88880001'))


@pytest.mark.parametrize(
    'make_header, reason',
    [
        (lambda sim: None, 'missing'),
        (lambda sim: 'Bearer abc', 'malformed'),
        (lambda sim: _sign(sim).replace('auth-v2/', 'auth-v1/'), 'malformed'),
        (lambda sim: _sign(sim).replace('/host/', '/host;date/'), 'malformed'),
        (lambda sim: _sign(sim)[:-1], 'malformed'),
        (lambda sim: _sign(sim).replace('2024-01-01T00:00:00Z', '2024-01-01 00:00:00'), 'malformed'),
        (lambda sim: _sign(sim).replace('2024-01-01T00:00:00Z', '2024-13-01T00:00:00Z'), 'malformed'),
        (lambda sim: _sign(sim, access_key='someone-else'), 'access_key'),
        (_bad_signature, 'signature'),
        (_tampered_body, 'signature'),
    ],
)
def test_rejections_answer_401(make_sim, make_header, reason):
    sim = _vector_sim(make_sim, minutes_after=1)
    status, answer = _post(sim, make_header(sim))
    assert status == 401
    assert answer['resultCode'] == '0100001'
    assert isinstance(answer['resultDesc'], str)
    assert VECTOR['secret_key'] not in json.dumps(answer)
    stats = sim.stats()
    assert stats['unauthorized'] == 1
    assert stats['unauthorized_by_reason'] == {reason: 1}
    assert stats['by_status'] == {'401': 1}


@pytest.mark.parametrize(
    'minutes_after, accepted', [(-15, True), (15, True), (-15.1, False), (15.1, False), (600, False)]
)
def test_clock_skew_window(make_sim, minutes_after, accepted):
    sim = _vector_sim(make_sim, minutes_after=minutes_after)
    status, _answer = _post(sim, _sign(sim))
    assert status == (200 if accepted else 401)
    assert sim.stats()['unauthorized_by_reason'] == ({} if accepted else {'clock_skew': 1})


def test_host_header_must_be_this_server(make_sim):
    sim = _vector_sim(make_sim, minutes_after=0)
    # Correctly signed for the host it claims, but that host is not this server.
    status, _answer = _post(sim, _sign(sim, host=VECTOR['host']), host=VECTOR['host'])
    assert status == 401
    assert sim.stats()['unauthorized_by_reason'] == {'host': 1}


def test_signed_host_must_equal_sent_host(make_sim):
    sim = _vector_sim(make_sim, minutes_after=0)
    status, _answer = _post(sim, _sign(sim, host=f'localhost:{sim.port}'))
    assert status == 401
    assert sim.stats()['unauthorized_by_reason'] == {'signature': 1}


def test_localhost_host_accepted(make_sim):
    sim = _vector_sim(make_sim, minutes_after=0)
    host = f'localhost:{sim.port}'
    status, _answer = _post(sim, _sign(sim, host=host), host=host)
    assert status == 200
