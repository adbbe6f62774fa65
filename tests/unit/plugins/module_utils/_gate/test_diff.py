# Copyright (c) 2026 aicc.cms contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""registration_diff: examples, bad input, and a property test against a per-ID oracle."""

from __future__ import annotations

import pytest
from ansible_collections.aicc.cms.plugins.module_utils._gate.diff import CATEGORIES, DiffInputError, registration_diff
from hypothesis import given, settings
from hypothesis import strategies as st


def record(eid, registered, uaps=None):
    uaps = uaps if uaps is not None else {'10.0.0.1#1': 'registered' if registered else 'not register'}
    return {
        'equipment_id': eid,
        'registered': registered,
        'uaps': [{'uap': uap, 'register_status': status, 'socket_status': 'normal'} for uap, status in uaps.items()],
    }


def result(registered=(), unregistered=(), missing=(), unknown=()):
    terminals = {eid: record(eid, True) for eid in registered}
    terminals.update({eid: record(eid, False) for eid in unregistered})
    return {'terminals': terminals, 'missing': list(missing), 'unknown': list(unknown), 'summary': {}}


def test_every_category_from_module_results():
    before = result(registered=['1', '2', '3', '9'], unregistered=['4', '5', '6'], missing=['7', '8'], unknown=['10'])
    after = result(registered=['1', '5', '7', '10'], unregistered=['2', '6', '11'], missing=['3', '8'], unknown=['9'])
    diff = registration_diff(before, after)
    assert diff['unchanged_registered'] == ['1']
    assert diff['regressed'] == ['2']
    assert diff['missing'] == ['3', '4']
    assert diff['recovered'] == ['5']
    assert diff['still_unregistered'] == ['6']
    assert diff['new'] == ['11', '7']
    assert diff['still_missing'] == ['8']
    assert diff['unknown'] == ['10', '9']
    assert diff['counts']['scope'] == 11
    assert diff['counts']['registered_before'] == 3  # 9 was registered but is unknown now
    assert diff['counts']['registered_now'] == 3  # 10 is registered but was unknown before


def test_plain_terminals_dicts_absent_means_missing():
    diff = registration_diff({'1': record('1', True), '2': record('2', True)}, {'1': record('1', True)})
    assert diff['missing'] == ['2']
    assert diff['details']['2']['after'] == 'absent'


def test_per_uap_detail_of_a_regression():
    before = {'1': record('1', True, {'10.0.0.1#1': 'registered', '10.0.0.2#2': 'not register'})}
    after = {'1': record('1', False, {'10.0.0.1#1': 'not register', '10.0.0.2#2': 'not register'})}
    diff = registration_diff(before, after)
    assert diff['details']['1'] == {
        'category': 'regressed',
        'before': 'registered',
        'after': 'not registered',
        'uaps': [
            {'uap': '10.0.0.1#1', 'before': 'registered', 'after': 'not register'},
            {'uap': '10.0.0.2#2', 'before': 'not register', 'after': 'not register'},
        ],
    }
    assert diff['by_uap']['10.0.0.1#1']['regressed'] == ['1']


def test_unknown_now_keeps_baseline_uaps_and_no_current_detail():
    before = result(registered=['1'])
    after = {'terminals': {'1': record('1', True)}, 'missing': [], 'unknown': ['1']}
    diff = registration_diff(before, after)
    assert diff['unknown'] == ['1'] and diff['unchanged_registered'] == []
    assert diff['details']['1']['after'] == 'unknown'
    assert diff['details']['1']['uaps'] == [{'uap': '10.0.0.1#1', 'before': 'registered', 'after': None}]


def test_a_terminal_named_terminals_is_still_a_terminal():
    diff = registration_diff({'terminals': record('terminals', True)}, {})
    assert diff['missing'] == ['terminals']


@pytest.mark.parametrize(
    ('baseline', 'current', 'words'),
    [
        (None, {}, 'baseline must be a dict'),
        ({}, ['1'], 'current state must be a dict'),
        ({'1': {'equipment_id': '1'}}, {}, "baseline terminal '1' has no true/false 'registered'"),
        ({'1': 'registered'}, {}, "baseline terminal '1'"),
        ({'terminals': {}, 'missing': '1'}, {}, "baseline 'missing' must be a list"),
        ({}, {'terminals': {}, 'unknown': 5}, "current state 'unknown' must be a list"),
    ],
)
def test_bad_input_is_one_sentence(baseline, current, words):
    with pytest.raises(DiffInputError, match=words) as caught:
        registration_diff(baseline, current)
    assert '\n' not in str(caught.value)


# --- property test: the set algebra of the implementation against a per-ID lookup table --------

# (state before, state now) -> category; "absent" = in neither terminals nor missing
ORACLE_TABLE = {
    ('reg', 'reg'): 'unchanged_registered',
    ('reg', 'unreg'): 'regressed',
    ('reg', 'missing'): 'missing',
    ('reg', 'absent'): 'missing',
    ('unreg', 'reg'): 'recovered',
    ('unreg', 'unreg'): 'still_unregistered',
    ('unreg', 'missing'): 'missing',
    ('unreg', 'absent'): 'missing',
    ('missing', 'reg'): 'new',
    ('missing', 'unreg'): 'new',
    ('missing', 'missing'): 'still_missing',
    ('missing', 'absent'): 'still_missing',
    ('absent', 'reg'): 'new',
    ('absent', 'unreg'): 'new',
    ('absent', 'missing'): 'still_missing',
}
STATES = ('reg', 'unreg', 'missing', 'absent', 'unknown', 'unknown_with_record')


def oracle(states):
    """states: {eid: (before, now)} -> {category: sorted IDs}."""
    answer = {name: [] for name in CATEGORIES}
    for eid, (before, now) in sorted(states.items()):
        if before.startswith('unknown') or now.startswith('unknown'):
            answer['unknown'].append(eid)
        elif (before, now) != ('absent', 'absent'):
            answer[ORACLE_TABLE[(before, now)]].append(eid)
    return answer


def build(states, index):
    built = {'terminals': {}, 'missing': [], 'unknown': []}
    for eid, pair in states.items():
        state = pair[index]
        if state in ('reg', 'unreg', 'unknown_with_record'):
            built['terminals'][eid] = record(eid, state == 'reg')
        if state == 'missing':
            built['missing'].append(eid)
        if state.startswith('unknown'):
            built['unknown'].append(eid)
    return built


eids = st.text(alphabet='0123456789AZaz*_-.', min_size=1, max_size=6)
state_pairs = st.dictionaries(eids, st.tuples(st.sampled_from(STATES), st.sampled_from(STATES)), max_size=40)


@settings(max_examples=300, deadline=None)
@given(state_pairs)
def test_diff_matches_per_id_oracle(states):
    diff = registration_diff(build(states, 0), build(states, 1))
    expected = oracle(states)
    for name in CATEGORIES:
        assert diff[name] == expected[name], name
        assert diff['counts'][name] == len(expected[name])
    assert diff['counts']['scope'] == sum(len(ids) for ids in expected.values())
    assert set(diff['details']) == {
        eid for name in ('regressed', 'recovered', 'missing', 'new', 'unknown') for eid in expected[name]
    }


@settings(max_examples=100, deadline=None)
@given(state_pairs)
def test_no_id_is_ever_both_fine_and_unknown(states):
    diff = registration_diff(build(states, 0), build(states, 1))
    placed = [eid for name in CATEGORIES for eid in diff[name]]
    assert len(placed) == len(set(placed))
    assert not set(diff['unknown']) & set(diff['unchanged_registered'] + diff['recovered'])
