# Copyright (c) 2026 aicc.cms contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""CmsClient against scripted HTTP exchanges: signing, paging, retries, errors, concurrency."""

from __future__ import annotations

import socket
import threading
import warnings

import pytest
import requests
from ansible_collections.aicc.cms.plugins.module_utils._errors import (
    ApiError,
    AuthenticationError,
    ConnectionFailedError,
    NoResponseError,
    OptionError,
    ResultCodeError,
    TlsError,
    UnexpectedResponseError,
)
from ansible_collections.aicc.cms.plugins.module_utils._query.client import API_PATH, CmsClient, parse_endpoint
from urllib3.exceptions import InsecureRequestWarning

from ...scripted_cms import (
    ACCESS_KEY,
    JSON_TYPE,
    SECRET_KEY,
    URL,
    Exchanges,
    TerminalTable,
    scripted,
    success,
    terminal_row,
)

ADDRESS = '10.1.1.1:28443'


def table(number: int, uaps=('10.9.0.1#1',), start: int = 88880000) -> dict:
    return {str(start + n): [(uap, 'registered' if n % 3 else 'not register') for uap in uaps] for n in range(number)}


def answer(rows_by_uap=None, count=None):
    return 200, JSON_TYPE, success(rows_by_uap or {}, count)


# -- url and options -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    'url, path, host, address',
    [
        ('https://10.1.1.1:28443', API_PATH, '10.1.1.1:28443', '10.1.1.1:28443'),
        (' https://cms.example/ ', API_PATH, 'cms.example', 'cms.example:443'),
        ('http://cms.example:80', API_PATH, 'cms.example:80', 'cms.example:80'),
        ('http://cms.example', API_PATH, 'cms.example', 'cms.example:80'),
        ('https://[fe80::1]:28443/nslb/cms/', '/nslb/cms' + API_PATH, '[fe80::1]:28443', '[fe80::1]:28443'),
    ],
)
def test_endpoint(url, path, host, address):
    endpoint = parse_endpoint(url)
    assert (endpoint.path, endpoint.host, endpoint.address) == (path, host, address)
    assert endpoint.url.endswith(host + path)


@pytest.mark.parametrize(
    'url, fragment',
    [
        ('ftp://10.1.1.1', 'must start with https://'),
        ('10.1.1.1:28443', 'must start with https://'),
        ('https://', 'has no host'),
        ('https://h:28443?x=1', 'must not have a query'),
        ('https://h#top', 'must not have a query'),
        ('https://u:p@h', 'must not carry credentials'),
        ('https://h:99999', 'is not a valid URL'),
        ('https://h/a b', 'base path'),
        ('', 'must be the address'),
        (None, 'must be the address'),
    ],
)
def test_bad_url(url, fragment):
    with pytest.raises(OptionError, match=fragment):
        CmsClient(url, ACCESS_KEY, SECRET_KEY)


@pytest.mark.parametrize(
    'options, fragment',
    [
        ({'max_concurrency': 11}, 'max_concurrency must be an integer between 1 and 10'),
        ({'max_concurrency': 0}, 'max_concurrency'),
        ({'retries': -1}, 'retries'),
        ({'page_size': 0}, 'page_size'),
        ({'timeout': 0}, 'timeout'),
        ({'timeout': 'x'}, 'timeout'),
        ({'cc_id': 'one'}, 'cc_id'),
        ({'cc_id': True}, 'cc_id'),
        ({'ca_path': '/nonexistent/ca.pem'}, 'ca_path'),
    ],
)
def test_bad_options(options, fragment):
    with pytest.raises(OptionError, match=fragment):
        CmsClient(URL, ACCESS_KEY, SECRET_KEY, **options)


@pytest.mark.parametrize(
    'access_key, secret_key, fragment',
    [
        ('', SECRET_KEY, 'access_key'),
        ('a k', SECRET_KEY, 'access_key'),
        ('ключ', SECRET_KEY, 'access_key'),
        (ACCESS_KEY, '', 'secret_key'),
        (ACCESS_KEY, None, 'secret_key'),
    ],
)
def test_bad_keys(access_key, secret_key, fragment):
    with pytest.raises(OptionError, match=fragment) as caught:
        CmsClient(URL, access_key, secret_key)
    assert SECRET_KEY not in str(caught.value)


def answers_in_order(client, eids):
    """fetch_each's answers (rows or ApiError) in the order of ``eids``, each exactly once."""
    answers = dict(client.fetch_each(eids))
    assert sorted(answers) == list(range(len(eids)))
    return [answers[index] for index in range(len(eids))]


def test_unset_options_take_defaults():
    with CmsClient(
        URL, ACCESS_KEY, SECRET_KEY, timeout=None, retries=None, max_concurrency=None, page_size=None
    ) as client:
        assert (client.timeout, client.retries, client.max_concurrency, client.page_size) == (30.0, 3, 5, 100)


def test_cc_id_body_ipv6_host_and_base_path(make_client):
    client, fake, _sleeps = make_client(
        TerminalTable(table(3)),
        url='https://[fe80::1]:28443/nslb',
        host='[fe80::1]:28443',
        path='/nslb' + API_PATH,
        cc_id='7',
    )
    rows = client.fetch('8888000?')
    assert len(rows) == 3
    assert fake.calls[0] == {'EID': '8888000?', 'limit': 100, 'offset': 0, 'ccId': 7}
    assert all(call['ccId'] == 7 for call in fake.calls)


def test_verify_settings(make_client, tmp_path, monkeypatch):
    monkeypatch.delenv('REQUESTS_CA_BUNDLE', raising=False)
    monkeypatch.delenv('CURL_CA_BUNDLE', raising=False)
    ca_file = tmp_path / 'ca.pem'
    ca_file.write_text('not read by the fake transport')
    client, fake, _sleeps = make_client(TerminalTable({}), ca_path=str(ca_file), validate_certs=False)
    client.fetch('1')
    assert fake.verify_seen == [str(ca_file)] and client.warnings == []
    client, fake, _sleeps = make_client(TerminalTable({}))
    client.fetch('1')
    assert fake.verify_seen == [True]


def test_environment_read_once_still_applies(make_client, tmp_path, monkeypatch):
    """Proxy and CA bundle variables are resolved at construction, as requests would on each request."""
    bundle = tmp_path / 'bundle.pem'
    bundle.write_text('not read by the fake transport')
    for name in ('NO_PROXY', 'no_proxy', 'ALL_PROXY', 'all_proxy', 'HTTP_PROXY', 'http_proxy', 'CURL_CA_BUNDLE'):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv('HTTPS_PROXY', 'http://proxy.example:3128')
    monkeypatch.setenv('REQUESTS_CA_BUNDLE', str(bundle))
    client, fake, _sleeps = make_client(TerminalTable({}))
    client.fetch('1')
    client.fetch('2')
    assert fake.proxies_seen == [{'https': 'http://proxy.example:3128'}] * 2
    assert fake.verify_seen == [str(bundle)] * 2
    monkeypatch.setenv('NO_PROXY', '10.1.1.1')
    client, fake, _sleeps = make_client(TerminalTable({}), validate_certs=False)
    client.fetch('1')
    assert fake.proxies_seen == [{}] and fake.verify_seen == [False]


def test_validate_certs_false_warns_once_and_silences_only_this_host(make_client):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter('always')
        client, fake, _sleeps = make_client(TerminalTable({}), validate_certs=False)
        client.fetch('1')
        warnings.warn(
            InsecureRequestWarning("Unverified HTTPS request is being made to host '10.1.1.1'. Adding"), stacklevel=1
        )
        warnings.warn(
            InsecureRequestWarning("Unverified HTTPS request is being made to host '10.1.1.2'. Adding"), stacklevel=1
        )
    assert fake.verify_seen == [False]
    assert client.warnings == [
        'the TLS certificate of 10.1.1.1:28443 is not verified (validate_certs=false): set ca_path to verify it'
    ]
    assert [str(w.message).split("'")[1] for w in caught] == ['10.1.1.2']


def test_context_manager_closes_session(monkeypatch):
    closed = []
    with CmsClient(URL, ACCESS_KEY, SECRET_KEY) as client:
        monkeypatch.setattr(client.session, 'close', lambda: closed.append(True))
        assert client.requests_sent == 0
    assert closed == [True]


# -- paging ----------------------------------------------------------------------------------------------------------
# What to ask is the pager's (test_pager.py holds the readings); these check the client sends just that.


def offsets(fake):
    return [call['offset'] for call in fake.calls]


def test_the_client_asks_what_the_pager_says(make_client):
    client, fake, _sleeps = make_client(TerminalTable(table(250)))
    rows = client.fetch('8888????')
    assert sorted(row.equipment_id for row in rows) == sorted(table(250))
    # offset 1 tells offset-in-items from offset-in-pages (its page ends at 101); then pages of 100 IDs to the short one
    assert offsets(fake) == [0, 1, 101, 201]
    assert all(call['limit'] == 100 for call in fake.calls)
    assert client.requests_sent == 4


def test_a_later_query_needs_no_confirmation_once_the_paging_is_proven(make_client):
    client, fake, _sleeps = make_client(TerminalTable(table(250, start=88880000) | table(250, start=88890000)))
    client.fetch('8888????')
    first = len(fake.calls)
    client.fetch('8889????')
    assert offsets(fake)[first:] == [0, 100, 200]


@pytest.mark.parametrize(
    'paging, count, order',
    [
        ('ids', 'ids', 'id'),
        ('rows', 'ids', 'uap'),
        ('rows', 'rows', 'uap'),
        ('ids', 'missing', 'id'),
        ('rows', 'string', 'id'),
    ],
)
@pytest.mark.parametrize('max_limit', [None, 50])
def test_pool_mode_keeps_every_uap_row(make_client, paging, count, order, max_limit):
    terminals = table(150, uaps=('10.9.0.1#1', '10.9.0.2#2'))
    client, _fake, _sleeps = make_client(
        TerminalTable(terminals, paging=paging, count=count, order=order, max_limit=max_limit)
    )
    rows = client.fetch('8888????')
    assert {(row.uap, row.equipment_id) for row in rows} == {
        (uap, eid) for eid, uaps in terminals.items() for uap, _status in uaps
    }


def test_a_server_ignoring_offset_fails_the_query(make_client):
    client, fake, _sleeps = make_client(
        lambda body, index: answer({'u#1': [terminal_row(str(88880000 + n)) for n in range(100)]}, count=1000)
    )
    with pytest.raises(UnexpectedResponseError, match='with the same rows as offset 0: it ignores offset'):
        client.fetch('8888????')
    assert offsets(fake) == [0, 1]


def test_a_server_inventing_ids_is_stopped_by_what_the_query_can_match(make_client):
    def endless(body, _index):
        # new IDs at every offset, however far: more than an EID with two '?' can match
        return answer({'u#1': [terminal_row(f'1{body["offset"] + n}') for n in range(10)]})

    client, fake, _sleeps = make_client(endless, page_size=10)
    with pytest.raises(
        UnexpectedResponseError, match=r'^EID 1\?\? brought \d+ distinct equipment IDs, more than the 100 it can match'
    ):
        client.fetch('1??')
    assert len(fake.calls) <= 12


def test_page_size_and_string_limits(make_client):
    client, fake, _sleeps = make_client(TerminalTable(table(25)), page_size='10')
    assert len(client.fetch('8888????')) == 25
    assert [(c['limit'], c['offset']) for c in fake.calls] == [(10, 0), (10, 1), (10, 11), (10, 21)]


def test_strings_for_a_server_refusing_integer_limits_remembered_for_the_run(make_client):
    table_answer = TerminalTable(table(30))

    def strings_only(body, index):
        if not isinstance(body['limit'], str):
            return 200, JSON_TYPE, {'resultCode': '0100002', 'resultDesc': 'limit must be a string'}
        return table_answer(dict(body, limit=int(body['limit']), offset=int(body['offset'])), index)

    client, fake, _sleeps = make_client(strings_only)
    assert len(client.fetch('8888????')) == 30
    assert len(client.fetch('8888000?')) == 10
    assert [(type(call['limit']).__name__, call['offset']) for call in fake.calls] == [
        ('int', 0),
        ('str', '0'),
        ('str', '1'),
        ('str', '0'),
    ]


def test_both_parameter_types_refused_is_the_first_answer(make_client):
    refused = (200, JSON_TYPE, {'resultCode': '0100002', 'resultDesc': 'EID is invalid'})
    client, fake, _sleeps = make_client(scripted(refused))
    with pytest.raises(ResultCodeError, match=r'^CC-CMS returned 0100002 \(invalid parameters\): EID is invalid$'):
        client.fetch('1')
    assert [type(call['limit']).__name__ for call in fake.calls] == ['int', 'str']


def test_no_match_code_is_an_empty_answer(make_client):
    client, fake, _sleeps = make_client(
        scripted((200, JSON_TYPE, {'resultCode': '0101002', 'resultDesc': 'no such number'}))
    )
    assert client.fetch('88880001') == []
    assert len(fake.calls) == 1


def test_trace_records_every_exchange_without_headers(make_client):
    client, _fake, _sleeps = make_client(scripted(SERVICE_UNAVAILABLE, GOOD, answer()), trace=True)
    client.fetch('1')
    assert [{key: value for key, value in exchange.items() if key != 'duration'} for exchange in client.trace] == [
        {'eid': '1', 'limit': 100, 'offset': 0, 'status': 503, 'result_code': None, 'rows': None, 'count': None},
        {'eid': '1', 'limit': 100, 'offset': 0, 'status': 200, 'result_code': '0100000', 'rows': 1, 'count': 1},
        {'eid': '1', 'limit': 100, 'offset': 1, 'status': 200, 'result_code': '0100000', 'rows': 0, 'count': None},
    ]
    assert all(isinstance(exchange['duration'], float) for exchange in client.trace)
    assert ACCESS_KEY not in repr(client.trace) and SECRET_KEY not in repr(client.trace)


# -- retries ---------------------------------------------------------------------------------------------------------


SERVICE_UNAVAILABLE = (503, {'Content-Type': 'text/html'}, '<html><body>Service Unavailable</body></html>')
GOOD = answer({'u#1': [terminal_row('1')]}, count=1)


def test_retry_with_backoff_and_fresh_signature(make_client):
    unavailable = {
        'status': 503,
        'headers': {'Content-Type': 'text/html'},
        'payload': '<html>Service Unavailable</html>',
    }
    exchanges = (
        Exchanges()
        .expect('1', limit=100)
        .answer(**unavailable)
        .expect('1', limit=100)
        .answer(**unavailable)
        .expect('1', limit=100)
        .answer(status=500, headers={}, payload='')
        .expect('1', limit=100)
        .answer(success({'u#1': [terminal_row('1')]}, 1))
        .expect('1', offset=1, limit=100)
        .answer(success({}, None))  # the pager confirms the short page
    )
    client, fake, sleeps = make_client(exchanges)
    assert [row.equipment_id for row in client.fetch('1')] == ['1']
    exchanges.done()
    assert client.requests_sent == 5  # four attempts at offset 0, then the pager's confirmation of the short page
    assert len(set(fake.authorizations)) == 5
    assert len({auth.split('/')[2] for auth in fake.authorizations}) == 5  # five timestamps
    # urllib3's backoff: the first retry goes at once, then factor * 2**(n-1) plus jitter.
    assert len(sleeps.delays) == 2
    assert 1.0 <= sleeps.delays[0] <= 1.5 and 2.0 <= sleeps.delays[1] <= 2.5


def test_backoff_is_capped(make_client):
    client, _fake, sleeps = make_client(scripted(SERVICE_UNAVAILABLE), retries=10)
    with pytest.raises(UnexpectedResponseError):
        client.fetch('1')
    assert len(sleeps.delays) == 9 and max(sleeps.delays) == 10.0


@pytest.mark.parametrize('retry_after, delay', [('7', 7), ('100000', 60)])
def test_retry_after_honoured(make_client, retry_after, delay):
    too_many = (429, {'Retry-After': retry_after, 'Content-Type': 'application/json'}, '{}')
    client, _fake, sleeps = make_client(scripted(too_many, GOOD, answer()))
    assert len(client.fetch('1')) == 1
    assert sleeps.delays == [delay]


def test_retries_exhausted(make_client):
    client, fake, sleeps = make_client(scripted(SERVICE_UNAVAILABLE), retries=2)
    with pytest.raises(UnexpectedResponseError) as caught:
        client.fetch('1')
    assert (
        str(caught.value)
        == f'unexpected response from {API_PATH}: HTTP 503 text/html: <html><body>Service Unavailable</body></html>'
        ' (after 3 attempts)'
    )
    assert len(fake.calls) == 3 and len(sleeps.delays) == 1


def test_no_retry_means_one_attempt(make_client):
    client, fake, sleeps = make_client(scripted(SERVICE_UNAVAILABLE), retries=0)
    with pytest.raises(
        UnexpectedResponseError, match=r'HTTP 503 text/html: <html><body>Service Unavailable</body></html>$'
    ):
        client.fetch('1')
    assert len(fake.calls) == 1 and sleeps.delays == []


def test_truncated_json_is_retried(make_client):
    client, fake, _sleeps = make_client(
        scripted((200, JSON_TYPE, '{"resultCode": "0100000", "resultD'), GOOD, answer())
    )
    assert len(client.fetch('1')) == 1 and len(fake.calls) == 3  # the retry, then the confirmation


def test_html_page_with_200(make_client):
    page = '<html><head><title>Gateway</title></head><body>' + 'x' * 200 + '</body></html>'
    client, fake, _sleeps = make_client(scripted((200, {'Content-Type': 'text/html; charset=utf-8'}, page)), retries=1)
    with pytest.raises(UnexpectedResponseError) as caught:
        client.fetch('1')
    assert (
        str(caught.value) == f'unexpected response from {API_PATH}: HTTP 200 text/html: {page[:120]} (after 2 attempts)'
    )
    assert len(fake.calls) == 2


def test_invalid_json_message(make_client):
    client, _fake, _sleeps = make_client(scripted((200, JSON_TYPE, 'nope')), retries=0)
    with pytest.raises(UnexpectedResponseError, match=r'HTTP 200 application/json, not valid JSON: nope$'):
        client.fetch('1')


def test_authorization_echo_is_redacted(make_client):
    def handler(body, index):
        return 502, {}, f'bad gateway for Authorization: {fake.authorizations[index]}'

    client, fake, _sleeps = make_client(handler, retries=0)
    with pytest.raises(UnexpectedResponseError) as caught:
        client.fetch('1')
    assert 'HTTP 502 without content type: bad gateway for Authorization: auth-v2/<redacted>' in str(caught.value)
    assert fake.authorizations[0] not in str(caught.value)


@pytest.mark.parametrize('status', [400, 403, 404, 302])
def test_other_status_not_retried(make_client, status):
    client, fake, _sleeps = make_client(scripted((status, {'Content-Type': 'text/plain'}, 'no')))
    with pytest.raises(UnexpectedResponseError, match=f'HTTP {status} text/plain: no$'):
        client.fetch('1')
    assert len(fake.calls) == 1


def test_401_not_retried(make_client):
    client, fake, _sleeps = make_client(scripted((401, {}, '')))
    with pytest.raises(AuthenticationError) as caught:
        client.fetch('1')
    assert (
        str(caught.value) == 'authentication failed (HTTP 401) at /rest/cmsapp/v1/openapi/uap/queryterminalstatus: '
        'check access key, secret key and the clock of this host'
    )
    assert len(fake.calls) == 1


def test_result_code_not_retried(make_client):
    client, fake, _sleeps = make_client(scripted((200, JSON_TYPE, {'resultCode': '0100001', 'resultDesc': 'UAP busy'})))
    with pytest.raises(ResultCodeError, match=r'^CC-CMS returned 0100001 \(call failed\): UAP busy$'):
        client.fetch('1')
    assert len(fake.calls) == 1


def test_wrong_shape_names_the_path(make_client):
    client, _fake, _sleeps = make_client(scripted((200, JSON_TYPE, {'resultCode': '0100000', 'resultDesc': 'fine'})))
    with pytest.raises(
        UnexpectedResponseError,
        match=f'^unexpected response from {API_PATH}: resultDesc of a successful answer is str',
    ):
        client.fetch('1')


def test_timeout(make_client):
    client, fake, sleeps = make_client(scripted(requests.exceptions.ReadTimeout('read timed out')))
    with pytest.raises(NoResponseError) as caught:
        client.fetch('1')
    assert str(caught.value) == f'no response within 30 s from https://10.1.1.1:28443{API_PATH} after 4 attempts'
    assert len(fake.calls) == 4 and len(sleeps.delays) == 2


def test_timeout_then_answer(make_client):
    client, _fake, _sleeps = make_client(
        scripted(requests.exceptions.ConnectTimeout('connect timed out'), GOOD, answer()), timeout=2.5
    )
    assert len(client.fetch('1')) == 1 and client.requests_sent == 3  # the retry, then the confirmation


def test_timeout_single_attempt_wording(make_client):
    client, _fake, _sleeps = make_client(scripted(requests.exceptions.ReadTimeout('x')), timeout=2.5, retries=0)
    with pytest.raises(NoResponseError, match=r'no response within 2.5 s from .* after 1 attempt$'):
        client.fetch('1')


@pytest.mark.parametrize(
    'error, reason',
    [
        (
            requests.exceptions.ConnectionError(
                "HTTPSConnectionPool(host='10.1.1.1', port=28443): [Errno 111] Connection refused"
            ),
            'connection refused',
        ),
        (requests.exceptions.ConnectionError('Failed to resolve cms.example'), 'host name not resolved'),
        (
            requests.exceptions.ConnectionError('Connection aborted, RemoteDisconnected'),
            'connection closed by the server',
        ),
        (requests.exceptions.ChunkedEncodingError('IncompleteRead(10 bytes read)'), 'connection closed by the server'),
        (requests.exceptions.ConnectionError('[Errno 113] No route to host'), 'network unreachable'),
        (requests.exceptions.ConnectionError('something else'), 'connection failed'),
    ],
)
def test_connection_failures(make_client, error, reason):
    client, fake, _sleeps = make_client(scripted(error))
    with pytest.raises(ConnectionFailedError) as caught:
        client.fetch('1')
    assert (
        str(caught.value)
        == f'cannot reach {ADDRESS} ({reason}) after 4 attempts: check url and that CC-CMS (or the NSLB) is reachable'
    )
    assert len(fake.calls) == 4


def test_other_request_error(make_client):
    client, fake, _sleeps = make_client(scripted(requests.exceptions.InvalidHeader('bad header')))
    with pytest.raises(ConnectionFailedError, match=r'request to 10.1.1.1:28443 failed \(InvalidHeader\)'):
        client.fetch('1')
    assert len(fake.calls) == 1


@pytest.mark.parametrize(
    'text, reason',
    [
        ('[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed', 'certificate verify failed'),
        ('[SSL: WRONG_VERSION_NUMBER] wrong version number', 'TLS handshake failed'),
    ],
)
def test_tls_error_not_retried(make_client, text, reason):
    client, fake, _sleeps = make_client(scripted(requests.exceptions.SSLError(text)))
    with pytest.raises(TlsError) as caught:
        client.fetch('1')
    assert str(caught.value) == f'{reason} for 10.1.1.1:28443: set ca_path, or validate_certs=false'
    assert len(fake.calls) == 1


def test_real_connection_refused_on_loopback():
    with socket.socket() as probe:
        probe.bind(('127.0.0.1', 0))
        port = probe.getsockname()[1]
    sleeps = []
    with CmsClient(f'https://127.0.0.1:{port}', ACCESS_KEY, SECRET_KEY, retries=1, sleep=sleeps.append) as client:
        with pytest.raises(
            ConnectionFailedError, match=rf'cannot reach 127.0.0.1:{port} \(connection refused\) after 2 attempts'
        ):
            client.fetch('1')
        assert client.requests_sent == 2


def test_invalid_eid_argument(make_client):
    client, _fake, _sleeps = make_client(TerminalTable({}))
    with pytest.raises(OptionError):
        client.fetch('')


# -- concurrency -----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize('cap', [1, 3, 10])
def test_concurrency_cap_reached_never_exceeded(make_client, cap):
    reached = threading.Event()

    def hold_until_cap(fake):
        # Every request after the first query (which runs alone) waits (bounded) until the cap is in
        # flight once: the pool must fill up to it.
        if fake.calls[-1]['EID'] == eids[0]:
            return
        with fake.lock:
            fake.lock.wait_for(lambda: fake.in_flight >= cap or reached.is_set(), timeout=10)
            reached.set()

    terminals = table(40 * 10, start=10000000)
    client, fake, _sleeps = make_client(
        TerminalTable(terminals), on_enter=hold_until_cap, max_concurrency=cap, page_size=5
    )
    eids = [f'1000{n:02d}??' for n in range(40)][::-1]
    results = answers_in_order(client, eids)
    assert fake.max_in_flight == cap
    assert [sorted({row.equipment_id for row in rows}) for rows in results] == [
        sorted(e for e in terminals if e.startswith(eid[:6])) for eid in eids
    ]
    assert client.requests_sent == len(fake.calls)


def test_fetch_each_reports_failures_in_place(make_client):
    terminals = table(30, start=20000000)

    def handler(body, index):
        if body['EID'] == 'bad':
            return 200, JSON_TYPE, {'resultCode': '0100002', 'resultDesc': 'EID is invalid'}
        if body['EID'] == 'down':
            raise requests.exceptions.ConnectionError('Connection refused')
        return TerminalTable(terminals)(body, index)

    client, _fake, _sleeps = make_client(handler, retries=0, max_concurrency=2)
    results = answers_in_order(client, ['2000001?', 'bad', '2000000?', 'down', '20000029'])
    assert [len(r) if isinstance(r, list) else type(r).__name__ for r in results] == [
        10,
        'ResultCodeError',
        10,
        'ConnectionFailedError',
        1,
    ]
    assert all(isinstance(r, ApiError) for r in results if not isinstance(r, list))


def test_fetch_each_yields_every_query_once_as_it_ends(make_client):
    terminals = table(30, start=20000000)
    client, _fake, _sleeps = make_client(TerminalTable(terminals), max_concurrency=3)
    eids = ['2000001?', '2000000?', '20000029', '2000002?']
    answers = list(client.fetch_each(eids))
    assert sorted(index for index, _rows in answers) == [0, 1, 2, 3]
    assert {eids[index]: len(rows) for index, rows in answers} == {
        '2000001?': 10,
        '2000000?': 10,
        '20000029': 1,
        '2000002?': 10,
    }
    assert list(client.fetch_each([])) == []


def test_fetch_each_reraises_unexpected_errors(make_client):
    def handler(body, index):
        if body['EID'] == 'boom':
            raise RuntimeError('defect in transport')
        return answer()

    client, _fake, _sleeps = make_client(handler)
    with pytest.raises(RuntimeError, match='defect in transport'):
        list(client.fetch_each(['1', 'boom', '2']))


def test_secret_never_in_messages(make_client):
    handlers = [
        scripted((401, {}, '')),
        scripted(SERVICE_UNAVAILABLE),
        scripted(requests.exceptions.ReadTimeout('x')),
        scripted(requests.exceptions.SSLError('certificate verify failed')),
    ]
    for handler in handlers:
        client, _fake, _sleeps = make_client(handler, retries=0)
        with pytest.raises(ApiError) as caught:
            client.fetch('1')
        assert SECRET_KEY not in str(caught.value) and 'auth-v2/' + ACCESS_KEY not in str(caught.value)


def test_page_size_above_the_documented_default_confirms_a_short_page(make_client):
    # count of IDs, pages of rows grouped by UAP, a server capping limit at 150 of the 200 asked: the first
    # page holds every ID (count reached) but not the rows of the fourth UAP.
    terminals = table(50, uaps=('a#1', 'b#2', 'c#3', 'd#4'))
    client, fake, _sleeps = make_client(
        TerminalTable(terminals, paging='rows', count='ids', order='uap', max_limit=150), page_size=200
    )
    rows = client.fetch('8888????')
    assert {(row.uap, row.equipment_id) for row in rows} == {
        (uap, eid) for eid, uaps in terminals.items() for uap, _status in uaps
    }
    assert offsets(fake) == [0, 1, 151]  # offset 1 tells items from pages; 151 reads the fourth UAP's rows


def test_a_short_page_is_confirmed_once_a_cap_of_its_size_cannot_be_ruled_out(make_client):
    client, fake, _sleeps = make_client(TerminalTable(table(30, uaps=('a#1', 'b#2'))))
    assert len(client.fetch('8888????')) == 60 and offsets(fake) == [0, 1]
