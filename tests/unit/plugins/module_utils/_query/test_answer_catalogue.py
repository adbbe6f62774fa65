# Copyright (c) 2026 aicc.cms contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Answers no simulator gives (wrong base path, login pages, broken shapes), each with the exact sentence
the user gets; the rest of the error catalogue is tests/integration/test_error_catalogue.py."""

from __future__ import annotations

import json

import pytest
from ansible_collections.aicc.cms.plugins.module_utils._errors import ApiError
from ansible_collections.aicc.cms.plugins.module_utils._query.client import API_PATH

from ...scripted_cms import JSON_TYPE, scripted


def _page(data, count=1, code='0100000') -> bytes:
    return json.dumps({'resultCode': code, 'resultDesc': {'data': data, 'count': count}}).encode()


# (case, status, body, content type, exact message)
SCRIPTED_CASES = [
    (
        'HTTP 404 from a wrong base path',
        404,
        b'Not Found',
        'text/plain',
        'unexpected response from {path}: HTTP 404 text/plain: Not Found',
    ),
    ('redirect to a login page', 302, b'', 'text/html', 'unexpected response from {path}: HTTP 302 text/html: '),
    (
        'JSON list instead of an object',
        200,
        b'[]',
        None,
        'unexpected response from {path}: the answer is list, not a JSON object',
    ),
    (
        'no resultCode',
        200,
        b'{"resultDesc": {}}',
        None,
        'unexpected response from {path}: resultCode is None, not a string',
    ),
    (
        'undocumented result code',
        200,
        b'{"resultCode": "0199999", "resultDesc": "odd"}',
        None,
        'CC-CMS returned 0199999 (undocumented result code): odd',
    ),
    (
        'invalid parameters',
        200,
        b'{"resultCode": "0100002", "resultDesc": "EID is invalid"}',
        None,
        'CC-CMS returned 0100002 (invalid parameters): EID is invalid',
    ),
    (
        'negative count',
        200,
        _page({}, count=-1),
        None,
        'unexpected response from {path}: resultDesc.count is -1, not a non-negative integer',
    ),
    (
        'data is a string',
        200,
        _page('none'),
        None,
        'unexpected response from {path}: resultDesc.data is str, not an object',
    ),
    (
        'row without equipmentId',
        200,
        _page({'10.1.1.1#1': [{'registerStatus': 'registered'}]}),
        None,
        'unexpected response from {path}: a row of resultDesc.data has no equipmentId',
    ),
    (
        'status that is not a string',
        200,
        _page({'10.1.1.1#1': [{'equipmentId': '8880001', 'registerStatus': 1}]}),
        None,
        'unexpected response from {path}: field registerStatus of a row is int, not a string',
    ),
    (
        'successful answer without resultDesc',
        200,
        b'{"resultCode": "0100000"}',
        None,
        'unexpected response from {path}: a successful answer has no resultDesc',
    ),
    ('empty body', 200, b'', None, 'unexpected response from {path}: HTTP 200 application/json, not valid JSON: '),
]


@pytest.mark.parametrize(
    'name, status, body, content_type, message', SCRIPTED_CASES, ids=[case[0] for case in SCRIPTED_CASES]
)
def test_each_odd_answer_is_one_sentence(make_client, name, status, body, content_type, message):
    headers = JSON_TYPE if content_type is None else {'Content-Type': content_type}
    client, _cms, _sleeps = make_client(scripted((status, headers, body)), retries=0)
    with pytest.raises(ApiError) as raised:
        client.fetch('8880001')
    assert str(raised.value) == message.format(path=API_PATH), name
