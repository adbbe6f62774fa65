# Copyright (c) 2026 aicc.cms contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Scenario steps, driven by a manual clock, and the shipped scenario files."""

from __future__ import annotations

from pathlib import Path

import pytest
from simulator.scenario import ScenarioError, ScenarioRunner, load_scenario
from simulator.store import REGISTERED, TerminalStore

SCENARIOS = Path(__file__).resolve().parents[2] / 'simulator' / 'scenarios'
UAP1, UAP2 = '10.10.0.1#1', '10.10.0.2#2'


class ManualClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def _runner(scenario, uaps=1):
    store = TerminalStore.generate(['8880000-8880099'], uaps=uaps, registered_ratio=1.0, seed=1, uap_disagreement=0.0)
    clock = ManualClock()
    return ScenarioRunner(load_scenario(scenario), store, clock=clock), store, clock


def _down(store) -> list[str]:
    return [eid for eid in store.eids if not store.is_registered(eid)]


def test_steps_apply_when_due_and_not_before_start():
    runner, store, clock = _runner(
        [
            {'at': 0, 'eids': ['8880001'], 'ranges': ['8880010-8880012'], 'register_status': 'not register'},
            {'at': 5, 'eids': ['8880010'], 'register_status': 'registered', 'socket_status': 'connecting'},
        ]
    )
    runner.advance()
    assert _down(store) == []
    runner.start()
    assert _down(store) == ['8880001', '8880010', '8880011', '8880012']
    clock.now += 4.9
    runner.advance()
    assert len(_down(store)) == 4
    clock.now += 0.1
    runner.advance()
    assert _down(store) == ['8880001', '8880011', '8880012']
    assert store.terminal('8880010')[UAP1]['socketStatus'] == 'connecting'
    assert [step['step'] for step in runner.status()['steps_applied']] == [1, 2]


def test_sample_is_deterministic_and_all_but_keeps_some_down():
    scenario = {
        'seed': 4,
        'steps': [
            {'at': 0, 'sample': 10, 'register_status': 'not register'},
            {'at': 1, 'all_but': 3, 'register_status': 'registered'},
        ],
    }
    first, first_store, first_clock = _runner(scenario)
    second, second_store, _clock = _runner(scenario)
    first.start()
    second.start()
    dropped = _down(first_store)
    assert len(dropped) == 10 and dropped == _down(second_store)
    first_clock.now += 1
    first.advance()
    still_down = _down(first_store)
    assert len(still_down) == 3 and set(still_down) <= set(dropped)


def test_all_but_list_and_per_uap_steps():
    runner, store, clock = _runner(
        [
            {'at': 0, 'eids': ['8880001', '8880002', '8880003'], 'register_status': 'not register', 'uap': UAP2},
            {'at': 1, 'all_but': ['8880002'], 'register_status': 'registered', 'uap': UAP2},
        ],
        uaps=2,
    )
    runner.start()
    assert _down(store) == []  # still registered on UAP1
    assert store.terminal('8880001')[UAP2]['registerStatus'] == 'not register'
    assert store.terminal('8880001')[UAP1]['registerStatus'] == REGISTERED
    clock.now += 1
    runner.advance()
    assert [eid for eid in store.eids if not store.is_registered(eid, UAP2)] == ['8880002']


def test_restart_replays_from_the_beginning():
    runner, store, clock = _runner(
        [
            {'at': 0, 'eids': ['8880001'], 'register_status': 'not register'},
            {'at': 2, 'eids': ['8880001'], 'register_status': 'registered'},
        ]
    )
    runner.start()
    clock.now += 2
    runner.advance()
    assert _down(store) == []
    runner.start()
    assert _down(store) == ['8880001']


@pytest.mark.parametrize(
    'name, dropped, left_down', [('recovery', 30, 0), ('regression', 25, 3), ('clean', 0, 0), ('late', 20, 0)]
)
def test_shipped_scenarios(name, dropped, left_down):
    scenario = load_scenario(SCENARIOS / f'{name}.yml')
    assert scenario['start'] == 'trigger'
    runner, store, clock = _runner(scenario)
    runner.start()
    assert len(_down(store)) == dropped
    clock.now += 14
    runner.advance()
    assert len(_down(store)) == (dropped if name == 'late' else left_down)
    clock.now += 1
    runner.advance()
    assert len(_down(store)) == left_down


def test_after_queries_steps_follow_the_queries_that_ask_for_their_terminals():
    runner, store, _clock = _runner(
        [
            {'at': 0, 'eids': ['8880007'], 'register_status': 'not register'},
            {'after_queries': 1, 'eids': ['8880007'], 'register_status': 'registered'},
            {'after_queries': 2, 'eids': ['8880007'], 'register_status': 'not register'},
        ]
    )
    runner.advance('8880007', 0)
    assert _down(store) == []  # before the start nothing counts
    runner.start()
    states = []
    for eid, offset in [
        ('88800??', 0),
        ('88800??', 100),
        ('88801??', 0),
        ('8880007', 0),
        ('8880007', 0),
        ('8880007', 0),
    ]:
        runner.advance(eid, offset)
        states.append(store.is_registered('8880007'))
    # a next page (offset 100) and a query of other IDs count for nothing
    assert states == [False, False, False, True, False, False]
    assert [step['step'] for step in runner.status()['steps_applied']] == [1, 2, 3]


@pytest.mark.parametrize(
    'scenario, message',
    [
        ({'steps': [{'at': 0, 'register_status': 'gone', 'eids': ['1']}]}, 'registerStatus'),
        ({'steps': [{'at': 0, 'register_status': 'registered'}]}, 'needs eids'),
        ({'steps': [{'at': 0, 'register_status': 'registered', 'sample': 1, 'all_but': 1}]}, 'needs eids'),
        ({'steps': [{'at': 'soon', 'register_status': 'registered', 'eids': ['1']}]}, 'seconds'),
        ({'steps': [{'at': 0, 'register_status': 'registered', 'eids': ['1'], 'when': 1}]}, 'unknown keys'),
        ({'start': 'later', 'steps': []}, 'start'),
        ({'steps': [{'after_queries': 0, 'register_status': 'registered', 'eids': ['1']}]}, 'after_queries'),
        ({'steps': [{'after_queries': 1, 'at': 2, 'register_status': 'registered', 'eids': ['1']}]}, 'without at'),
        ({'steps': [{'after_queries': 1, 'register_status': 'registered', 'sample': 2}]}, 'with eids'),
        ('/nonexistent/scenario.yml', 'cannot be read'),
    ],
)
def test_invalid_scenarios_are_explained(scenario, message):
    with pytest.raises(ScenarioError, match=message):
        load_scenario(scenario)


def test_scenario_trigger_through_the_server(make_sim):
    sim = make_sim(ranges=('8880000-8880099',), registered_ratio=1.0, scenario=str(SCENARIOS / 'recovery.yml'))
    assert not sim.stats()['scenario']['started']
    sim.start_scenario()
    status = sim.stats()['scenario']
    assert status['started'] and len(status['steps_applied'][0]['eids']) == 30
    assert sim.terminal(status['steps_applied'][0]['eids'][0])[UAP1]['registerStatus'] == 'not register'


def test_scenario_starts_with_the_server_unless_triggered(make_sim):
    inline = {'steps': [{'at': 0, 'eids': ['8880001'], 'register_status': 'not register'}]}
    assert make_sim(scenario=inline).terminal('8880001')[UAP1]['registerStatus'] == 'not register'
    triggered = make_sim(scenario=inline, scenario_trigger=True, registered_ratio=1.0)
    assert triggered.terminal('8880001')[UAP1]['registerStatus'] == REGISTERED
