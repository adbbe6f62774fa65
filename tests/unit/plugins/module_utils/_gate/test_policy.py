# Copyright (c) 2026 aicc.cms contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Gate policy: levels, exceptions, stability, UAP policy, exclusion, blast radius; one table per rule."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import pytest
from ansible_collections.aicc.cms.plugins.module_utils._errors import OptionError
from ansible_collections.aicc.cms.plugins.module_utils._gate import policy as _policy
from ansible_collections.aicc.cms.plugins.module_utils._gate.verdict import check_settings, evaluate, policy_settings

R, N = 'registered', 'not register'
CHECKED_AT = '2026-12-02T22:00:00Z'


def record(eid, uaps):
    """A terminal record as aicc_terminal_status returns it; ``uaps`` maps UAP -> register status."""
    return {
        'equipment_id': eid,
        'registered': R in uaps.values(),
        'uaps': [
            {'uap': uap, 'register_status': status, 'socket_status': 'connected', 'termination_type': 'sip'}
            for uap, status in uaps.items()
        ],
    }


def state(terminals, missing=(), unknown=(), errors=()):
    answer = {
        'terminals': {eid: record(eid, uaps) for eid, uaps in terminals.items()},
        'missing': list(missing),
        'unknown': list(unknown),
        'errors': list(errors),
    }
    if errors:
        answer.update(failed=True, msg=errors[0])
    return answer


def fleet(registered_before: int, regressed: int):
    """``registered_before`` terminals on UAP a; the first ``regressed`` are not registered now."""
    ids = [f'8880{number:04d}' for number in range(registered_before)]
    before = state({eid: {'a': R} for eid in ids})
    after = state({eid: {'a': N if index < regressed else R} for index, eid in enumerate(ids)})
    return before, after


def post(before, after, max_regressions=0, required_eids=None, stability=None, **policy):
    return evaluate(
        after,
        'post',
        baseline=before,
        max_regressions=max_regressions,
        required_eids=required_eids,
        checked_at=CHECKED_AT,
        policy=policy,
        stability=stability,
    )


# --- levels ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ('regressed', 'levels', 'verdict'),
    [
        (0, {}, 'PASS'),
        (1, {}, 'FAIL'),  # today's behaviour: none allowed
        (3, {'max_regressions': 3}, 'PASS'),  # at the fail level: passes
        (4, {'max_regressions': 3}, 'FAIL'),  # one more: fails
        (2, {'max_regressions': 3, 'warn_regressions': 2}, 'PASS'),  # at the warn level: no warning
        (3, {'max_regressions': 3, 'warn_regressions': 2}, 'WARN'),  # above it: a warning
        (4, {'max_regressions': 3, 'warn_regressions': 2}, 'FAIL'),
        (10, {'max_regressions': 100, 'max_regressions_ratio': 0.1}, 'PASS'),  # 10 of 100 = 10%: at the ratio
        (11, {'max_regressions': 100, 'max_regressions_ratio': 0.1}, 'FAIL'),  # 11%: above
        (5, {'max_regressions': 100, 'warn_regressions_ratio': 0.05}, 'PASS'),
        (6, {'max_regressions': 100, 'warn_regressions_ratio': 0.05}, 'WARN'),
        (6, {'max_regressions': 100, 'warn_regressions_ratio': 0.05, 'max_regressions_ratio': 0.1}, 'WARN'),
        (11, {'max_regressions': 100, 'warn_regressions_ratio': 0.05, 'max_regressions_ratio': 0.1}, 'FAIL'),
        (3, {'max_regressions': 3, 'warn_regressions': 2, 'warn_fails': True}, 'FAIL'),
        (2, {'max_regressions': 3, 'warn_regressions': 2, 'warn_fails': True}, 'PASS'),
    ],
)
def test_levels(regressed, levels, verdict):
    before, after = fleet(100, regressed)
    levels = dict(levels)
    result = post(before, after, max_regressions=levels.pop('max_regressions', 0), **levels)
    assert result['verdict'] == verdict
    assert result['passed'] is (verdict != 'FAIL')
    assert result['warned'] is (verdict == 'WARN')
    assert result['regression_ratio'] == regressed / 100


def test_warn_says_which_level_in_the_headline_and_one_sentence():
    before, after = fleet(10, 3)
    result = post(before, after, max_regressions=5, warn_regressions_ratio=0.2)
    assert result['verdict'] == 'WARN' and result['reasons'] == []
    assert 'aicc_gate_warn_regressions_ratio' in result['headline'] and result['headline'].startswith(
        'The window may close, with a warning'
    )
    assert result['warnings'] == [
        '3 regressions are 30.0% of the 10 terminals registered before, more than '
        'aicc_gate_warn_regressions_ratio 20.0%: 88800000, 88800001, 88800002.'
    ]
    assert result['summary_lines'][0].startswith('WARN: ')
    assert any(line.startswith('warning: 3 regressions') for line in result['summary_lines'])


def test_warn_fails_names_the_level_and_the_switch():
    before, after = fleet(10, 3)
    result = post(before, after, max_regressions=5, warn_regressions=2, warn_fails=True)
    assert result['verdict'] == 'FAIL' and not result['warned']
    assert result['reasons'] == [
        '3 regressions, more than the 2 of aicc_gate_warn_regressions (the gate fails above 5): '
        '88800000, 88800001, 88800002; aicc_gate_warn_fails is true.'
    ]


def test_ratio_fail_sentence_states_the_denominator():
    before, after = fleet(4, 1)
    result = post(before, after, max_regressions=10, max_regressions_ratio=0.2)
    assert result['reasons'] == [
        '1 regression is 25.0% of the 4 terminals registered before, more than '
        'aicc_gate_max_regressions_ratio 20.0%: 88800000.'
    ]


def test_ratio_without_any_terminal_registered_before_counts_against_one():
    before = state({'1': {'a': N}})
    after = state({}, missing=['1'])
    result = post(before, after, max_regressions=5, max_regressions_ratio=0.5)
    assert result['regression_ratio'] == 1.0 and not result['passed']


@pytest.mark.parametrize(
    ('values', 'words'),
    [
        ({'max_regressions_ratio': 1.5}, 'aicc_gate_max_regressions_ratio must be a number between 0 and 1, got 1.5.'),
        ({'warn_regressions': -1}, 'aicc_gate_warn_regressions must be an integer between 0 and 1000000, got -1.'),
        ({'warn_regressions': 2.5}, 'aicc_gate_warn_regressions must be an integer between 0 and 1000000'),
        (
            {'warn_regressions_ratio': 'lots'},
            "aicc_gate_warn_regressions_ratio must be a number between 0 and 1, got 'lots'.",
        ),
        (
            {'warn_regressions': 3, 'max_regressions': 3},
            'aicc_gate_warn_regressions (3) must be below aicc_gate_max_regressions (3)',
        ),
        (
            {'warn_regressions_ratio': 0.2, 'max_regressions_ratio': 0.1},
            'aicc_gate_warn_regressions_ratio (0.2) must be below',
        ),
        ({'warn_fails': 'maybe'}, "aicc_gate_warn_fails must be true or false, not 'maybe'."),
        ({'flapping_fails': 2}, 'aicc_gate_flapping_fails must be true or false, not 2.'),
        ({'stable_polls': 0}, 'aicc_gate_stable_polls must be an integer between 1 and 100, got 0.'),
        ({'stable_polls': 101}, 'aicc_gate_stable_polls must be an integer between 1 and 100, got 101.'),
        ({'uap_policy': 'most'}, "aicc_gate_uap_policy must be one of any, all, same, not 'most'."),
        (
            {'exclude_when': 5},
            'aicc_gate_exclude_when must be a JMESPath expression over a terminal record (a string), not 5.',
        ),
    ],
)
def test_policy_variables_are_checked_in_one_sentence(values, words):
    with pytest.raises(OptionError) as caught:
        policy_settings(values)
    assert str(caught.value).startswith(words)
    with pytest.raises(OptionError):
        check_settings(dict(values, site='s1', report_dir='reports'))


def test_defaults_keep_todays_behaviour():
    settings = check_settings({'site': 's1', 'report_dir': 'reports'})
    assert {
        name: settings[name]
        for name in (
            'max_regressions_ratio',
            'warn_regressions',
            'warn_regressions_ratio',
            'warn_fails',
            'stable_polls',
            'flapping_fails',
            'uap_policy',
            'exclude_when',
        )
    } == {
        'max_regressions_ratio': None,
        'warn_regressions': None,
        'warn_regressions_ratio': None,
        'warn_fails': False,
        'stable_polls': 2,
        'flapping_fails': True,
        'uap_policy': 'any',
        'exclude_when': None,
    }
    assert (
        check_settings({'site': 's1', 'report_dir': 'r', 'warn_fails': 'yes', 'stable_polls': '3'})['stable_polls'] == 3
    )


# --- exceptions ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ('entries', 'words'),
    [
        ('888', 'aicc_gate_exceptions must be a list'),
        (['888'], 'aicc_gate_exceptions[0] must be a dict'),
        (
            [{'reason': 'r', 'until': '2027-01-01'}],
            'aicc_gate_exceptions[0] must name exactly one of eid, range or pattern, not 0.',
        ),
        (
            [{'eid': '1', 'pattern': '1?', 'reason': 'r', 'until': '2027-01-01'}],
            'aicc_gate_exceptions[0] must name exactly one of',
        ),
        (
            [{'eid': '1', 'reason': 'r', 'until': '2027-01-01'}, {'eid': '2', 'until': '2027-01-01'}],
            'aicc_gate_exceptions[1].reason must be a non-empty sentence',
        ),
        (
            [{'eid': '1', 'reason': '  ', 'until': '2027-01-01'}],
            'aicc_gate_exceptions[0].reason must be a non-empty sentence',
        ),
        ([{'eid': '1', 'reason': 'r'}], 'aicc_gate_exceptions[0].until must be an ISO date'),
        ([{'eid': '1', 'reason': 'r', 'until': 'next week'}], 'aicc_gate_exceptions[0].until must be an ISO date'),
        (
            [{'range': '200-100', 'reason': 'r', 'until': '2027-01-01'}],
            'aicc_gate_exceptions[0].range must be START-END',
        ),
        (
            [{'range': '10-200', 'reason': 'r', 'until': '2027-01-01'}],
            'aicc_gate_exceptions[0].range must be START-END',
        ),
        (
            [{'eid': '1', 'reason': 'r', 'until': '2027-01-01', 'why': 'x'}],
            'aicc_gate_exceptions[0] has unknown keys why',
        ),
    ],
)
def test_bad_exceptions_name_the_entry(entries, words):
    with pytest.raises(OptionError) as caught:
        policy_settings({'exceptions': entries})
    assert str(caught.value).startswith(words)


@pytest.mark.parametrize(
    ('until', 'expires'),
    [
        ('2026-12-02', datetime(2026, 12, 3, tzinfo=UTC)),  # a date holds through that day
        (date(2026, 12, 2), datetime(2026, 12, 3, tzinfo=UTC)),  # as YAML gives an unquoted date
        ('2026-12-02T21:00:00', datetime(2026, 12, 2, 21, tzinfo=UTC)),  # no zone: UTC
        ('2026-12-02T23:00:00+02:00', datetime(2026, 12, 2, 21, tzinfo=UTC)),
        ('2026-12-02T21:00:00Z', datetime(2026, 12, 2, 21, tzinfo=UTC)),
    ],
)
def test_until_forms(until, expires):
    (entry,) = _policy.check_exceptions([{'eid': '1', 'reason': 'r', 'until': until}])
    assert entry['until'] == expires


@pytest.mark.parametrize(
    ('kind', 'target', 'eid', 'covered'),
    [
        ('eid', '88801200', '88801200', True),
        ('eid', '88801200', '88801201', False),
        ('range', '88801200-88801299', '88801250', True),
        ('range', '88801200-88801299', '88801300', False),
        ('range', '88801200-88801299', '8880125', False),  # another length is another ID
        ('range', '88801200-88801299', 'sip.a', False),
        ('pattern', '888012??', '88801299', True),
        ('pattern', '888012??', '888012999', False),
        ('pattern', '888*', '888012999', True),
        ('pattern', 'sip.%', 'sip.a', True),
        ('pattern', 'sip.?', 'sipxa', False),  # '.' is literal
    ],
)
def test_what_an_exception_covers(kind, target, eid, covered):
    (entry,) = _policy.check_exceptions([{kind: target, 'reason': 'r', 'until': '2027-01-01'}])
    assert _policy.exception_covers(entry, eid) is covered


def test_excepted_terminals_are_reported_not_counted_and_stay_in_scope():
    before, after = fleet(10, 3)
    result = post(
        before, after, exceptions=[{'range': '88800000-88800001', 'reason': 'rack move CHG-1', 'until': '2027-01-01'}]
    )
    assert result['regressed'] == ['88800002'] and result['counts']['regressed'] == 1
    assert result['excepted'] == ['88800000', '88800001'] and result['counts']['excepted'] == 2
    assert result['exceptions']['88800000'] == {
        'exception': 'aicc_gate_exceptions[0]',
        'rule': 'range 88800000-88800001',
        'reason': 'rack move CHG-1',
        'until': '2027-01-01 (UTC, through that day)',
        'category': 'regressed',
    }
    assert result['counts']['scope'] == 10 and result['by_uap']['a']['regressed'] == ['88800002']
    assert not result['passed']  # 88800002 is still a regression
    everything = post(before, after, exceptions=[{'pattern': '8880000?', 'reason': 'r', 'until': '2027-01-01'}])
    assert everything['passed'] and everything['counts']['excepted'] == 10
    assert everything['exceptions']['88800005']['category'] == 'unchanged_registered'


def test_expired_exception_no_longer_applies_and_warns():
    before, after = fleet(10, 1)
    result = post(before, after, exceptions=[{'eid': '88800000', 'reason': 'r', 'until': '2026-12-01'}])
    assert not result['passed'] and result['excepted'] == []
    assert result['warnings'] == [
        'aicc_gate_exceptions[0] (eid 88800000) expired: its until 2026-12-01 (UTC, through that day) '
        'has passed, so it no longer applies; remove it or give it a later until.'
    ]
    assert 'warning: aicc_gate_exceptions[0] (eid 88800000) expired' in '\n'.join(result['summary_lines'])


def test_exception_until_the_same_day_still_holds():
    before, after = fleet(10, 1)
    assert post(before, after, exceptions=[{'eid': '88800000', 'reason': 'r', 'until': '2026-12-02'}])['passed']
    assert not post(before, after, exceptions=[{'eid': '88800000', 'reason': 'r', 'until': '2026-12-02T21:59:59Z'}])[
        'passed'
    ]


def test_first_matching_exception_decides_an_overlap():
    before, after = fleet(10, 1)
    result = post(
        before,
        after,
        exceptions=[
            {'eid': '88800000', 'reason': 'first', 'until': '2027-01-01'},
            {'pattern': '8880000?', 'reason': 'second', 'until': '2027-01-01'},
        ],
    )
    assert (
        result['exceptions']['88800000']['reason'] == 'first' and result['exceptions']['88800001']['reason'] == 'second'
    )


def test_a_required_terminal_under_an_exception_must_still_be_registered():
    before, after = fleet(10, 1)
    result = post(
        before,
        after,
        required_eids=['88800000'],
        exceptions=[{'eid': '88800000', 'reason': 'r', 'until': '2027-01-01'}],
    )
    assert not result['passed'] and result['required_not_registered'] == ['88800000']
    assert result['regressed'] == [] and result['excepted'] == ['88800000']
    assert result['warnings'] == [
        'Required terminal 88800000 is under aicc_gate_exceptions[0], but a required terminal must '
        'still be registered: the exception does not excuse it.'
    ]


def test_an_exception_never_excuses_an_unknown_terminal():
    before = fleet(3, 0)[0]
    after = state(
        {'88800000': {'a': R}, '88800001': {'a': R}}, unknown=['88800002'], errors=['EID 88800002: timed out']
    )
    result = post(before, after, exceptions=[{'eid': '88800002', 'reason': 'r', 'until': '2027-01-01'}])
    assert not result['passed'] and result['unknown'] == ['88800002']


def test_precheck_lists_excepted_terminals_and_expired_exceptions():
    current = state({'1': {'a': R}, '2': {'a': N}})
    result = evaluate(
        current,
        'pre',
        checked_at=CHECKED_AT,
        policy={
            'exceptions': [
                {'eid': '2', 'reason': 'spare', 'until': '2027-01-01'},
                {'eid': '1', 'reason': 'old', 'until': '2020-01-01'},
            ]
        },
    )
    assert (
        result['passed'] and result['excepted'] == ['2'] and result['exceptions']['2']['category'] == 'not registered'
    )
    assert len(result['warnings']) == 1 and 'aicc_gate_exceptions[1] (eid 1) expired' in result['warnings'][0]


def test_flapping_fails_by_default_and_warns_when_allowed():
    before, after = fleet(10, 0)
    answers = ['not registered', 'registered', 'not registered', 'registered', 'registered']
    stability = {'flapping': ['88800003'], 'history': {'88800003': answers}}
    failed = post(before, after, stability=stability)
    assert not failed['passed'] and failed['flapping'] == ['88800003'] and failed['counts']['flapping'] == 1
    assert failed['reasons'] == [
        '1 terminal went back and forth between registered and not registered while the gate waited '
        '(flapping): 88800003; aicc_gate_flapping_fails is true.'
    ]
    assert failed['history']['88800003'][2] == 'not registered'
    tolerated = post(before, after, stability=stability, flapping_fails=False)
    assert tolerated['verdict'] == 'WARN' and tolerated['flapping'] == ['88800003']
    assert tolerated['warnings'][0].endswith('(flapping): 88800003.')
    excepted = post(
        before, after, stability=stability, exceptions=[{'eid': '88800003', 'reason': 'r', 'until': '2027-01-01'}]
    )
    assert excepted['passed'] and excepted['flapping'] == ['88800003']


def test_a_terminal_not_stable_when_the_wait_ends_is_a_regression():
    before, after = fleet(10, 0)
    result = post(
        before,
        after,
        max_regressions=0,
        stable_polls=3,
        stability={'unstable': {'88800004': ['not registered', 'not registered', 'registered']}},
    )
    assert result['regressed'] == ['88800004'] and not result['passed']
    assert (
        result['details']['88800004']['why']
        == 'registered in only the last 1 of 3 polls, not 3 in a row (aicc_gate_stable_polls)'
    )


# --- UAP policy ------------------------------------------------------------------------------

# (UAPs before, UAPs now, regressed under any / all / same, move reported)
UAP_CASES = [
    ({'a': R}, {'a': R}, (False, False, False), None),
    ({'a': R, 'b': R}, {'a': R, 'b': N}, (False, True, True), 'registered on a, b before: no longer on b'),
    ({'a': R}, {'a': N, 'b': R}, (False, True, True), 'registered on a before: no longer on a, now on b'),
    ({'a': R}, {'a': R, 'b': R}, (False, False, True), 'registered on a before: now also on b'),
    ({'a': R, 'b': N}, {'a': R, 'b': N}, (False, False, False), None),
    ({'a': R}, {'a': N}, (True, True, True), None),  # not registered at all: regressed whatever the policy
]


@pytest.mark.parametrize(('then', 'now', 'regressed', 'moved'), UAP_CASES)
@pytest.mark.parametrize('policy_index', [0, 1, 2])
def test_uap_policy(then, now, regressed, moved, policy_index):
    policy = _policy.UAP_POLICIES[policy_index]
    result = post(state({'1': then}), state({'1': now}), max_regressions=0, uap_policy=policy)
    assert (result['regressed'] == ['1']) is regressed[policy_index]
    assert result['moves'] == ({'1': moved} if moved else {})
    if regressed[policy_index] and R in now.values():
        assert result['details']['1']['why'].startswith(f'aicc_gate_uap_policy {policy}: ')


def test_uap_policy_detail_names_the_uap_lost_and_where_it_moved():
    result = post(
        state({'1': {'a': R}, '2': {'a': R, 'b': R}}), state({'1': {'a': N, 'b': R}, '2': {'a': R}}), uap_policy='same'
    )
    assert result['details']['1']['why'] == 'aicc_gate_uap_policy same: registered on a before, on b now'
    assert result['details']['2']['why'] == 'aicc_gate_uap_policy same: registered on a, b before, on a now'
    assert (
        post(state({'2': {'a': R, 'b': R}}), state({'2': {'a': R}}), uap_policy='all')['details']['2']['why']
        == 'aicc_gate_uap_policy all: lost b, registered before; now on a'
    )
    assert 'by the UAP or stability policy' in result['reasons'][0]


# --- exclusion -------------------------------------------------------------------------------


def by_termination(record):
    return record['uaps'][0]['termination_type'] == 'h323'


def test_excluded_by_the_baseline_record_in_post_and_reported():
    before = state({'1': {'a': R}, '2': {'a': R}, '3': {'a': R}})
    before['terminals']['2']['uaps'][0]['termination_type'] = 'h323'
    after = state({'1': {'a': R}, '2': {'a': N}, '3': {'a': R}})  # 2 regressed, but it is excluded
    result = post(before, after, exclude=by_termination)
    assert result['passed'] and result['excluded'] == ['2'] and result['counts']['excluded'] == 1
    assert result['counts']['scope'] == 2 and '2' not in result['regressed']
    assert 'excluded: 2' in result['summary_lines']


def test_the_current_record_does_not_exclude_in_post():
    before = state({'1': {'a': R}})
    after = state({'1': {'a': N}})
    after['terminals']['1']['uaps'][0]['termination_type'] = 'h323'
    assert post(before, after, exclude=by_termination)['regressed'] == ['1']


def test_required_and_unknown_terminals_are_never_excluded():
    before = state({'1': {'a': R}, '2': {'a': R}}, unknown=['3'])
    for eid in ('1', '2'):
        before['terminals'][eid]['uaps'][0]['termination_type'] = 'h323'
    after = state({'1': {'a': N}, '2': {'a': R}, '3': {'a': R}})
    result = post(before, after, required_eids=['1'], exclude=by_termination)
    assert result['excluded'] == ['2'] and result['regressed'] == ['1'] and result['unknown'] == ['3']


def test_precheck_excludes_by_the_current_record():
    current = state({'1': {'a': R}, '2': {'a': N}})
    current['terminals']['2']['uaps'][0]['termination_type'] = 'h323'
    result = evaluate(current, 'pre', min_registered_ratio=1, policy={'exclude': by_termination})
    assert result['passed'] and result['excluded'] == ['2'] and result['counts']['excluded'] == 1


# --- blast radius ----------------------------------------------------------------------------


def test_blast_radius_groups_largest_first_with_counts():
    ids = [f'888012{n:02d}' for n in range(10)] + [f'888013{n:02d}' for n in range(10)]
    before = state({eid: {'u1' if eid < '88801305' else 'u2': R} for eid in ids})
    lost = set(ids[:2]) | set(ids[10:15]) | {ids[18]}
    after = state({eid: {'u1' if eid < '88801305' else 'u2': N if eid in lost else R} for eid in ids})
    radius = post(before, after, max_regressions=100)['blast_radius']
    assert [
        (row['block'], row['regressed'], row['registered_before'], row['registered_now']) for row in radius['by_block']
    ] == [('888013??', 6, 10, 4), ('888012??', 2, 10, 8)]
    assert [
        (row['uap'], row['regressed'], row['registered_before'], row['registered_now']) for row in radius['by_uap']
    ] == [('u1', 7, 15, 8), ('u2', 1, 5, 4)]
    assert radius['by_block'][0]['regressions'][0] == '88801300'


@pytest.mark.parametrize(
    ('eid', 'wildcards', 'block'),
    [
        ('88801234', 2, '888012??'),
        ('88801234', 3, '88801???'),
        ('88801234', 0, '88801234'),
        ('sip.a', 2, 'sip.a'),
        ('1', 2, '?'),
    ],
)
def test_id_block(eid, wildcards, block):
    assert _policy.id_block(eid, wildcards) == block


def test_blocks_follow_max_matches_per_query():
    before, after = fleet(10, 1)
    assert post(before, after, block_wildcards=3)['blast_radius']['by_block'][0]['block'] == '88800???'


def test_a_bad_exclude_when_is_one_sentence_naming_the_variable():
    with pytest.raises(OptionError, match='^aicc_gate_exclude_when') as caught:
        policy_settings({'exclude_when': 'uaps[?register_status =='})
    assert '\n' not in str(caught.value)
    with pytest.raises(OptionError, match='^aicc_gate_exclude_when'):
        check_settings({'site': 's1', 'report_dir': 'r', 'exclude_when': 'uaps[?'})


@pytest.mark.parametrize(
    ('expression', 'excluded'),
    [
        ("uaps[?termination_type == 'h323'] | length(@) > `0`", ['2']),
        ("equipment_id == '3'", ['3']),
        ('!registered', []),  # the baseline record: all were registered before
        ("uaps[?socket_status == 'offline']", []),
    ],
)
def test_exclude_when_expressions_over_the_baseline_record(expression, excluded):
    before = state({'1': {'a': R}, '2': {'a': R}, '3': {'a': R}})
    before['terminals']['2']['uaps'][0]['termination_type'] = 'h323'
    after = state({'1': {'a': R}, '2': {'a': N}, '3': {'a': N}})
    result = post(before, after, max_regressions=5, exclude_when=expression)
    assert result['excluded'] == excluded and result['exclude_when'] == expression
    assert sorted(result['regressed'] + result['excluded']) == sorted(set(['2', '3']) | set(excluded))


def test_the_baseline_keeps_the_row_attributes_exclude_when_judges():
    from ansible_collections.aicc.cms.plugins.module_utils._gate import baseline as _baseline

    current = state({'1': {'a': R}, '2': {'a': R}, '3': {'a': R}})
    current['terminals']['2']['uaps'][0]['termination_type'] = 'h323'
    for row in current['terminals']['3']['uaps']:
        row.pop('termination_type')
    baseline = _baseline.build(
        's1',
        'https://h:1',
        1,
        {'eids': ['1', '2', '3'], 'eid_ranges': []},
        current,
        True,
        datetime(2026, 12, 2, 21, tzinfo=UTC),
        '1.0.0',
        b'k',
    )
    assert baseline['row_attributes'] == [[None, None, None, None, None, 'sip'], [None, None, None, None, None, 'h323']]
    assert baseline['terminals']['3'] == [
        True,
        [[0, 'registered', 'connected']],
    ]  # nothing to keep: the row stays short
    assert (
        _baseline.refusal(
            baseline,
            site='s1',
            address='https://h:1',
            cc_id=1,
            scope=None,
            key=b'k',
            max_age=3600,
            now=datetime(2026, 12, 2, 21, 30, tzinfo=UTC),
        )
        is None
    )
    expanded = _baseline.as_state(baseline)
    assert expanded['terminals']['2']['uaps'][0]['termination_type'] == 'h323'
    after = state({'1': {'a': R}, '2': {'a': N}, '3': {'a': R}})
    seen = []

    def exclude(record):
        seen.append(record['equipment_id'])
        return record['uaps'][0].get('termination_type') == 'h323'

    result = post(expanded, after, exclude=exclude)
    assert result['excluded'] == ['2'] and result['passed'] and sorted(seen) == ['1', '2', '3']
    broken = json.loads(json.dumps(baseline))
    broken['terminals']['1'][1][0].append(7)  # an attributes index the baseline does not have
    assert (
        _baseline._well_formed(broken)
        == 'The baseline does not have the fields the precheck writes; run the precheck again.'
    )


@pytest.mark.parametrize(
    ('policy', 'now', 'kept'),
    [
        ('any', {'b': R}, True),
        ('all', {'a': R, 'b': R, 'c': R}, True),
        ('all', {'a': R}, False),
        ('same', {'a': R, 'b': R}, True),
        ('same', {'a': R, 'b': R, 'c': R}, False),
    ],
)
def test_keeps_policy_is_what_the_wait_accepts(policy, now, kept):
    accept = _policy.keeps_policy({'1': record('1', {'a': R, 'b': R})}, policy)
    assert accept('1', record('1', now)) is kept
