# Copyright (c) 2026 aicc.cms contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Facade: query_status and wait_for_registered over the scripted transport."""

from __future__ import annotations

import pytest
import requests
from ansible_collections.aicc.cms.plugins.module_utils._errors import OptionError
from ansible_collections.aicc.cms.plugins.module_utils._query import engine
from ansible_collections.aicc.cms.plugins.module_utils._query.engine import (
    failure_sentence,
    query_status,
    run_query,
    wait_for_registered,
)
from ansible_collections.aicc.cms.plugins.module_utils._query.planner import plan_queries
from ansible_collections.aicc.cms.plugins.module_utils._query.selection import compile_selection
from ansible_collections.aicc.cms.plugins.module_utils._query.transport import Deadline

from ...scripted_cms import JSON_TYPE, TerminalTable


class FakeTime:
    """Monotonic clock moved only by the injected sleep."""

    def __init__(self) -> None:
        self.now = 100.0
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def test_query_status_filters_and_reports_missing(make_client):
    terminals = {
        '88880001': [('u#1', 'registered')],
        '88880002': [('u#1', 'not register'), ('u#2', 'registered')],
        '88880003': [('u#1', 'not register')],
        '88880050': [('u#1', 'registered')],
        'sip.a': [('u#1', 'registered')],
    }
    client, fake, _sleeps = make_client(TerminalTable(terminals))
    plan = plan_queries(eids=['88880001', '88880002', '88880003', '88880099', 'sip.a', 'sip.b'])
    result = query_status(client, plan)
    assert list(result['terminals']) == ['88880001', '88880002', '88880003', 'sip.a']  # 88880050 not asked for
    assert result['terminals']['88880002']['registered'] is True
    assert result['missing'] == ['88880099', 'sip.b']
    assert result['unknown'] == [] and result['errors'] == [] and result['warnings'] == []
    assert result['queries'] == ['888800??', 'sip.a', 'sip.b']
    # the short first page is confirmed once (a page cap of its size); later short pages are proven ends
    assert result['requests'] == 4 == len(fake.calls)
    assert result['summary']['total'] == 4 and result['summary']['registered'] == 3
    assert result['summary']['not_registered'] == 1 and result['summary']['missing'] == 2


def test_summary_only_keeps_not_registered(make_client):
    terminals = {'1001': [('u#1', 'registered')], '1002': [('u#1', 'not register')]}
    client, _fake, _sleeps = make_client(TerminalTable(terminals))
    result = query_status(client, plan_queries(eid_ranges=['1001-1002']), summary_only=True)
    assert list(result['terminals']) == ['1002']
    assert result['summary']['total'] == 2 and result['summary']['registered'] == 1


def test_failed_queries_are_unknown_not_raised(make_client):
    terminals = {'20000001': [('u#1', 'registered')], '30000001': [('u#1', 'registered')]}

    def handler(body, index):
        if body['EID'].startswith('3'):
            return 200, JSON_TYPE, {'resultCode': '0100001', 'resultDesc': 'UAP busy'}
        return TerminalTable(terminals)(body, index)

    client, _fake, _sleeps = make_client(handler, retries=0)
    plan = plan_queries(eids=['20000001', '30000001', '30000002', '3000000?'], max_matches_per_query=10)
    result = query_status(client, plan)
    assert list(result['terminals']) == ['20000001']
    assert result['unknown'] == ['30000001', '30000002', '3000000?']
    assert result['errors'] == ['EID 3000000?: CC-CMS returned 0100001 (call failed): UAP busy']
    assert result['summary']['unknown'] == 3
    # The user pattern and the block pattern are the same EID: asked once.
    assert result['queries'] == ['20000001', '3000000?', '3000000?'] and result['requests'] == 3


def test_unbounded_pattern_warns_at_200(make_client):
    terminals = {str(5000 + n): [('u#1', 'registered')] for n in range(200)}
    client, _fake, _sleeps = make_client(TerminalTable(terminals))
    result = query_status(client, plan_queries(eids=['5*'], allow_unbounded_wildcards=True))
    assert len(result['terminals']) == 200
    assert result['warnings'] == [
        'EID pattern 5* matched 200 terminals, at or above the API limit of 200 that can disturb UAP services: '
        'narrow it or list the IDs with eid_ranges'
    ]
    client, _fake, _sleeps = make_client(TerminalTable(dict(list(terminals.items())[:199])))
    assert query_status(client, plan_queries(eids=['5*'], allow_unbounded_wildcards=True))['warnings'] == []


def test_unbounded_pattern_counts_terminals_not_rows(make_client):
    # 150 terminals on 2 UAPs and a count of rows (300): the warning is about matched terminals.
    terminals = {str(5000 + n): [('u#1', 'registered'), ('u#2', 'registered')] for n in range(150)}
    client, _fake, _sleeps = make_client(TerminalTable(terminals, count='rows'))
    result = query_status(client, plan_queries(eids=['5*'], allow_unbounded_wildcards=True))
    assert len(result['terminals']) == 150 and result['warnings'] == []


def test_pattern_matching_nothing_warns(make_client):
    client, _fake, _sleeps = make_client(TerminalTable({'20000001': [('u#1', 'registered')]}))
    result = query_status(client, plan_queries(eids=['7777000?', '20000001']))
    assert result['warnings'] == [
        'EID pattern 7777000? matched no terminal: check the pattern, or list the IDs expected'
    ]
    assert result['summary']['total'] == 1


def test_wait_polls_ids_returned_by_a_pattern_that_the_planner_would_refuse(make_client):
    # CC-CMS may hold IDs with characters users may not type ('+'): they are polled as they are.
    client, fake, _sleeps = make_client(Registering({'8888+': 2, '88881': 0}))
    time = FakeTime()
    result = wait_for_registered(
        client, plan_queries(eids=['8888?']), timeout=60, interval=5, sleep=time.sleep, clock=time.clock
    )
    assert [call['EID'] for call in fake.calls] == [
        '8888?',
        '8888?',
        '8888+',
    ]  # the pattern's page confirmed, then the poll
    assert result['still_unregistered'] == [] and result['errors'] == []


def test_client_warnings_are_passed_on(make_client):
    client, _fake, _sleeps = make_client(TerminalTable({}), validate_certs=False)
    assert query_status(client, plan_queries(eids=['1']))['warnings'] == client.warnings != []


class Registering(TerminalTable):
    """Terminals that register one poll after another: ``schedule`` maps ID -> call index it registers at."""

    def __init__(self, schedule: dict, fail_calls=()) -> None:
        super().__init__({})
        self.schedule = schedule
        self.fail_calls = set(fail_calls)
        self.calls = 0

    def __call__(self, body, index):
        if index in self.fail_calls:
            raise requests.exceptions.ConnectionError('Connection refused')
        self.terminals = {
            eid: [('u#1', 'registered' if index >= at else 'not register')] for eid, at in self.schedule.items()
        }
        return super().__call__(body, index)


def test_wait_until_all_registered_polls_only_what_is_left(make_client):
    schedule = {f'10000{n:03d}': 0 for n in range(150)}
    schedule.update({'10000005': 3, '10000120': 5})
    client, fake, _sleeps = make_client(Registering(schedule), max_concurrency=1)  # one at a time: calls in plan order
    time = FakeTime()
    plan = plan_queries(eid_ranges=['10000000-10000149'])
    result = wait_for_registered(client, plan, timeout=60, interval=5, sleep=time.sleep, clock=time.clock)
    # the full block of 100 IDs is followed by one more (empty) page: a full page may have a sequel
    assert [call['EID'] for call in fake.calls] == [
        '100000??',
        '100000??',
        '100001??',
        '10000005',
        '10000120',
        '10000120',
    ]
    assert result['still_unregistered'] == [] and result['polls'] == 2 and result['waited'] == 10
    assert result['summary']['registered'] == 150 and result['requests'] == 6
    assert time.sleeps == [5, 5]


def test_wait_times_out_without_raising(make_client):
    client, _fake, _sleeps = make_client(Registering({'1001': 0, '1002': 99}))
    time = FakeTime()
    result = wait_for_registered(
        client,
        plan_queries(eids=['1001', '1002', '1003']),
        timeout=12,
        interval=5,
        sleep=time.sleep,
        clock=time.clock,
        summary_only=True,
    )
    assert result['still_unregistered'] == ['1002', '1003']
    assert result['missing'] == ['1003'] and list(result['terminals']) == ['1002']
    assert time.sleeps == [5, 5, 2] and result['waited'] == 12 and result['polls'] == 3


def test_zero_timeout_is_one_query(make_client):
    client, fake, _sleeps = make_client(Registering({'1001': 99}))
    time = FakeTime()
    result = wait_for_registered(
        client, plan_queries(eids=['1001']), timeout=0, interval=1, sleep=time.sleep, clock=time.clock
    )
    assert (
        len(fake.calls) == 2 and result['still_unregistered'] == ['1001'] and result['waited'] == 0
    )  # a page and its confirmation


def test_failure_during_wait_leaves_ids_unknown(make_client):
    client, _fake, _sleeps = make_client(
        Registering({'1001': 99, '1002': 0}, fail_calls={2}), retries=0
    )  # the first poll
    time = FakeTime()
    result = wait_for_registered(
        client, plan_queries(eids=['1001', '1002']), timeout=5, interval=5, sleep=time.sleep, clock=time.clock
    )
    assert result['unknown'] == ['1001'] and '1001' not in result['terminals']
    assert result['terminals']['1002']['registered'] is True
    assert result['still_unregistered'] == ['1001']
    assert result['errors'] == [
        'EID 1001: cannot reach 10.1.1.1:28443 (connection refused) after 1 attempt: '
        'check url and that CC-CMS (or the NSLB) is reachable'
    ]


def test_failed_pattern_is_asked_again(make_client):
    client, fake, _sleeps = make_client(Registering({'2001': 0}, fail_calls={0}), retries=0)
    time = FakeTime()
    result = wait_for_registered(
        client, plan_queries(eids=['200?']), timeout=30, interval=5, sleep=time.sleep, clock=time.clock
    )
    assert [call['EID'] for call in fake.calls] == [
        '200?',
        '200?',
        '200?',
    ]  # failed, asked again, its short page confirmed
    assert result['unknown'] == [] and result['errors'] == [] and result['still_unregistered'] == []


@pytest.mark.parametrize('timeout, interval', [(-1, 5), (10, 0), ('10', 5), (True, 5)])
def test_wait_options(make_client, timeout, interval):
    client, _fake, _sleeps = make_client(Registering({}))
    with pytest.raises(OptionError):
        wait_for_registered(client, plan_queries(eids=['1']), timeout=timeout, interval=interval)


@pytest.mark.parametrize(
    'selection',
    [
        {'eid_ranges': ['70000000-70000349']},  # disjoint blocks: registered records are only counted
        {
            'eids': ['70000001', '70000002', '7000001?', '700002*'],
            'allow_unbounded_wildcards': True,
        },  # overlapping answers
    ],
)
def test_summary_only_streams_the_same_answer(make_client, selection):
    terminals = {
        f'{70000000 + n}': (
            [('u#1', 'registered' if n % 3 else 'not register')] + ([('u#2', 'registered')] if n % 5 == 0 else [])
        )
        for n in range(350)
    }
    plan = plan_queries(**selection)
    full_client, _fake, _sleeps = make_client(TerminalTable(terminals))
    full = query_status(full_client, plan)
    summary_client, _fake, _sleeps = make_client(TerminalTable(terminals))
    summary = query_status(summary_client, plan, summary_only=True)
    assert summary['summary'] == full['summary'] and full['summary']['total'] > 0
    assert summary['terminals'] == {
        eid: record for eid, record in full['terminals'].items() if not record['registered']
    }
    assert list(full['terminals']) == sorted(full['terminals'])
    assert (summary['missing'], summary['unknown'], summary['warnings']) == (
        full['missing'],
        full['unknown'],
        full['warnings'],
    )


def test_terminal_in_two_answers_keeps_all_its_rows(make_client):
    terminals = {'71000001': [('u#1', 'not register'), ('u#2', 'registered')], '71000002': [('u#1', 'registered')]}

    def handler(body, index):
        # Each EID sees another UAP of 71000001, as two UAP pools answering differently would.
        table = {
            eid: [row for row in uaps if body['EID'] != '7100000?' or row[0] == 'u#1']
            for eid, uaps in terminals.items()
        }
        if body['EID'] == '71*':
            table = {'71000001': [('u#2', 'registered')]}
        return TerminalTable(table)(body, index)

    client, _fake, _sleeps = make_client(handler)
    result = query_status(
        client, plan_queries(eids=['7100000?', '71*'], allow_unbounded_wildcards=True), summary_only=True
    )
    assert result['terminals'] == {}
    assert result['summary']['total'] == 2 and result['summary']['registered'] == 2
    assert result['summary']['by_uap'] == {
        'u#1': {'total': 2, 'registered': 1, 'not_registered': 1},
        'u#2': {'total': 1, 'registered': 1, 'not_registered': 0},
    }


def test_the_wait_ends_by_the_task_deadline(make_client):
    """total_timeout bounds the wait loop: no sleep runs past it and the sentence names it, not wait_timeout."""
    client, fake, _sleeps = make_client(Registering({'1001': 0, '1002': 99}))
    time = FakeTime()
    client.deadline = Deadline(8, clock=time.clock)
    result = wait_for_registered(
        client, plan_queries(eids=['1001', '1002']), timeout=60, interval=5, sleep=time.sleep, clock=time.clock
    )
    assert time.sleeps == [5, 3] and result['polls'] == 1 and fake.calls
    assert result['still_unregistered'] == ['1002'] and result['total_timeout'] == 8
    result['wait_timeout'] = 60
    assert (
        failure_sentence(result)
        == '1 terminals still not registered when total_timeout=8.0 ran out, after waiting 8.0 seconds: 1002'
    )


class Scripted(TerminalTable):
    """Terminals whose state changes at each sleep: ``script`` maps ID -> one letter per answer
    (R registered, N not registered, M absent); the last letter holds once the script runs out."""

    def __init__(self, script: dict) -> None:
        super().__init__({})
        self.script = script
        self.answer = 0
        self.turn()

    def turn(self) -> None:
        self.terminals = {}
        for eid, letters in self.script.items():
            letter = letters[min(self.answer, len(letters) - 1)]
            if letter == 'E':  # registered on another UAP
                self.terminals[eid] = [('u#1', 'not register'), ('u#2', 'registered')]
            elif letter != 'M':
                self.terminals[eid] = [('u#1', 'registered' if letter == 'R' else 'not register')]


class ScriptedTime(FakeTime):
    def __init__(self, table: Scripted) -> None:
        super().__init__()
        self.table = table

    def sleep(self, seconds: float) -> None:
        super().sleep(seconds)
        self.table.answer += 1
        self.table.turn()


WORDS = {'R': 'registered', 'N': 'not registered', 'M': 'missing', 'E': 'registered elsewhere'}


# script, stable_polls -> (history seen, flapping, still pending at the end, polls)
@pytest.mark.parametrize(
    ('script', 'stable_polls', 'seen', 'flapping', 'pending', 'polls'),
    [
        ('NR', 1, 'NR', False, False, 1),
        ('NRR', 2, 'NRR', False, False, 2),
        ('NRRR', 3, 'NRRR', False, False, 3),
        ('RNRR', 2, 'RNRR', True, False, 3),  # registered, lost, then stable: flapping
        ('NRNRR', 2, 'NRNRR', True, False, 4),
        ('NRMRR', 2, 'NRMRR', True, False, 4),  # absent after registered is a flap too
        ('RR', 2, 'RR', False, False, 1),
        ('NRNRNRNR', 2, 'NRNRNRN', True, True, 6),  # never stable before the time runs out (6 polls of 5 s in 30 s)
    ],
)
def test_wait_counts_a_terminal_back_after_stable_polls(
    make_client, script, stable_polls, seen, flapping, pending, polls
):
    table = Scripted({'1001': script})
    client, _fake, _sleeps = make_client(table)
    time = ScriptedTime(table)
    result = wait_for_registered(
        client,
        plan_queries(eids=['1001']),
        timeout=30,
        interval=5,
        sleep=time.sleep,
        clock=time.clock,
        stable_polls=stable_polls,
        history=True,
    )
    assert result['history'] == {'1001': [WORDS[letter] for letter in seen]}
    assert result['flapping'] == (['1001'] if flapping else [])
    assert result['still_unregistered'] == (['1001'] if pending else [])
    assert result['polls'] == polls


def test_wait_history_per_terminal_polls_only_the_unsettled(make_client):
    table = Scripted({'1001': 'RRRR', '1002': 'NRRR', '1003': 'NRNRR'})
    client, fake, _sleeps = make_client(table, max_concurrency=1)
    time = ScriptedTime(table)
    result = wait_for_registered(
        client,
        plan_queries(eids=['1001', '1002', '1003']),
        timeout=60,
        interval=5,
        sleep=time.sleep,
        clock=time.clock,
        stable_polls=2,
        history=True,
    )
    assert result['history'] == {
        '1001': ['registered', 'registered'],
        '1002': ['not registered', 'registered', 'registered'],
        '1003': ['not registered', 'registered', 'not registered', 'registered', 'registered'],
    }
    assert result['flapping'] == ['1003'] and result['still_unregistered'] == []


def test_wait_without_history_keeps_its_answer(make_client):
    table = Scripted({'1001': 'NR'})
    client, _fake, _sleeps = make_client(table)
    time = ScriptedTime(table)
    result = wait_for_registered(
        client, plan_queries(eids=['1001']), timeout=30, interval=5, sleep=time.sleep, clock=time.clock
    )
    assert 'history' not in result and 'flapping' not in result and result['polls'] == 1


@pytest.mark.parametrize('stable_polls', [0, True, 1.5])
def test_wait_refuses_bad_stable_polls(make_client, stable_polls):
    client, _fake, _sleeps = make_client(Scripted({'1001': 'R'}))
    with pytest.raises(OptionError, match='stable_polls must be an integer of at least 1'):
        wait_for_registered(client, plan_queries(eids=['1001']), timeout=1, interval=1, stable_polls=stable_polls)


def on_first_uap(_eid, record):
    return any(row['uap'] == 'u#1' and row['register_status'] == 'registered' for row in record['uaps'])


@pytest.mark.parametrize(
    ('script', 'seen', 'flapping', 'pending'),
    [
        ('ERR', 'ERR', False, False),  # registered elsewhere first: not back until on the wanted UAP
        ('RER', 'RERR', True, False),  # moved away and back: flapping under the policy
        ('EEEEEEEE', 'EEEEEEE', False, True),
    ],
)
def test_wait_with_accept_waits_for_the_wanted_uap(make_client, script, seen, flapping, pending):
    table = Scripted({'1001': script})
    client, _fake, _sleeps = make_client(table)
    time = ScriptedTime(table)
    result = wait_for_registered(
        client,
        plan_queries(eids=['1001']),
        timeout=30,
        interval=5,
        sleep=time.sleep,
        clock=time.clock,
        stable_polls=2,
        history=True,
        accept=on_first_uap,
    )
    assert result['history'] == {'1001': [WORDS[letter] for letter in seen]}
    assert result['flapping'] == (['1001'] if flapping else [])
    assert result['still_unregistered'] == (['1001'] if pending else [])


# --- select: a JMESPath expression over each record -------------------------------------------


def on_uap_2(record):
    return compile_selection("uaps[?uap == 'u#2']", 'select').matches(record)


def test_select_keeps_matching_records_and_never_drops_missing_or_unknown(make_client):
    terminals = {
        '1001': [('u#1', 'registered')],
        '1002': [('u#2', 'registered')],
        '1003': [('u#2', 'not register')],
        '1004': [('u#1', 'not register')],
    }
    client, _fake, _sleeps = make_client(TerminalTable(terminals))
    result = query_status(client, plan_queries(eids=['1001', '1002', '1003', '1004', '1005']), keep=on_uap_2)
    assert list(result['terminals']) == ['1002', '1003'] and result['deselected'] == 2
    assert result['missing'] == ['1005']  # no record to judge: kept, as missing
    assert (
        result['summary']['total'] == 2 and result['summary']['registered'] == 1 and result['summary']['missing'] == 1
    )


def test_select_with_summary_only_judges_every_record_before_dropping_the_registered(make_client):
    terminals = {'1001': [('u#2', 'registered')], '1002': [('u#2', 'not register')], '1003': [('u#1', 'registered')]}
    client, _fake, _sleeps = make_client(TerminalTable(terminals))
    result = query_status(client, plan_queries(eid_ranges=['1001-1003']), summary_only=True, keep=on_uap_2)
    assert list(result['terminals']) == ['1002'] and result['deselected'] == 1
    assert result['summary']['total'] == 2 and result['summary']['registered'] == 1


def test_wait_does_not_wait_for_terminals_the_selection_leaves_out(make_client):
    terminals = {'1001': [('u#2', 'registered')], '1002': [('u#1', 'not register')]}
    client, fake, _sleeps = make_client(TerminalTable(terminals))
    time = FakeTime()
    result = wait_for_registered(
        client,
        plan_queries(eids=['1001', '1002']),
        timeout=60,
        interval=5,
        sleep=time.sleep,
        clock=time.clock,
        keep=on_uap_2,
    )
    assert result['still_unregistered'] == [] and result['polls'] == 0 and time.sleeps == []
    assert list(result['terminals']) == ['1001'] and result['deselected'] == 1
    assert len(fake.calls) == result['requests']


def test_run_query_echoes_the_selection_and_refuses_a_bad_one_before_any_request(make_client):
    terminals = {'1001': [('u#2', 'registered')], '1002': [('u#1', 'registered')]}
    client, fake, _sleeps = make_client(TerminalTable(terminals))
    selection = "uaps[?uap == 'u#2']"
    result = run_query(client, plan_queries(eid_ranges=['1001-1002']), select=selection)
    assert result['select'] == selection and result['deselected'] == 1 and list(result['terminals']) == ['1001']
    calls = len(fake.calls)
    with pytest.raises(OptionError, match=r"^select='uaps\[\?' is not a valid JMESPath expression"):
        run_query(client, plan_queries(eid_ranges=['1001-1002']), select='uaps[?')
    assert len(fake.calls) == calls


def test_run_query_waits_with_the_default_bounds_when_asked(make_client):
    terminals = {'1001': [('u#1', 'registered')]}
    client, _cms, _sleeps = make_client(TerminalTable(terminals))
    result = run_query(client, plan_queries(eids=['1001']), wait_for='registered')
    assert result['wait_timeout'] == 300 and result['still_unregistered'] == [] and result['polls'] == 0
    with pytest.raises(OptionError, match='^wait_interval must be a whole number of seconds above 0 and at most 3600'):
        run_query(client, plan_queries(eids=['1001']), wait_for='registered', wait_interval=0)


# --- wait histories -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ('history', 'flapped', 'stable_at_2'),
    [
        (['not registered', 'registered', 'registered'], False, True),
        (['registered', 'not registered', 'registered', 'registered'], True, True),
        (['not registered', 'registered', 'missing', 'registered'], True, False),
        (
            ['not registered', 'registered', 'unknown', 'registered'],
            False,
            False,
        ),  # a failed poll is no evidence of a flap
        (
            ['registered', 'registered elsewhere', 'registered', 'registered'],
            True,
            True,
        ),  # moved away under the UAP policy
        (['registered', 'registered'], False, True),
        (['not registered', 'not registered'], False, False),
    ],
)
def test_flapping_and_stable_histories(history, flapped, stable_at_2):
    assert engine.flapped(history) is flapped
    assert engine.stable(history, 2) is stable_at_2
