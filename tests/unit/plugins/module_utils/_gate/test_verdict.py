# Copyright (c) 2026 aicc.cms contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Gate decisions: what passes, what fails and the sentence that says why."""

from __future__ import annotations

import pytest
from ansible_collections.aicc.cms.plugins.module_utils._errors import OptionError, first_ids
from ansible_collections.aicc.cms.plugins.module_utils._gate.verdict import evaluate


def record(eid, registered):
    return {
        'equipment_id': eid,
        'registered': registered,
        'uaps': [{'uap': '10.0.0.1#1', 'register_status': 'registered' if registered else 'not register'}],
    }


def result(registered=(), unregistered=(), missing=(), unknown=(), errors=(), failed=False):
    terminals = {eid: record(eid, True) for eid in registered}
    terminals.update({eid: record(eid, False) for eid in unregistered})
    answer = {
        'terminals': terminals,
        'missing': list(missing),
        'unknown': list(unknown),
        'summary': {},
        'changed': False,
    }
    if errors:
        answer.update(errors=list(errors), failed=True, msg=errors[0])
    if failed:
        answer.update(failed=True, msg='The query failed.')
    return answer


def test_first_ids_caps_at_twenty():
    ids = [str(n) for n in range(25)]
    assert first_ids(ids).endswith('19 and 5 more')
    assert first_ids(['1', '2']) == '1, 2'


# --- pre -------------------------------------------------------------------------------------


def test_pre_passes_and_records_the_ratio():
    verdict = evaluate(result(['1', '2', '3'], ['4']), 'pre', min_registered_ratio=0.5)
    assert verdict['passed'] and verdict['verdict'] == 'PASS'
    assert verdict['registered_ratio'] == 0.75
    assert verdict['not_registered'] == ['4']
    assert verdict['summary_lines'][0].startswith('PASS: Baseline taken: 3 of 4')


def test_pre_fails_below_ratio_and_on_required():
    verdict = evaluate(result(['1'], ['2', '3', '4']), 'pre', min_registered_ratio=0.5, required_eids=['2', '1'])
    assert not verdict['passed']
    assert any('Only 25.0% of the 4 terminals' in reason for reason in verdict['reasons'])
    assert verdict['required_not_registered'] == ['2']
    assert verdict['general_reasons'] and 'ratio' in verdict['general_reasons'][0]


def test_pre_fails_on_unknown_naming_ids_and_cause():
    verdict = evaluate(result(['1'], unknown=['2'], errors=['CC-CMS did not answer within 30 s.']), 'pre')
    assert not verdict['passed']
    assert verdict['reasons'] == [
        '1 terminal could not be queried, so the baseline would be incomplete: 2 (cause: CC-CMS did not answer within'
        ' 30 s).'
    ]


def test_pre_fails_when_the_module_failed_without_terminals():
    verdict = evaluate({'failed': True, 'msg': 'Authentication failed: check access_key.'}, 'pre')
    assert not verdict['passed']
    assert 'no baseline could be taken: Authentication failed' in verdict['reasons'][0]


def test_the_module_message_is_the_cause_when_failed_when_false_cleared_failed():
    registered = {'failed': False, 'changed': False, 'msg': "url 'ftp://x' must start with https:// (or http://)"}
    pre = evaluate(registered, 'pre')
    assert pre['reasons'] == [
        "The query failed, so no baseline could be taken: url 'ftp://x' must start with https:// (or http://)."
    ]
    post = evaluate(registered, 'post', baseline=result(['1']))
    assert not post['passed'] and post['unknown'] == ['1']
    assert "(cause: url 'ftp://x' must start with https:// (or http://))." in post['reasons'][0]


def test_a_result_without_terminals_or_message_still_fails():
    verdict = evaluate({'changed': False}, 'pre')
    assert verdict['reasons'] == ['The query failed, so no baseline could be taken: the query returned no terminals.']


def test_pre_fails_on_an_empty_scope():
    verdict = evaluate(result(missing=['9']), 'pre')
    assert not verdict['passed'] and 'matched no terminal' in verdict['reasons'][0]


# --- post ------------------------------------------------------------------------------------


def test_post_passes_when_all_came_back():
    verdict = evaluate(result(['1', '2', '5'], ['4', '6']), 'post', baseline=result(['1', '2'], ['5', '6']), waited=4)
    assert verdict['passed'], verdict['reasons']
    assert (
        verdict['headline']
        == 'The window may close: 3 terminals registered now; 2 of 2 registered before are registered again, 1'
        ' recovered, 1 new.'
    )
    assert verdict['recovered'] == ['5'] and verdict['new'] == ['4'] and verdict['still_unregistered'] == ['6']
    assert verdict['waited'] == 4


def test_post_a_vanished_unregistered_terminal_counts_as_missing():
    verdict = evaluate(result(['1']), 'post', baseline=result(['1'], ['3']))
    assert not verdict['passed'] and verdict['missing'] == ['3']


def test_post_fails_on_regression_and_names_terminals():
    verdict = evaluate(result(['1'], ['2']), 'post', baseline=result(['1', '2', '3']))
    assert not verdict['passed']
    assert verdict['regressed'] == ['2'] and verdict['missing'] == ['3']
    assert (
        '2 terminals registered or known before the change are not registered now (1 regressed, 1 missing)'
        in verdict['reasons'][0]
    )
    assert verdict['reasons'][0].endswith(': 2, 3.')
    assert verdict['headline'] == 'Do not close the window: 1 regressed, 1 missing; roll back or fix.'
    assert 'regressed: 2' in verdict['summary_lines']


def test_post_allows_regressions_up_to_the_maximum():
    verdict = evaluate(result(['1'], ['2']), 'post', baseline=result(['1', '2']), max_regressions=1)
    assert verdict['passed'] and '1 lost within the 1 allowed' in verdict['headline']


def test_post_required_terminal_must_be_registered_even_if_new():
    verdict = evaluate(result(['1'], ['7']), 'post', baseline=result(['1']), required_eids=['7', '1'])
    assert not verdict['passed'] and verdict['required_not_registered'] == ['7']
    assert evaluate(result(['1', '7']), 'post', baseline=result(['1']), required_eids=['7'])['passed']


def test_post_unknown_is_never_a_pass():
    current = result(['1'], unknown=['2'], errors=['HTTP 503 from CC-CMS for EID 2.'])
    verdict = evaluate(current, 'post', baseline=result(['1', '2']))
    assert not verdict['passed'] and verdict['unknown'] == ['2']
    assert 'whether the change broke it is unknown: 2 (cause: HTTP 503 from CC-CMS for EID 2)' in verdict['reasons'][0]


def test_post_module_failure_without_terminals_makes_the_baseline_unknown():
    verdict = evaluate({'failed': True, 'msg': 'Connection refused.'}, 'post', baseline=result(['1'], ['2']))
    assert not verdict['passed'] and verdict['unknown'] == ['1', '2']
    assert '(cause: Connection refused).' in verdict['reasons'][0]


def test_post_failed_query_without_unknown_ids_still_fails():
    verdict = evaluate(result(['1'], failed=True), 'post', baseline=result(['1']))
    assert not verdict['passed']
    assert verdict['general_reasons'] == ['A query failed, so the result is incomplete: The query failed.']


def test_post_unknown_only_in_the_baseline_is_not_blamed_on_the_current_query():
    verdict = evaluate(result(['1', '2']), 'post', baseline=result(['1'], unknown=['2']))
    assert not verdict['passed'] and verdict['unknown'] == ['2']
    assert verdict['reasons'] == [
        '1 terminal was unknown in the baseline (the precheck could not query it), so whether the change broke it is'
        ' unknown: 2.'
    ]


def test_post_unknown_now_and_unknown_in_the_baseline_get_each_their_cause():
    current = result(['1'], unknown=['3'], errors=['HTTP 503 from CC-CMS for EID 3.'])
    verdict = evaluate(current, 'post', baseline=result(['1', '3'], unknown=['2', '4']))
    assert verdict['reasons'] == [
        (
            '1 terminal could not be queried, so whether the change broke it is unknown: 3 (cause: HTTP 503 from CC-CMS'
            ' for EID 3).'
        ),
        (
            '2 terminals were unknown in the baseline (the precheck could not query them), so whether the change broke'
            ' them is unknown: 2, 4.'
        ),
    ]
    assert verdict['headline'] == 'Do not close the window: 3 unknown; roll back or fix.'


@pytest.mark.parametrize(
    ('kwargs', 'words'),
    [
        ({'phase': 'during'}, "phase must be 'pre' or 'post'"),
        ({'phase': 'post'}, 'needs the baseline'),
        (
            {'phase': 'pre', 'min_registered_ratio': 2},
            r'^aicc_gate_min_registered_ratio must be a number between 0 and 1, got 2\.$',
        ),
        ({'phase': 'pre', 'min_registered_ratio': 'lots'}, 'must be a number'),
        (
            {'phase': 'post', 'baseline': {}, 'max_regressions': -1},
            r'^aicc_gate_max_regressions must be an integer between 0 and 1000000, got -1\.$',
        ),
        ({'phase': 'pre', 'required_eids': '1001'}, 'must be a list'),
        # NaN, infinity and booleans used to pass the range check or crash.
        (
            {'phase': 'pre', 'min_registered_ratio': float('nan')},
            r'^aicc_gate_min_registered_ratio must be a number between 0 and 1, got nan\.$',
        ),
        (
            {'phase': 'pre', 'min_registered_ratio': '1e400'},
            r"^aicc_gate_min_registered_ratio must be a number between 0 and 1, got '1e400'\.$",
        ),
        (
            {'phase': 'post', 'baseline': {}, 'max_regressions': float('inf')},
            r'^aicc_gate_max_regressions must be an integer between 0 and 1000000',
        ),
        (
            {'phase': 'post', 'baseline': {}, 'max_regressions': 1.5},
            r'^aicc_gate_max_regressions must be an integer between 0 and 1000000',
        ),
        (
            {'phase': 'post', 'baseline': {}, 'max_regressions': True},
            r'^aicc_gate_max_regressions must be an integer between 0 and 1000000',
        ),
    ],
)
def test_bad_settings_are_one_sentence(kwargs, words):
    with pytest.raises(OptionError, match=words):
        evaluate(result(['1']), **kwargs)


# --- baselines that cannot vouch for anything --------------------------------------------------


def baseline_of(answer, precheck_passed=True):
    return dict(answer, precheck_passed=precheck_passed, taken_at='2026-01-01T00:00:00Z')


def test_post_fails_on_the_baseline_of_a_failed_precheck():
    verdict = evaluate(result(['1', '2']), 'post', baseline=baseline_of(result(['1', '2']), False))
    assert not verdict['passed']
    sentence = (
        'The baseline was taken by a precheck that failed; the precheck must pass before the change can be checked'
        ' against its baseline.'
    )
    assert verdict['reasons'] == [sentence] and verdict['general_reasons'] == [sentence]
    assert (
        verdict['headline'] == 'Do not close the window: the baseline was taken by a precheck that failed; '
        'the precheck must pass before the change can be checked against its baseline.'
    )


@pytest.mark.parametrize('precheck_passed', ['False', 'false', '0', 0, 'off', 'true', 1, None])
def test_post_refuses_a_precheck_passed_that_is_not_a_boolean(precheck_passed):
    """The role's '| bool' read "0" and "off" as false but "true" and 1 as a pass; only true passes now."""
    verdict = evaluate(result(['1', '2']), 'post', baseline=baseline_of(result(['1', '2']), precheck_passed))
    assert not verdict['passed']
    assert verdict['reasons'] == [
        f"The baseline's precheck_passed is {precheck_passed!r}, not true or false; run the precheck again."
    ]


def test_post_fails_on_the_empty_baseline_a_failed_precheck_saves():
    empty = {'terminals': {}, 'missing': [], 'unknown': [], 'summary': {}, 'scope': {'eids': [], 'eid_ranges': ['1-2']}}
    for baseline in (empty, baseline_of(empty), {}):
        verdict = evaluate(result(['1', '2']), 'post', baseline=baseline)
        assert not verdict['passed']
        assert verdict['reasons'] == [
            'The baseline holds no terminal; run the precheck again with the scope of the change.'
        ]
        assert (
            verdict['headline']
            == 'Do not close the window: the baseline holds no terminal; run the precheck again with the scope of the'
            ' change.'
        )


def test_post_a_baseline_of_only_missing_ids_is_not_empty():
    verdict = evaluate(result(), 'post', baseline=baseline_of(result(missing=['9'])))
    assert verdict['passed'], verdict['reasons']


def test_post_baseline_failure_comes_first_with_the_other_reasons():
    verdict = evaluate(result(['1'], ['2']), 'post', baseline=baseline_of(result(['1', '2']), False))
    assert verdict['reasons'][0].startswith('The baseline was taken by a precheck that failed')
    assert '1 regressed' in verdict['reasons'][1]


# --- what the output shows ------------------------------------------------------------------------


def test_pre_headline_summarises_instead_of_repeating_the_first_reason():
    verdict = evaluate(
        result(['1'], ['2', '3', '4'], unknown=['5'], errors=['HTTP 503 for EID 5.']),
        'pre',
        min_registered_ratio=0.5,
        required_eids=['2'],
    )
    assert (
        verdict['headline']
        == 'Do not start the change: 1 unknown, 25.0% registered, below the 50.0% required, 1 required not registered.'
    )
    assert not any(reason in verdict['headline'] for reason in verdict['reasons'])
    assert verdict['summary_lines'][0] == 'FAIL: ' + verdict['headline']
    assert evaluate({'msg': 'Connection refused.'}, 'pre')['headline'] == 'Do not start the change: the query failed.'
    assert (
        evaluate(result(missing=['9']), 'pre')['headline'] == 'Do not start the change: the scope matched no terminal.'
    )


@pytest.mark.parametrize('waited', [None, 0])
def test_post_says_nothing_about_a_wait_that_did_not_happen(waited):
    verdict = evaluate(result(['1']), 'post', baseline=result(['1']), waited=waited)
    assert not any('waited' in line for line in verdict['summary_lines'])


def test_post_shows_how_long_it_waited():
    verdict = evaluate(result(['1']), 'post', baseline=result(['1']), waited=12)
    assert 'waited 12 s for the terminals registered before to register again' in verdict['summary_lines']


def test_post_shows_when_the_baseline_was_taken():
    verdict = evaluate(result(['1']), 'post', baseline=baseline_of(result(['1'])), checked_at='2026-03-02T10:00:00Z')
    assert verdict['baseline_taken_at'] == '2026-01-01T00:00:00Z'
    assert verdict['summary_lines'][1] == 'baseline taken at 2026-01-01T00:00:00Z, compared at 2026-03-02T10:00:00Z'
    undated = evaluate(result(['1']), 'post', baseline=result(['1']), checked_at='2026-03-02T10:00:00Z')
    assert undated['baseline_taken_at'] is None
    assert undated['summary_lines'][1] == 'baseline taken at an unknown time, compared at 2026-03-02T10:00:00Z'
