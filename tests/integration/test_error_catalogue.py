# Copyright (c) 2026 aicc.cms contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The catalogue of what users get wrong and what servers answer badly, each with its exact message.

Two tables: bad options through the real module (one ansible-playbook run for all of them), and
server faults through the simulator's fault kinds and settings (the core directly). Answers no
simulator gives are scripted under the client in the unit test
tests/unit/plugins/module_utils/_query/test_answer_catalogue.py. ``{port}``, ``{url}`` and ``{path}`` in an
expected message are filled in with the simulator's values.
"""

from __future__ import annotations

import json
import socket

import pytest
import yaml
from ansible_collections.aicc.cms.plugins.module_utils._query.client import API_PATH, CmsClient
from ansible_collections.aicc.cms.plugins.module_utils._query.engine import query_status
from ansible_collections.aicc.cms.plugins.module_utils._query.planner import plan_queries

SIM_OPTIONS = {'ranges': ('8880000-8880199',), 'uaps': 2, 'registered_ratio': 0.9, 'seed': 1}
BEYOND_RANGE = 'must be an integer between'

# --- 1. bad options, through the real module ----------------------------------------------------------------------
# (case, module options over a valid connection and eid_ranges, exact msg)
OPTION_CASES = [
    (
        'url without scheme',
        {'url': 'cms.example.com:28443'},
        "url 'cms.example.com:28443' must start with https:// (or http://)",
    ),
    (
        'url with credentials',
        {'url': 'https://ak:sk@10.1.1.1:28443'},
        "url 'https://ak:sk@10.1.1.1:28443' must not carry credentials: use access_key and secret_key",
    ),
    (
        'url with a query',
        {'url': 'https://10.1.1.1:28443/?x=1'},
        (
            "url 'https://10.1.1.1:28443/?x=1' must not have a query or fragment: give only https://<ip>:<port>[/base"
            ' path]'
        ),
    ),
    (
        'url with a bad port',
        {'url': 'https://10.1.1.1:99999'},
        "url 'https://10.1.1.1:99999' is not a valid URL (Port out of range 0-65535): write it as https://<ip>:<port>",
    ),
    (
        "max_concurrency above the API's 10",
        {'max_concurrency': 11},
        'max_concurrency must be an integer between 1 and 10, got 11',
    ),
    ('retries above 10', {'retries': 11}, 'retries must be an integer between 0 and 10, got 11'),
    ('page_size 0', {'page_size': 0}, 'page_size must be an integer between 1 and 1000, got 0'),
    (
        'max_matches_per_query 200',
        {'max_matches_per_query': 200},
        'max_matches_per_query must be an integer between 1 and 199, got 200',
    ),
    ('timeout 0', {'timeout': 0}, 'timeout must be a number of seconds above 0 and at most 3600, got 0.0'),
    (
        'wait_timeout 0',
        {'wait_for': 'registered', 'wait_timeout': 0},
        'wait_timeout must be a whole number of seconds above 0 and at most 86400, got 0',
    ),
    (
        'nothing selected',
        {'eid_ranges': None},
        'no terminals selected: give eids (exact IDs or patterns) or eid_ranges (START-END)',
    ),
    (
        'range reversed',
        {'eid_ranges': ['8880099-8880000']},
        "EID range '8880099-8880000' starts after it ends: write the lower bound first",
    ),
    (
        'range bounds of different lengths',
        {'eid_ranges': ['888000-8880099']},
        "EID range '888000-8880099' has bounds of different lengths: write both with the same number of digits",
    ),
    (
        'range not digits',
        {'eid_ranges': ['88800a0-8880099']},
        "EID range '88800a0-8880099' is not START-END with digits only (for example 88880000-88880999)",
    ),
    (
        'range above max_range_size',
        {'eid_ranges': ['8880000-8880999'], 'max_range_size': 500},
        "EID range '8880000-8880999' holds 1000 IDs, more than max_range_size=500: split it or raise max_range_size",
    ),
    (
        'unbounded pattern',
        {'eid_ranges': None, 'eids': ['888*']},
        (
            "EID pattern '888*' cannot be bounded: '*' and '%' match any number of characters, and the API requires"
            ' every wildcard query to match fewer than 200 terminals; list the IDs with eid_ranges, use fewer'
            ' wildcards, or set allow_unbounded_wildcards=true'
        ),
    ),
    (
        'too many question marks',
        {'eid_ranges': None, 'eids': ['88?????']},
        (
            "EID pattern '88?????' cannot be bounded: 5 question marks can match 100000 IDs, more than"
            ' max_matches_per_query=100, and the API requires every wildcard query to match fewer than 200 terminals;'
            ' list the IDs with eid_ranges, use fewer wildcards, or set allow_unbounded_wildcards=true'
        ),
    ),
    (
        'EID with a space',
        {'eid_ranges': None, 'eids': ['8880 001']},
        "EID '8880 001' contains characters outside 0-9 A-Z a-z * % ? _ - .: remove them",
    ),
    (
        'ca_path that does not exist',
        {'ca_path': '/nonexistent/ca.pem'},
        (
            "ca_path '/nonexistent/ca.pem' does not exist: give the PEM file (or c_rehash folder) of the CA that signed"
            ' the CC-CMS certificate'
        ),
    ),
    ('secret_key missing', {'secret_key': None}, 'missing required arguments: secret_key'),
]


def _module_task(name: str, options: dict) -> dict:
    args = {
        'url': '{{ conn.url }}',
        'access_key': '{{ conn.access_key }}',
        'secret_key': '{{ conn.secret_key }}',
        'ca_path': '{{ conn.ca_path }}',
        'eid_ranges': ['8880000-8880099'],
        'retries': 0,
    }
    args.update(options)
    args = {key: value for key, value in args.items() if value is not None}
    return {'name': name, 'aicc.cms.aicc_terminal_status': args, 'register': 'case', 'ignore_errors': True}


def test_bad_options_through_the_module(run_ansible, tmp_path, connection_vars):
    tasks = []
    for index, (name, options, _message) in enumerate(OPTION_CASES):
        tasks.append(_module_task(name, options))
        tasks.append(
            {
                'name': f'Keep {name}',
                'ansible.builtin.set_fact': {
                    'results': f"{{{{ results | default({{}}) | combine({{'{index}': case}}) }}}}"
                },
            }
        )
    tasks.append(
        {
            'name': 'Write the results',
            'ansible.builtin.copy': {'content': '{{ results | to_json }}', 'dest': '{{ out }}', 'mode': '0600'},
        }
    )
    playbook = tmp_path / 'catalogue.yml'
    playbook.write_text(
        yaml.safe_dump(
            [{'name': 'Error catalogue', 'hosts': 'localhost', 'gather_facts': False, 'tasks': tasks}], sort_keys=False
        )
    )
    out = tmp_path / 'catalogue.json'
    extra = tmp_path / 'vars.json'
    extra.write_text(json.dumps({'conn': connection_vars, 'out': str(out)}))

    proc = run_ansible(['ansible-playbook', str(playbook), '-e', f'@{extra}'])

    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    results = json.loads(out.read_text())
    for index, (name, _options, message) in enumerate(OPTION_CASES):
        result = results[str(index)]
        assert result['failed'] is True, name
        assert result['msg'] == message, name
        assert 'requests' not in result, f'{name}: no request may be sent on a bad option'


# --- 2. bad server answers, through the simulator -------------------------------------------------------------------
# (case, simulator options, client options, exact message of the failed query)
SERVER_CASES = [
    (
        'HTTP 500',
        {'faults': ['500:1']},
        {},
        'unexpected response from {path}: HTTP 500 text/plain: Internal Server Error',
    ),
    ('HTTP 502', {'faults': ['502:1']}, {}, 'unexpected response from {path}: HTTP 502 text/plain: Bad Gateway'),
    (
        'HTTP 503 after retries',
        {'faults': ['503:1']},
        {'retries': 2},
        'unexpected response from {path}: HTTP 503 text/plain: Service Unavailable (after 3 attempts)',
    ),
    (
        'HTTP 429 after retries',
        {'faults': ['429:1'], 'retry_after': 0},
        {'retries': 1},
        'unexpected response from {path}: HTTP 429 text/plain: Too Many Requests (after 2 attempts)',
    ),
    (
        'no answer',
        {'faults': ['timeout:1'], 'stall_seconds': 1.0},
        {'timeout': 0.3},
        'no response within 0.3 s from {url}{path} after 1 attempt',
    ),
    (
        'truncated JSON',
        {'faults': ['truncated:1']},
        {},
        'unexpected response from {path}: HTTP 200 application/json, not valid JSON: {truncated}',
    ),
    (
        'text with a JSON content type',
        {'faults': ['nonjson:1']},
        {},
        'unexpected response from {path}: HTTP 200 application/json, not valid JSON: System busy, please retry later.',
    ),
    (
        'HTML error page',
        {'faults': ['html:1']},
        {},
        (
            'unexpected response from {path}: HTTP 200 text/html: <!DOCTYPE html><html><head><title>Service'
            ' Unavailable</title></head><body><h1>Service temporarily unavailable</h1><p>Ple'
        ),
    ),
    ('resultCode call failed', {'faults': ['resultdesc:1']}, {}, 'CC-CMS returned 0100001 (call failed): call failed'),
    (
        'call center not allowed',
        {},
        {'cc_id': 7},
        (
            'CC-CMS returned 0101003 (insufficient permission): insufficient permission; check that the AK/SK may read'
            ' this call center, or set cc_id to the right call center'
        ),
    ),
    (
        'wrong secret key',
        {},
        {'secret_key': 'not-the-secret'},
        'authentication failed (HTTP 401) at {path}: check access key, secret key and the clock of this host',
    ),
    (
        'wrong access key',
        {},
        {'access_key': 'someone-else'},
        'authentication failed (HTTP 401) at {path}: check access key, secret key and the clock of this host',
    ),
    (
        "limit above the server's maximum",
        {'max_limit': 50},
        {'page_size': 100},
        'CC-CMS returned 0100002 (invalid parameters): limit must be between 1 and 50.',
    ),
]


def _query_one_block(sim, client_options: dict) -> dict:
    options = {
        'url': sim.url,
        'access_key': sim.access_key,
        'secret_key': sim.secret_key,
        'ca_path': sim.ca_path,
        'retries': 0,
        'backoff_factor': 0.01,
    }
    options.update(client_options)
    with CmsClient(**options) as client:
        return query_status(client, plan_queries(eid_ranges=['8880000-8880099']))


@pytest.mark.parametrize(
    'name, sim_options, client_options, message', SERVER_CASES, ids=[case[0] for case in SERVER_CASES]
)
def test_bad_server_answers(sim_factory, name, sim_options, client_options, message):
    sim = sim_factory(**dict(SIM_OPTIONS, **sim_options))

    result = _query_one_block(sim, client_options)

    # the simulator cuts the real page in half; the message shows its first 120 characters
    truncated = (
        '{"resultCode": "0100000", "resultDesc": {"data": {"10.10.0.1#1": [{"ccuModuleNumber": "56", '
        '"terminationType": "sip", "e'
    )
    expected = message.format(path=API_PATH, url=sim.url, truncated=truncated)
    assert result['errors'] == [f'EID 88800??: {expected}'], name
    assert result['terminals'] == {} and result['missing'] == []
    assert len(result['unknown']) == 100 and result['summary']['unknown'] == 100


def test_connection_refused():
    with socket.socket() as probe:
        probe.bind(('127.0.0.1', 0))
        port = probe.getsockname()[1]
    with CmsClient(f'https://127.0.0.1:{port}', 'ak', 'sk', retries=1, backoff_factor=0.01) as client:
        result = query_status(client, plan_queries(eids=['8880001']))
    assert result['errors'] == [
        f'EID 8880001: cannot reach 127.0.0.1:{port} (connection refused) after 2 attempts: '
        'check url and that CC-CMS (or the NSLB) is reachable'
    ]
    assert result['unknown'] == ['8880001']
