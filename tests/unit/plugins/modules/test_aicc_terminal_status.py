# Copyright (c) 2026 aicc.cms contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The module on the real core and client, over the scripted CC-CMS."""

from __future__ import annotations

import functools
import json

import pytest

patch_module_args = pytest.importorskip(
    'ansible.module_utils.testing',
    reason='the module tests inject arguments with patch_module_args (ansible-core 2.19 and later)',
).patch_module_args

from ansible_collections.aicc.cms.plugins.module_utils import _options as options
from ansible_collections.aicc.cms.plugins.module_utils._errors import OptionError
from ansible_collections.aicc.cms.plugins.module_utils._query import engine as terminal_status
from ansible_collections.aicc.cms.plugins.module_utils._query.engine import wait_for_registered
from ansible_collections.aicc.cms.plugins.modules import aicc_terminal_status as module

from ..scripted_cms import TerminalTable

SECRET = 'module-unit-secret-9d2e'
CONNECTION = {'url': 'https://10.1.1.1:28443', 'access_key': 'ak-1', 'secret_key': SECRET}


UAP = '10.1.1.21#1'


def table(registered: dict[str, bool]) -> dict:
    """A TerminalTable's terminals: each ID on one UAP, registered or not."""
    return {eid: [(UAP, 'registered' if up else 'not register')] for eid, up in registered.items()}


def shown_to_user(output: dict) -> str:
    """The module's answer as the controller passes it on: ansible-core 2.22 and later send the no_log values
    back under _ansible_new_secrets so the controller masks them everywhere, then drop the key."""
    return json.dumps({key: value for key, value in output.items() if key != '_ansible_new_secrets'})


def run_module(args, capsys):
    """Run main() with args; return (failed, output)."""
    with patch_module_args(args):
        with pytest.raises(SystemExit) as exited:
            module.main()
    output = json.loads(capsys.readouterr().out)
    return exited.value.code != 0, output


@pytest.fixture
def fake_time(monkeypatch):
    """The wait loop on a clock that advances one second per reading, and sleeps that do not wait."""
    clock = iter(float(tick) for tick in range(100_000))
    monkeypatch.setattr(
        terminal_status,
        'wait_for_registered',
        functools.partial(wait_for_registered, sleep=lambda seconds: None, clock=lambda: next(clock)),
    )


@pytest.fixture
def cms(serve_cms):
    """``cms(handler)``: the module's client is the real one, over a CC-CMS answering from ``handler``;
    ``cms.connections`` lists a Connection per client built."""

    def install(handler):
        serve_cms(module, handler)

    install.connections = serve_cms.connections
    return install


def test_query_returns_terminals_missing_and_summary(cms, capsys):
    cms(TerminalTable(table({'8780001': True, '8780002': False, '8780055': True})))
    plain_http = dict(CONNECTION, url='http://10.1.1.1:28080')  # the client warns: its warnings reach the user
    failed, output = run_module(dict(plain_http, eids=['8780001', '8780002', '8780003']), capsys)
    assert not failed
    assert output['changed'] is False
    assert sorted(output['terminals']) == ['8780001', '8780002']
    assert output['terminals']['8780001']['registered'] is True
    assert output['terminals']['8780002']['registered'] is False
    assert output['missing'] == ['8780003']
    assert output['unknown'] == [] and output['errors'] == []
    assert (output['summary']['registered'], output['summary']['not_registered'], output['summary']['missing']) == (
        1,
        1,
        1,
    )
    # requests counts every request the server saw (a short first page is confirmed: the server may cap limit)
    assert output['queries'] == ['87800??'] and output['requests'] == len(cms.connections[0].cms.calls) == 2
    assert 'uses plain http' in json.dumps(output['warnings'])
    assert 'waited' not in output
    assert cms.connections[0].cms.closed
    assert SECRET not in shown_to_user(output)


def test_check_mode_still_reads(cms, capsys):
    cms(TerminalTable(table({'8780001': True})))
    failed, output = run_module(dict(CONNECTION, eids=['8780001'], _ansible_check_mode=True), capsys)
    assert not failed and output['changed'] is False
    assert output['terminals']['8780001']['registered'] is True


def test_summary_only_keeps_the_terminals_not_registered(cms, capsys):
    cms(TerminalTable(table({'8780001': True, '8780002': False})))
    _failed, output = run_module(dict(CONNECTION, eid_ranges=['8780001-8780002'], summary_only=True), capsys)
    assert list(output['terminals']) == ['8780002']
    assert output['summary']['total'] == 2


def test_a_failed_query_fails_the_task_and_keeps_what_was_found(cms, capsys):
    cms(TerminalTable(table({'8780001': True, '8780101': True}), failing=['87801??']))
    failed, output = run_module(dict(CONNECTION, eids=['8780001', '8780002'], eid_ranges=['8780100-8780109']), capsys)
    assert failed
    assert (
        output['msg'] == '1 of 2 queries failed, so 10 requested terminals are unknown; first failure: EID 87801??: '
        'CC-CMS returned 0100001 (call failed): call failed'
    )
    assert output['unknown'] == [f'87801{number:02d}' for number in range(10)]
    assert list(output['terminals']) == ['8780001']
    assert output['missing'] == ['8780002']
    assert output['summary']['unknown'] == 10


def test_wait_succeeds_once_everything_registered(cms, capsys, fake_time):
    terminals = TerminalTable(table({'8780001': True, '8780002': False}))

    def recovering(body, index):
        if index >= 1:  # registered again by the first poll
            terminals.terminals = table({'8780001': True, '8780002': True})
        return terminals(body, index)

    cms(recovering)
    failed, output = run_module(
        dict(CONNECTION, eids=['8780001', '8780002'], wait_for='registered', wait_interval=1), capsys
    )
    assert not failed, output.get('msg')
    assert output['still_unregistered'] == []
    assert output['summary']['registered'] == 2
    assert output['requests'] == 2
    assert output['waited'] > 0


def test_wait_time_out_names_the_first_twenty(cms, capsys, fake_time):
    down = {f'87800{number:02d}': False for number in range(25)}
    cms(TerminalTable(table(down)))
    failed, output = run_module(
        dict(CONNECTION, eid_ranges=['8780000-8780024'], wait_for='registered', wait_timeout=5, wait_interval=1), capsys
    )
    assert failed
    assert output['msg'].startswith('25 terminals still not registered after waiting ')
    assert output['msg'].endswith(f'(wait_timeout=5): {", ".join(sorted(down)[:20])} and 5 more')
    assert output['still_unregistered'] == sorted(down)


def test_requests_missing_is_named(monkeypatch, capsys):
    monkeypatch.setattr(module, 'HAS_REQUESTS', False)
    failed, output = run_module(dict(CONNECTION, eids=['8780001']), capsys)
    assert failed
    assert output['msg'].startswith('Failed to import the required Python library (requests) on ')


def test_unexpected_errors_become_one_sentence_without_the_secret(monkeypatch, capsys):
    def broken(params):
        raise RuntimeError(f'boom near {params["secret_key"]}')

    monkeypatch.setattr(module, 'query', broken)
    failed, output = run_module(dict(CONNECTION, eids=['8780001']), capsys)
    assert failed
    assert output['msg'] == 'unexpected RuntimeError while querying CC-CMS: boom near ********'
    assert SECRET not in shown_to_user(output)


BAD = [
    {'eids': ['8780001'], 'url': None},
    {'eids': ['8780001'], 'url': 'ftp://x'},
    {'eids': ['8780001'], 'max_concurrency': 11},
    {'eids': ['8780001'], 'page_size': 0},
    {'eids': ['8780001'], 'wait_for': 'down'},
    {'eids': ['8780001'], 'timeout': 'soon'},
    {'eids': []},
    {'eids': ['8780*']},
    {'eid_ranges': ['2-1']},
]


@pytest.mark.parametrize('bad', BAD)
def test_module_and_plugins_refuse_with_the_same_sentence(bad, capsys, cms):
    cms(TerminalTable({}))
    args = {name: value for name, value in dict(CONNECTION, **bad).items() if value is not None}
    failed, output = run_module(args, capsys)
    assert failed

    plugin_params = {name: None for name in options.MODULE_SPEC}
    plugin_params.update(args)
    with pytest.raises(OptionError) as raised:
        options.plan_from_params(options.validate_params(plugin_params, options.MODULE_SPEC))
    assert output['msg'] == str(raised.value)


def test_empty_environment_variables_count_as_not_set(cms, monkeypatch, capsys):
    # AWX injects every variable of a credential type, empty for an empty optional field.
    cms(TerminalTable(table({'8780001': True})))
    for name, value in (
        ('AICC_URL', CONNECTION['url']),
        ('AICC_ACCESS_KEY', 'ak-1'),
        ('AICC_SECRET_KEY', SECRET),
        ('AICC_CC_ID', ''),
        ('AICC_CA_PATH', ''),
        ('AICC_TIMEOUT', ''),
    ):
        monkeypatch.setenv(name, value)
    failed, output = run_module({'eids': ['8780001']}, capsys)
    assert not failed, output
    built = cms.connections[0].params
    assert (built['cc_id'], built['ca_path'], built['timeout']) == (None, None, 30.0)
    assert built['url'] == CONNECTION['url']


@pytest.mark.parametrize(
    'args, environment, sentence',
    [
        (
            {'cc_id': float('inf')},
            {},
            'cc_id must be an integer between 0 and 2147483647, got inf',
        ),  # was: cannot convert Infinity to integer
        (
            {'cc_id': '1e1000000'},
            {},
            "cc_id must be an integer between 0 and 2147483647, got '1e1000000'",
        ),  # hung in argument parsing
        ({}, {'AICC_RETRIES': '.inf'}, "retries must be an integer between 0 and 10, got '.inf'"),
        ({'page_size': True}, {}, 'page_size must be an integer between 1 and 1000, got True'),
        (
            {'eids': [8]},
            {},
            (
                "eids holds the number 8 where a string belongs: quote the ID in YAML (for example '0123'), "
                'an unquoted one is read as a number and loses its leading zeros'
            ),
        ),
        ({'ak': 'other'}, {}, 'access_key and its alias ak are both set: give only one of them'),
    ],
)
def test_raw_values_are_screened_before_ansible_converts_them(cms, capsys, monkeypatch, args, environment, sentence):
    cms(TerminalTable(table({'8780001': True})))
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    failed, output = run_module(dict(CONNECTION, **dict({'eids': ['8780001']}, **args)), capsys)
    assert failed and output['msg'] == sentence
    assert cms.connections == []  # refused before any client is built
