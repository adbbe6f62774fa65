# Copyright (c) 2026 aicc.cms contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The client against hostile servers on loopback: deadlines whatever the server's pace, capped bodies,
redacted echoes, unusable Retry-After headers, and the checks made before any request."""

from __future__ import annotations

import os
import re

import pytest
from ansible_collections.aicc.cms.plugins.module_utils._errors import (
    NoResponseError,
    OptionError,
    ResponseTooLargeError,
    ResultCodeError,
    TotalTimeoutError,
)
from ansible_collections.aicc.cms.plugins.module_utils._query.client import CmsClient
from integration.hostile_servers import HostileServer

SECRET = 'transport-secret-5e1a'


def client_for(server: HostileServer, **options) -> CmsClient:
    options.setdefault('timeout', 0.6)
    options.setdefault('retries', 0)
    return CmsClient(server.url, 'ak-transport', SECRET, **options)


@pytest.mark.parametrize(
    'kind, phase',
    [
        (
            'drip_headers',
            'the headers were still incomplete',
        ),  # hung for 200 s with timeout 3: every byte reset the socket time-out
        ('drip_body', 'the headers had arrived, the body was still incomplete'),
        ('headers_then_silence', 'the headers had arrived, the body was still incomplete'),  # read "cannot reach"
    ],
)
def test_an_attempt_ends_by_its_deadline_whatever_the_pace(kind, phase):
    with HostileServer(kind, pace=0.1, lifetime=20) as server, client_for(server) as client:
        with pytest.raises(NoResponseError) as raised:
            client.fetch('8880001')
    assert (
        str(raised.value)
        == f'no complete answer from 127.0.0.1:{server.port} within 0.6 s (timeout, for connection, headers and body'
        f' together) after 1 attempt: {phase}; CC-CMS (or the NSLB) was reached but answers too slowly'
    )


def test_the_task_deadline_ends_an_attempt_and_is_named():
    with (
        HostileServer('drip_headers', pace=0.1, lifetime=20) as server,
        client_for(server, timeout=30, retries=3, total_timeout=0.5) as client,
    ):
        with pytest.raises(TotalTimeoutError) as raised:
            client.fetch('8880001')
        assert server.requests == 1  # no retry after the deadline
    assert str(raised.value).startswith(
        f'total_timeout of 0.5 s ran out before a complete answer from 127.0.0.1:{server.port}: '
    )


@pytest.mark.parametrize('kind', ['gzip_bomb', 'chunked_huge'])
def test_a_body_past_the_cap_is_refused_while_it_streams(kind):
    with (
        HostileServer(kind, lifetime=20) as server,
        client_for(server, timeout=20, max_response_bytes=2 * 1024 * 1024) as client,
    ):
        with pytest.raises(ResponseTooLargeError) as raised:
            client.fetch('8880001')
    assert (
        str(raised.value)
        == f'the answer from 127.0.0.1:{server.port} passed 2097152 bytes once decompressed, far more than any page of '
        'terminals: check that url is CC-CMS (or the NSLB)'
    )


def test_an_echoed_authorization_header_is_redacted():
    with HostileServer('echo_authorization') as server, client_for(server) as client:
        with pytest.raises(ResultCodeError) as raised:
            client.fetch('8880001')
    message = str(raised.value)
    assert 'auth-v2/<redacted>' in message and 'ak-transport' not in message
    assert not re.search(r'[0-9a-f]{64}', message) and not re.search(r'[0-9a-f]{64}', str(raised.value.result_desc))


def test_an_unusable_retry_after_falls_back_to_the_backoff():
    # "Retry-After: soon" aborted the run with InvalidHeader
    with (
        HostileServer('retry_after_soon') as server,
        client_for(server, retries=1, sleep=lambda _seconds: None) as client,
    ):
        rows = client.fetch('8880001')
    assert [row.equipment_id for row in rows] == ['8880001'] and server.requests >= 2  # the 503, then the pages


def test_plain_http_is_warned_about():
    with CmsClient('http://10.1.1.1:28080', 'ak', 'sk') as client:
        assert (
            'url 10.1.1.1:28080 uses plain http: requests and answers travel unencrypted; use https://'
            in client.warnings
        )


def test_a_ca_path_that_is_no_file_is_refused_before_it_is_read(tmp_path):
    fifo = tmp_path / 'ca.pem'
    os.mkfifo(fifo)  # opening it for reading would block until a writer comes
    with pytest.raises(OptionError, match=r"^ca_path '.*ca.pem' is not a regular file or folder"):
        CmsClient('https://10.1.1.1:28443', 'ak', 'sk', ca_path=str(fifo))


def test_port_zero_is_refused():
    with pytest.raises(OptionError, match=r"^url 'https://10.1.1.1:0' has port 0: give the port of CC-CMS"):
        CmsClient('https://10.1.1.1:0', 'ak', 'sk')
