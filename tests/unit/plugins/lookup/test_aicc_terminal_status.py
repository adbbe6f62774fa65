# Copyright (c) 2026 aicc.cms contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The lookup run in process, over the scripted CC-CMS: records, option sources, client reuse, failures."""

from __future__ import annotations

import os

import pytest
from ansible.errors import AnsibleLookupError

try:
    from ansible.template import trust_as_template
except ImportError:  # before ansible-core 2.19 every string is a template

    def trust_as_template(value):
        return value


from core_compat import validator_wording

from ..conftest import SECRET, row

# Plugins run in the controller process; AICC_* variables of the shell running the tests stay out.
pytestmark = pytest.mark.usefixtures('controller_process', 'no_aicc_environment')

TABLE = [
    row('8880002', register_status='not register', socket_status='uninstall'),
    row('8880001', uap='10.10.0.2#2'),
    row('8880001'),
    row('8880150'),
]
DIRECT = {'url': 'https://direct.example.com:28443', 'access_key': 'direct-ak', 'secret_key': SECRET}


def test_records_come_ordered_by_id_with_unknown_ids_as_not_registered(cms, run_lookup):
    cms(TABLE)
    records = run_lookup(['8880150', '8880002', '8880001', '8880009'], **DIRECT)
    assert [record['equipment_id'] for record in records] == ['8880001', '8880002', '8880009', '8880150']
    first = records[0]
    assert first['registered'] is True and first['missing'] is False
    assert [uap['uap'] for uap in first['uaps']] == ['10.10.0.1#1', '10.10.0.2#2']
    assert records[1]['registered'] is False
    assert records[2] == {'equipment_id': '8880009', 'registered': False, 'missing': True, 'uaps': []}


def test_terms_eids_and_ranges_are_queried_together(cms, run_lookup):
    cms(TABLE)
    records = run_lookup(['8880002'], eids=['8880001'], eid_ranges=['8880150-8880150'], **DIRECT)
    assert [record['equipment_id'] for record in records] == ['8880001', '8880002', '8880150']
    (connection,) = cms.connections
    assert sorted(connection.cms.queried) == ['88800??', '8880150']


def test_option_precedence_direct_then_vars_then_environment_then_default(cms, run_lookup, monkeypatch):
    cms(TABLE)
    monkeypatch.setenv('AICC_URL', 'https://env.example.com:28443')
    monkeypatch.setenv('AICC_ACCESS_KEY', 'env-ak')
    monkeypatch.setenv('AICC_SECRET_KEY', 'env-sk')
    monkeypatch.setenv('AICC_CC_ID', '3')
    variables = {'ansible_aicc_url': 'https://vars.example.com:28443', 'ansible_aicc_cc_id': 2}

    run_lookup(['8880001'], variables=variables, url='https://direct.example.com:28443')
    params = cms.connections[-1].params
    assert (params['url'], params['cc_id'], params['access_key'], params['secret_key'], params['max_concurrency']) == (
        'https://direct.example.com:28443',
        2,
        'env-ak',
        'env-sk',
        5,
    )

    run_lookup(['8880001'], variables=variables)
    assert cms.connections[-1].params['url'] == 'https://vars.example.com:28443'

    run_lookup(['8880001'])
    assert (cms.connections[-1].params['url'], cms.connections[-1].params['cc_id']) == (
        'https://env.example.com:28443',
        3,
    )


def test_connection_variables_may_be_templates(cms, run_lookup):
    cms(TABLE)
    # as a playbook's vars section gives them: trusted templates
    variables = {
        'cms_host': 'vars.example.com',
        'vault_sk': SECRET,
        'ansible_aicc_url': trust_as_template('https://{{ cms_host }}:28443'),
        'ansible_aicc_access_key': 'vars-ak',
        'ansible_aicc_secret_key': trust_as_template('{{ vault_sk }}'),
        'ansible_aicc_cc_id': trust_as_template('{{ 1 + 1 }}'),
    }
    run_lookup(['8880001'], variables=variables)
    params = cms.connections[-1].params
    assert (params['url'], params['secret_key'], params['cc_id']) == ('https://vars.example.com:28443', SECRET, 2)


def test_one_client_per_process_and_settings(cms, run_lookup, client_pool, monkeypatch):
    cms(TABLE)
    run_lookup(['8880001'], **DIRECT)
    run_lookup(['8880002'], **DIRECT)
    assert len(cms.connections) == 1
    assert cms.connections[0].cms.queried == ['8880001', '8880002']

    run_lookup(['8880001'], cc_id=2, **DIRECT)
    assert len(cms.connections) == 2

    # a forked worker gets its own client instead of its parent's sockets
    real_pid = os.getpid()
    monkeypatch.setattr(client_pool.os, 'getpid', lambda: real_pid + 1)
    run_lookup(['8880001'], **DIRECT)
    assert len(cms.connections) == 3

    assert len(client_pool._CLIENTS) == 3
    for key in client_pool._CLIENTS:
        assert SECRET not in key and len(key) == 64


def test_clients_are_closed_at_exit(cms, run_lookup, client_pool):
    cms(TABLE)
    run_lookup(['8880001'], **DIRECT)
    client_pool.close_clients()
    assert cms.connections[0].cms.closed is True
    assert client_pool._CLIENTS == {}


def test_a_failed_query_fails_the_lookup_instead_of_returning_part(cms, run_lookup):
    cms(TABLE, failing=['88801??'])
    with pytest.raises(AnsibleLookupError) as caught:
        run_lookup(['8880001', '8880002', '8880150', '8880151'], **DIRECT)
    message = str(caught.value)
    assert message.startswith('1 of 2 queries failed, so 2 requested terminals are unknown; first failure: EID 88801??')
    assert SECRET not in message


@pytest.mark.parametrize(
    'kwargs, expected',
    [
        ({'max_concurrency': 0}, 'max_concurrency must be an integer between 1 and 10, got 0'),
        ({'page_size': 0}, 'page_size must be an integer between 1 and 1000, got 0'),
        ({'eid_ranges': ['88-8880001']}, 'has bounds of different lengths'),
        ({'url': 'ftp://cms.example.com'}, 'must start with https://'),
        ({'secret_key': None}, 'secret_key'),
    ],
)
def test_bad_options_fail_with_one_sentence_before_any_request(cms, run_lookup, kwargs, expected):
    cms(TABLE)
    options = dict(DIRECT, **kwargs)
    if options['secret_key'] is None:
        del options['secret_key']
    with pytest.raises(AnsibleLookupError, match=expected) as caught:
        run_lookup(['8880001'], **options)
    assert SECRET not in str(caught.value)
    assert all(not connection.cms.queried for connection in cms.connections)


def test_no_terminal_selected_is_refused(cms, run_lookup):
    cms(TABLE)
    with pytest.raises(AnsibleLookupError, match='no terminals selected'):
        run_lookup([], **DIRECT)


def test_unbounded_pattern_needs_the_opt_in(cms, run_lookup):
    cms(TABLE)
    with pytest.raises(AnsibleLookupError, match='cannot be bounded'):
        run_lookup(['888*'], **DIRECT)
    records = run_lookup(['888*'], allow_unbounded_wildcards=True, **DIRECT)
    assert [record['equipment_id'] for record in records] == ['8880001', '8880002', '8880150']


@pytest.mark.parametrize(
    'misspelt',
    [
        {'eid_range': ['8880000-8880009']},  # a typo of eid_ranges: silently ignored it narrowed the scope
        {'summary': True},  # a typo of summary_only
        {'wait': 'registered'},  # a typo of wait_for
    ],
)
def test_unknown_keyword_options_are_refused_with_the_valid_ones(cms, run_lookup, misspelt):
    cms(TABLE)
    with pytest.raises(AnsibleLookupError) as caught:
        run_lookup(['8880001'], **dict(DIRECT, **misspelt))
    message = str(caught.value)
    (name,) = misspelt
    assert message.startswith(
        f'unknown option {name} for aicc.cms.aicc_terminal_status: check the spelling; valid options are '
    )
    for valid in ('eid_ranges', 'eids (alias eid)', 'access_key (alias ak)', 'secret_key (alias sk)', 'validate_certs'):
        assert valid in message
    assert '_terms' not in message and SECRET not in message
    assert all(not connection.cms.queried for connection in cms.connections)


def test_aliases_are_valid_keyword_options(cms, run_lookup):
    cms(TABLE)
    records = run_lookup([], url=DIRECT['url'], ak='alias-ak', sk=SECRET, eid=['8880002'])
    assert [record['equipment_id'] for record in records] == ['8880002']
    params = cms.connections[-1].params
    assert (params['access_key'], params['secret_key']) == ('alias-ak', SECRET)


MODULE_BOOL_SENTENCE = (
    "argument 'validate_certs' is of type str and we were unable to convert to bool: The value 'ture' is not a valid"
    ' boolean.'
)
MODULE_INT_SENTENCE = "argument 'cc_id' is of type str and we were unable to convert to int"


@pytest.mark.parametrize('source', ['direct', 'variable', 'environment'])
@pytest.mark.parametrize(
    'name, value, sentence',
    [
        ('validate_certs', 'ture', MODULE_BOOL_SENTENCE),
        ('cc_id', 'abc', MODULE_INT_SENTENCE),
    ],
)
def test_misspelt_values_get_the_module_sentence_instead_of_a_lenient_conversion(
    cms, run_lookup, monkeypatch, source, name, value, sentence
):
    cms(TABLE)
    kwargs, variables = dict(DIRECT), {}
    if source == 'direct':
        kwargs[name] = value
    elif source == 'variable':
        variables[f'ansible_aicc_{name}'] = value
    else:
        monkeypatch.setenv(f'AICC_{name.upper()}', value)
    with pytest.raises(AnsibleLookupError) as caught:
        run_lookup(['8880001'], variables=variables, **kwargs)
    assert validator_wording(str(caught.value)).startswith(sentence)
    assert all(not connection.cms.queried for connection in cms.connections)


def test_strict_booleans_and_numbers_still_convert(cms, run_lookup, monkeypatch):
    cms(TABLE)
    monkeypatch.setenv('AICC_VALIDATE_CERTS', 'no')
    monkeypatch.setenv('AICC_TIMEOUT', '2.5')
    run_lookup(['8880001'], variables={'ansible_aicc_max_concurrency': '3'}, retries='0', **DIRECT)
    params = cms.connections[-1].params
    assert (params['validate_certs'], params['timeout'], params['max_concurrency'], params['retries']) == (
        False,
        2.5,
        3,
        0,
    )


def test_empty_environment_variables_count_as_not_set(cms, run_lookup, monkeypatch):
    # what AWX injects for an empty optional credential field
    cms(TABLE)
    for name in ('AICC_CC_ID', 'AICC_CA_PATH', 'AICC_VALIDATE_CERTS', 'AICC_TIMEOUT'):
        monkeypatch.setenv(name, '')
    run_lookup(['8880001'], **DIRECT)
    params = cms.connections[-1].params
    assert (params['cc_id'], params['ca_path'], params['validate_certs'], params['timeout']) == (None, None, True, 30.0)


def test_a_list_term_is_flattened(cms, run_lookup):
    # query('aicc.cms.aicc_terminal_status', phones) with phones a list variable
    cms(TABLE)
    records = run_lookup([['8880002', '8880150'], '8880001'], **DIRECT)
    assert [record['equipment_id'] for record in records] == ['8880001', '8880002', '8880150']


def test_summary_only_returns_what_is_not_registered(cms, run_lookup):
    cms(TABLE)
    records = run_lookup(['8880001', '8880002', '8880404'], summary_only=True, **DIRECT)
    assert [(record['equipment_id'], record['registered']) for record in records] == [
        ('8880002', False),
        ('8880404', False),
    ]


def test_wait_for_registered_times_out_with_the_module_sentence(cms, run_lookup, monkeypatch):
    from ansible_collections.aicc.cms.plugins.module_utils._query import engine as terminal_status

    clock = iter(float(tick) for tick in range(10_000))
    monkeypatch.setattr(terminal_status.time, 'sleep', lambda seconds: None)
    monkeypatch.setattr(terminal_status.time, 'monotonic', lambda: next(clock))
    cms(TABLE)
    with pytest.raises(AnsibleLookupError) as caught:
        run_lookup(['8880001', '8880002'], wait_for='registered', wait_timeout=3, wait_interval=1, **DIRECT)
    assert str(caught.value).startswith('1 terminals still not registered after waiting ')
    assert str(caught.value).endswith('(wait_timeout=3): 8880002')
    assert (
        run_lookup(['8880001'], wait_for='registered', wait_timeout=3, wait_interval=1, **DIRECT)[0]['registered']
        is True
    )


@pytest.mark.parametrize('source', ['direct', 'variable', 'environment'])
@pytest.mark.parametrize(
    'name, value, sentence',
    [
        ('cc_id', '.inf', "cc_id must be an integer between 0 and 2147483647, got '.inf'"),
        ('retries', '1e400', "retries must be an integer between 0 and 10, got '1e400'"),
        ('timeout', 'nan', "timeout must be a number of seconds above 0 and at most 3600, got 'nan'"),
        (
            'total_timeout',
            '1e1000000',
            "total_timeout must be a number of seconds above 0 and at most 86400, got '1e1000000'",
        ),
    ],
)
def test_numbers_that_crashed_the_converters_get_the_range_sentence(
    cms, run_lookup, monkeypatch, source, name, value, sentence
):
    cms(TABLE)
    kwargs, variables = dict(DIRECT), {}
    if source == 'direct':
        kwargs[name] = value
    elif source == 'variable':
        variables[f'ansible_aicc_{name}'] = value
    else:
        monkeypatch.setenv(f'AICC_{name.upper()}', value)
    with pytest.raises(AnsibleLookupError) as caught:
        run_lookup(['8880001'], variables=variables, **kwargs)
    assert str(caught.value) == sentence


@pytest.mark.parametrize(
    'kwargs, sentence',
    [
        (
            {'summary_only': 'perhaps'},
            "argument 'summary_only' is of type str and we were unable to convert to bool",
        ),  # was read as false
        (
            {'trace': 'perhaps'},
            "argument 'trace' is of type str and we were unable to convert to bool",
        ),  # was read as false
        ({'page_size': float('inf')}, 'page_size must be an integer between 1 and 1000, got inf'),
        ({'max_range_size': True}, 'max_range_size must be an integer between 1 and 10000000, got True'),
        (
            {'wait_for': 'registered', 'wait_timeout': '1e5000'},
            'wait_timeout must be a whole number of seconds above 0 and at most 86400',
        ),
        ({'access_key': 'one', 'ak': 'other'}, 'access_key and its alias ak are both set: give only one of them'),
    ],
)
def test_query_options_are_checked_by_the_option_layer(cms, run_lookup, kwargs, sentence):
    cms(TABLE)
    with pytest.raises(AnsibleLookupError) as caught:
        run_lookup(['8880001'], **dict(DIRECT, **kwargs))
    assert validator_wording(str(caught.value)).startswith(sentence)
    assert all(not connection.cms.queried for connection in cms.connections)


def test_an_id_that_arrived_as_a_number_is_refused(cms, run_lookup):
    cms(TABLE)
    with pytest.raises(AnsibleLookupError, match=r'^eids holds the number 83 where a string belongs: quote the ID'):
        run_lookup([83], **DIRECT)
