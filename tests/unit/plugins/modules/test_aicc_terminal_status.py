# Copyright (c) 2026 aicc.cms contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The module on the real core, with a stand-in client in place of HTTP."""

from __future__ import annotations

import fnmatch
import functools
import json

import pytest

patch_module_args = pytest.importorskip(
    'ansible.module_utils.testing',
    reason='the module tests inject arguments with patch_module_args (ansible-core 2.19 and later)',
).patch_module_args

from ansible_collections.aicc.cms.plugins.module_utils import _options as options
from ansible_collections.aicc.cms.plugins.module_utils._errors import NoResponseError, OptionError
from ansible_collections.aicc.cms.plugins.module_utils._query import engine as terminal_status
from ansible_collections.aicc.cms.plugins.module_utils._query.engine import wait_for_registered
from ansible_collections.aicc.cms.plugins.module_utils._query.normalizer import Row
from ansible_collections.aicc.cms.plugins.modules import aicc_terminal_status as module

SECRET = 'module-unit-secret-9d2e'
CONNECTION = {'url': 'https://10.1.1.1:28443', 'access_key': 'ak-1', 'secret_key': SECRET}


class StandInClient:
    """What the core needs of CmsClient: rows per EID from a table, some EIDs failing."""

    def __init__(self, registered: dict[str, bool], failing=(), on_fetch=None) -> None:
        self.registered = registered
        self.failing = set(failing)
        self.on_fetch = on_fetch
        self.requests_sent = 0
        self.warnings = ['a warning from the client']
        self.reported_counts: dict[str, int] = {}
        self.closed = False
        self.trace = None  # no trace=true

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.closed = True

    def fetch_many(self, eids):
        answers = []
        for eid in eids:
            self.requests_sent += 1
            if self.on_fetch:
                self.on_fetch(self)
            if eid in self.failing:
                answers.append(
                    NoResponseError(f'no answer from 10.1.1.1:28443 within 30 s for EID {eid} (after 4 attempts)')
                )
                continue
            pattern = eid.replace('%', '*')
            answers.append(
                [
                    Row(
                        '10.1.1.21#1', equipment_id, 'registered' if up else 'not register', 'normal' if up else 'fault'
                    )
                    for equipment_id, up in sorted(self.registered.items())
                    if fnmatch.fnmatchcase(equipment_id, pattern)
                ]
            )
        return answers


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
def stand_in(monkeypatch):
    """Install a stand-in client for the module; returns a setter taking the client."""
    holder = {}

    def use(client):
        holder['client'] = client
        monkeypatch.setattr(module, 'client_from_params', lambda params: client)
        return client

    return use


def test_query_returns_terminals_missing_and_summary(stand_in, capsys):
    client = stand_in(StandInClient({'8780001': True, '8780002': False, '8780055': True}))
    failed, output = run_module(dict(CONNECTION, eids=['8780001', '8780002', '8780003']), capsys)
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
    assert output['queries'] == ['87800??'] and output['requests'] == 1
    assert 'a warning from the client' in json.dumps(output['warnings'])
    assert 'waited' not in output
    assert client.closed
    assert SECRET not in shown_to_user(output)


def test_check_mode_still_reads(stand_in, capsys):
    stand_in(StandInClient({'8780001': True}))
    failed, output = run_module(dict(CONNECTION, eids=['8780001'], _ansible_check_mode=True), capsys)
    assert not failed and output['changed'] is False
    assert output['terminals']['8780001']['registered'] is True


def test_summary_only_keeps_the_terminals_not_registered(stand_in, capsys):
    stand_in(StandInClient({'8780001': True, '8780002': False}))
    _failed, output = run_module(dict(CONNECTION, eid_ranges=['8780001-8780002'], summary_only=True), capsys)
    assert list(output['terminals']) == ['8780002']
    assert output['summary']['total'] == 2


def test_a_failed_query_fails_the_task_and_keeps_what_was_found(stand_in, capsys):
    stand_in(StandInClient({'8780001': True, '8780101': True}, failing={'87801??'}))
    failed, output = run_module(dict(CONNECTION, eids=['8780001', '8780002'], eid_ranges=['8780100-8780109']), capsys)
    assert failed
    assert (
        output['msg'] == '1 of 2 queries failed, so 10 requested terminals are unknown; first failure: EID 87801??: '
        'no answer from 10.1.1.1:28443 within 30 s for EID 87801?? (after 4 attempts)'
    )
    assert output['unknown'] == [f'87801{number:02d}' for number in range(10)]
    assert list(output['terminals']) == ['8780001']
    assert output['missing'] == ['8780002']
    assert output['summary']['unknown'] == 10


def test_wait_succeeds_once_everything_registered(stand_in, capsys, fake_time):
    table = {'8780001': True, '8780002': False}

    def recover(client):
        if client.requests_sent >= 2:
            table['8780002'] = True

    stand_in(StandInClient(table, on_fetch=recover))
    failed, output = run_module(
        dict(CONNECTION, eids=['8780001', '8780002'], wait_for='registered', wait_interval=1), capsys
    )
    assert not failed, output.get('msg')
    assert output['still_unregistered'] == []
    assert output['summary']['registered'] == 2
    assert output['requests'] == 2
    assert output['waited'] > 0


def test_wait_time_out_names_the_first_twenty(stand_in, capsys, fake_time):
    down = {f'87800{number:02d}': False for number in range(25)}
    stand_in(StandInClient(down))
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
def test_module_and_plugins_refuse_with_the_same_sentence(bad, capsys, stand_in):
    stand_in(StandInClient({}))
    args = {name: value for name, value in dict(CONNECTION, **bad).items() if value is not None}
    failed, output = run_module(args, capsys)
    assert failed

    plugin_params = {name: None for name in options.MODULE_SPEC}
    plugin_params.update(args)
    with pytest.raises(OptionError) as raised:
        options.plan_from_params(options.validate_params(plugin_params, options.MODULE_SPEC))
    assert output['msg'] == str(raised.value)


def test_empty_environment_variables_count_as_not_set(monkeypatch, capsys):
    # AWX injects every variable of a credential type, empty for an empty optional field.
    built = []

    def client_from_params(params):
        built.append(dict(params))
        return StandInClient({'8780001': True})

    monkeypatch.setattr(module, 'client_from_params', client_from_params)
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
    assert (built[0]['cc_id'], built[0]['ca_path'], built[0]['timeout']) == (None, None, 30.0)
    assert built[0]['url'] == CONNECTION['url']


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
def test_raw_values_are_screened_before_ansible_converts_them(
    stand_in, capsys, monkeypatch, args, environment, sentence
):
    client = stand_in(StandInClient({'8780001': True}))
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    failed, output = run_module(dict(CONNECTION, **dict({'eids': ['8780001']}, **args)), capsys)
    assert failed and output['msg'] == sentence
    assert client.requests_sent == 0
