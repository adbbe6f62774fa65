# Copyright (c) 2026 aicc.cms contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The gate's baseline: bound to its site, address, call center and scope; signed; refused with one sentence."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime, timedelta

import pytest
from ansible_collections.aicc.cms.plugins.module_utils._errors import OptionError
from ansible_collections.aicc.cms.plugins.module_utils._gate import baseline as _baseline
from ansible_collections.aicc.cms.plugins.module_utils._gate.verdict import check_settings

KEY = _baseline.derive_key('site-secret')
TAKEN = datetime(2026, 3, 1, 10, 0, 0, tzinfo=UTC)
SCOPE = _baseline.canonical_scope(['1003'], ['1001-1002'])


def record(registered: bool) -> dict:
    return {
        'registered': registered,
        'uaps': [
            {
                'uap': '10.0.0.1#1',
                'register_status': 'registered' if registered else 'not register',
                'socket_status': 'normal',
                'ip_and_port': '10.1.1.1:5060',
            }
        ],
    }


def make(**changes) -> dict:
    result = {
        'terminals': {'1001': record(True), '1002': record(False), '1003': record(True)},
        'missing': [],
        'unknown': [],
    }
    baseline = _baseline.build('site-a', 'https://10.0.0.1:28443', 7, SCOPE, result, True, TAKEN, '0.2.0', KEY)
    baseline.update(changes)
    return baseline


def refusal(baseline, **overrides):
    arguments = dict(
        site='site-a',
        address='https://10.0.0.1:28443',
        cc_id=7,
        scope=None,
        key=KEY,
        max_age=86400,
        now=TAKEN + timedelta(hours=1),
    )
    arguments.update(overrides)
    return _baseline.refusal(baseline, **arguments)


def test_a_fresh_baseline_of_this_site_is_accepted_and_expands_for_the_diff():
    baseline = make()
    assert refusal(baseline) is None
    assert 'site-secret' not in json.dumps(baseline)
    state = _baseline.as_state(baseline)
    assert state['terminals']['1002'] == {
        'registered': False,
        'uaps': [{'uap': '10.0.0.1#1', 'register_status': 'not register', 'socket_status': 'normal'}],
    }
    assert (
        baseline['scope_fingerprint'] == _baseline.scope_fingerprint(SCOPE)
        and baseline['collection_version'] == '0.2.0'
    )


def test_an_edited_baseline_fails_its_digest():
    baseline = make()
    baseline['terminals']['1002'][0] = True
    assert refusal(baseline).startswith("The baseline's digest does not verify: the file was edited")


def test_a_baseline_signed_with_another_secret_fails_its_digest():
    assert refusal(make(), key=_baseline.derive_key('other-secret')).startswith("The baseline's digest does not verify")


@pytest.mark.parametrize(
    ('overrides', 'start'),
    [
        ({'site': 'site-b'}, "The baseline is of site 'site-a', not of site 'site-b'"),
        (
            {'address': 'https://10.0.0.2:28443'},
            'The baseline was taken on CC-CMS https://10.0.0.1:28443, not on https://10.0.0.2:28443',
        ),
        ({'cc_id': 8}, 'The baseline was taken for call center 7, not 8'),
        (
            {'now': TAKEN + timedelta(days=2)},
            'The baseline was taken at 2026-03-01T10:00:00Z, 172800 seconds ago, older than aicc_gate_max_baseline_age',
        ),
        ({'now': TAKEN - timedelta(hours=1)}, 'The baseline was taken at 2026-03-01T10:00:00Z, later than now'),
    ],
)
def test_a_baseline_of_another_site_address_call_center_or_time_is_refused(overrides, start):
    assert refusal(make(), **overrides).startswith(start)


def test_a_failed_precheck_is_refused_even_without_a_digest():
    baseline = make(precheck_passed=False, digest='')
    assert refusal(baseline).startswith('The baseline was taken by a precheck that failed')


@pytest.mark.parametrize('value', ['0', 0, 'off', 'true', 1])
def test_precheck_passed_is_a_strict_boolean(value):
    baseline = make(precheck_passed=value)
    baseline['digest'] = _baseline._digest(baseline, KEY)  # signed as is: the check is on the value, not the digest
    assert (
        refusal(baseline) == f"The baseline's precheck_passed is {value!r}, not true or false; run the precheck again."
    )


def test_a_wider_scope_says_how_many_terminals_the_baseline_never_saw():
    wider = _baseline.canonical_scope(['1003'], ['1001-1009'])
    sentence = refusal(
        make(),
        scope=wider,
        wanted_now=frozenset({'1001', '1002', '1003', '1004', '1005'}),
        wanted_then=frozenset({'1001', '1002', '1003'}),
    )
    assert sentence.startswith(
        "The postcheck scope differs from the baseline's: 2 terminals in scope that the baseline never saw (1004, 1005)"
    )


def test_a_narrower_scope_says_how_many_terminals_of_the_baseline_are_left_out():
    sentence = refusal(
        make(),
        scope=_baseline.canonical_scope([], ['1001-1002']),
        wanted_now=frozenset({'1001', '1002'}),
        wanted_then=frozenset({'1001', '1002', '1003'}),
    )
    assert '1 terminals of the baseline outside the scope (1003)' in sentence


def test_the_same_terminals_written_another_way_are_the_same_scope():
    assert (
        refusal(
            make(),
            scope=_baseline.canonical_scope(['1001', '1002', '1003'], []),
            wanted_now=frozenset({'1001', '1002', '1003'}),
            wanted_then=frozenset({'1001', '1002', '1003'}),
        )
        is None
    )


def test_a_pattern_scope_that_differs_is_refused_naming_both_scopes():
    sentence = refusal(make(), scope=_baseline.canonical_scope(['10??'], []))
    assert sentence.startswith("The postcheck scope differs from the baseline's: eids ['10??'] and eid_ranges []")


@pytest.mark.parametrize(
    'value', [[], 'text', {'format': 'aicc.cms.gate-baseline/1'}, dict(make(), terminals={'1': [True]})]
)
def test_anything_but_a_baseline_of_this_format_is_refused(value):
    assert refusal(value).startswith('The baseline')


def test_the_artifact_bound_is_stated_and_a_10k_baseline_is_measured():
    terminals = {str(8000000 + index): record(index % 10 != 0) for index in range(10000)}
    baseline = _baseline.build(
        'site-a', 'https://10.0.0.1:28443', None, SCOPE, {'terminals': terminals}, True, TAKEN, '0.2.0', KEY
    )
    assert _baseline.artifact_size(baseline) > _baseline.ARTIFACT_MAX_BYTES  # published as the file path only
    assert _baseline.artifact_size(baseline) < 1024 * 1024


def test_load_text_refuses_bad_json_in_one_sentence():
    with pytest.raises(ValueError, match=r'^The baseline file x is not valid JSON'):
        _baseline.load_text('{', 'file x')


# --- the role's variables --------------------------------------------------------------------


def settings(**values):
    base = {'site': 'site-a', 'report_dir': '/tmp/reports'}
    base.update(values)
    return check_settings(base)


def test_defaults_and_numeric_strings_are_accepted():
    checked = settings(wait_interval='5', eids=[8780001])
    assert checked['wait_interval'] == 5 and checked['wait_timeout'] == 600 and checked['max_baseline_age'] == 86400
    assert checked['eids'] == ['8780001']


@pytest.mark.parametrize(
    ('values', 'sentence'),
    [
        # Each of these used to be ignored silently or to crash.
        (
            {'wait_interval': 0},
            r'^aicc_gate_wait_interval must be a whole number of seconds between 1 and 3600, got 0\.$',
        ),
        (
            {'wait_timeout': float('inf')},
            r'^aicc_gate_wait_timeout must be a whole number of seconds between 0 and 86400, got inf\.$',
        ),
        (
            {'wait_timeout': '1e400'},
            r"^aicc_gate_wait_timeout must be a whole number of seconds between 0 and 86400, got '1e400'\.$",
        ),
        (
            {'min_registered_ratio': float('nan')},
            r'^aicc_gate_min_registered_ratio must be a number between 0 and 1, got nan\.$',
        ),
        (
            {'max_baseline_age': -5},
            r'^aicc_gate_max_baseline_age must be a whole number of seconds between 1 and 31622400, got -5\.$',
        ),
        (
            {'max_regressions': [1]},
            r'^aicc_gate_max_regressions must be an integer between 0 and 1000000, got \[1\]\.$',
        ),
        (
            {'eids': '8780001'},
            r"^aicc_gate_eids must be a list of equipment IDs or ranges \(strings\), not '8780001'\.$",
        ),
        ({'eid_ranges': [['1-2']]}, r'^aicc_gate_eid_ranges must be a list of non-empty equipment IDs or ranges'),
        ({'required_eids': [True]}, r'^aicc_gate_required_eids must be a list of non-empty'),
        ({'connection': ['url']}, r'^aicc_gate_connection must be a dict of connection options'),
        ({'connection': {'uri': 'x'}}, r'^aicc_gate_connection has unknown keys uri; it takes url, access_key'),
        ({'site': 'a/b'}, r'^aicc_gate_site must be 1 to 100 letters'),
        ({'site': ''}, r'^aicc_gate_site must be 1 to 100 letters'),
        ({'report_dir': ''}, r"^aicc_gate_report_dir must be a path \(a non-empty string\), not ''\.$"),
        ({'baseline_file': 5}, r'^aicc_gate_baseline_file must be a path'),
        ({'baseline': [1]}, r'^aicc_gate_baseline must be the baseline the precheck published'),
    ],
)
def test_each_bad_variable_is_one_sentence_naming_it(values, sentence):
    with pytest.raises(OptionError, match=sentence):
        settings(**values)


def test_a_baseline_copy_is_not_changed_by_the_check():
    baseline = make()
    kept = copy.deepcopy(baseline)
    refusal(baseline, scope=_baseline.canonical_scope(['1'], []))
    assert baseline == kept
