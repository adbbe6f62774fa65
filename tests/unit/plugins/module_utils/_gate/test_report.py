# Copyright (c) 2026 aicc.cms contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Gate reports: the verdict in words and colour, escaping, one JUnit case per terminal."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import pytest
from ansible_collections.aicc.cms.plugins.module_utils._errors import OptionError
from ansible_collections.aicc.cms.plugins.module_utils._gate.report import render
from ansible_collections.aicc.cms.plugins.module_utils._gate.verdict import evaluate

EVIL_UAP = '<script>alert("x")</script>#1'


def record(eid, registered, uap='10.0.0.1#1'):
    return {
        'equipment_id': eid,
        'registered': registered,
        'uaps': [{'uap': uap, 'register_status': 'registered' if registered else 'not register'}],
    }


def module_result(registered=(), unregistered=(), unknown=(), uap='10.0.0.1#1', errors=()):
    terminals = {eid: record(eid, True, uap) for eid in registered}
    terminals.update({eid: record(eid, False, uap) for eid in unregistered})
    answer = {'terminals': terminals, 'missing': [], 'unknown': list(unknown)}
    if errors:
        answer.update(failed=True, errors=list(errors))
    return answer


@pytest.fixture(name='failed_post')
def fixture_failed_post():
    baseline = module_result(['1', '2', '3', '4'], ['5'])
    current = module_result(['1', '5'], ['2'], unknown=['4'], uap=EVIL_UAP, errors=['HTTP 503 <b>busy</b> for EID 4.'])
    return evaluate(current, 'post', baseline=baseline, checked_at='2026-01-01T00:00:00Z')


@pytest.fixture(name='passed_post')
def fixture_passed_post():
    return evaluate(
        module_result(['1', '2']), 'post', baseline=module_result(['1'], ['2']), checked_at='2026-01-01T00:00:00Z'
    )


def test_html_failed_banner_says_fail_in_words_and_colour(failed_post):
    page = render(failed_post, 'html')
    assert 'class="banner fail"' in page and '<h1>FAIL &mdash; do not close the window: roll back or fix</h1>' in page
    assert 'Regressed: registered before, not now (1)' in page
    assert 'Missing: known before, absent now (1)' in page
    assert 'Unknown: could not be queried (1)' in page
    assert '<script>' not in page and '&lt;script&gt;' in page
    assert '<b>busy</b>' not in page
    assert (
        '10.0.0.1#1: registered &rarr; -<br>&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;#1: - &rarr; not register'
        in page
    )


def test_html_passed_banner(passed_post):
    page = render(passed_post, 'html')
    assert 'class="banner pass"' in page and 'PASS &mdash; the window may close' in page
    assert 'Recovered' in page and 'Regressed' not in page


def test_markdown_escapes_and_summarises(failed_post):
    text = render(failed_post, 'markdown')
    assert text.startswith('# FAIL ❌ AICC registration gate')
    assert '<b>' not in text and '\\<b\\>' in text
    assert '| regressed | 1 |' in text


def test_junit_has_a_case_per_terminal_with_failures_and_errors(failed_post):
    root = ET.fromstring(render(failed_post, 'junit'))
    suite = root.find('testsuite')
    cases = {case.get('name'): case for case in suite.findall('testcase')}
    assert set(cases) == {'1', '2', '3', '4', '5'}
    assert cases['2'].find('failure').get('message') == 'registered before the change, not registered now'
    assert cases['3'].find('failure') is not None  # missing
    assert cases['4'].find('error') is not None  # unknown
    assert cases['1'].find('failure') is None and cases['5'].find('failure') is None
    assert (suite.get('tests'), suite.get('failures'), suite.get('errors')) == ('5', '2', '1')
    # The one ID block ("?" for these one-digit IDs) with the two regressions fails in a suite of its own.
    (blocks,) = [other for other in root.findall('testsuite') if other.get('name').endswith('.blocks')]
    (block,) = blocks.findall('testcase')
    assert block.get('name') == '?' and block.find('failure').get('message').startswith('2 regressed in block ?')
    assert (root.get('tests'), root.get('failures')) == ('6', '3')


def test_junit_pre_gate_case_for_reasons_no_terminal_carries():
    verdict = evaluate({'failed': True, 'msg': 'Authentication failed.'}, 'pre')
    suite = ET.fromstring(render(verdict, 'junit')).find('testsuite')
    (case,) = suite.findall('testcase')
    assert case.get('name') == 'gate' and 'no baseline could be taken' in case.find('failure').get('message')
    assert suite.get('failures') == '1'


def test_json_is_the_whole_verdict(failed_post):
    assert json.loads(render(failed_post, 'json'))['regressed'] == ['2']


def test_pre_html_lists_not_registered_with_uap_status():
    verdict = evaluate(module_result(['1'], ['2']), 'pre', required_eids=['2'])
    page = render(verdict, 'html')
    assert 'FAIL &mdash; do not start the change' in page and '10.0.0.1#1: not register' in page


@pytest.mark.parametrize(
    ('verdict', 'fmt', 'words'), [({'phase': 'post'}, 'html', 'needs the verdict'), (None, 'json', 'needs the verdict')]
)
def test_bad_input(verdict, fmt, words):
    with pytest.raises(OptionError, match=words):
        render(verdict, fmt)


def test_unknown_format(passed_post):
    with pytest.raises(OptionError, match="Unknown report format 'pdf'; use one of html, markdown, junit, json."):
        render(passed_post, 'pdf')


def test_post_reports_show_when_the_baseline_was_taken():
    baseline = dict(module_result(['1']), taken_at='2025-12-24T08:00:00Z')
    verdict = evaluate(module_result(['1']), 'post', baseline=baseline, checked_at='2026-01-01T00:00:00Z')
    assert '<strong>baseline taken at 2025-12-24T08:00:00Z</strong>' in render(verdict, 'html')
    assert '_Checked at 2026\\-01\\-01T00:00:00Z, against the baseline taken at 2025\\-12\\-24T08:00:00Z._' in render(
        verdict, 'markdown'
    )
    assert json.loads(render(verdict, 'json'))['baseline_taken_at'] == '2025-12-24T08:00:00Z'


@pytest.mark.parametrize(('waited', 'shown'), [(None, False), (0, False), (7, True)])
def test_html_mentions_the_wait_only_when_there_was_one(waited, shown):
    verdict = evaluate(module_result(['1']), 'post', baseline=module_result(['1']), waited=waited)
    assert ('s for re-registration' in render(verdict, 'html')) is shown


# --- gate policy in every format ---------------------------------------------------------------


def uaps_record(eid, uaps):
    return {
        'equipment_id': eid,
        'registered': 'registered' in uaps.values(),
        'uaps': [{'uap': uap, 'register_status': status} for uap, status in uaps.items()],
    }


@pytest.fixture(name='policy_post')
def fixture_policy_post():
    """A WARN: two regressions over the warn level, a move, an exception, an exclusion, a flapping terminal tolerated."""
    r, n = 'registered', 'not register'
    before = {
        'terminals': {
            '88801200': uaps_record('88801200', {'u1': r, 'u2': r}),
            '88801201': uaps_record('88801201', {'u1': r}),
            '88801202': uaps_record('88801202', {'u1': r}),
            '88801300': uaps_record('88801300', {'u1': r}),
            '88801301': uaps_record('88801301', {'u2': r}),
            '88801302': uaps_record('88801302', {'u2': r}),
        },
        'missing': [],
        'unknown': [],
    }
    after = {
        'terminals': {
            '88801200': uaps_record('88801200', {'u1': r, 'u2': n}),
            '88801201': uaps_record('88801201', {'u1': n}),
            '88801202': uaps_record('88801202', {'u1': r}),
            '88801300': uaps_record('88801300', {'u1': n}),
            '88801301': uaps_record('88801301', {'u2': n}),
            '88801302': uaps_record('88801302', {'u2': r}),
        },
        'missing': [],
        'unknown': [],
        'errors': [],
    }
    policy = {
        'uap_policy': 'all',
        'warn_regressions': 1,
        'flapping_fails': False,
        'exceptions': [
            {'eid': '88801300', 'reason': 'decommissioned <b>', 'until': '2027-01-01'},
            {'eid': '1', 'reason': 'old', 'until': '2026-01-01'},
        ],
        'exclude': lambda record: record['equipment_id'] == '88801301',
    }
    answers = ['not registered', 'registered', 'not registered', 'registered', 'registered']
    stability = {'flapping': ['88801202'], 'history': {'88801202': answers}}
    return evaluate(
        after,
        'post',
        baseline=before,
        max_regressions=5,
        checked_at='2026-12-02T22:00:00Z',
        policy=policy,
        stability=stability,
    )


def test_policy_fixture_is_a_warn(policy_post):
    assert policy_post['verdict'] == 'WARN' and policy_post['passed'] and policy_post['warned']
    assert policy_post['regressed'] == ['88801200', '88801201'] and policy_post['excepted'] == ['88801300']
    assert policy_post['excluded'] == ['88801301'] and policy_post['flapping'] == ['88801202']


def test_html_shows_every_policy_section(policy_post):
    page = render(policy_post, 'html')
    assert (
        'data-verdict="WARN"' in page
        and 'class="banner warn"' in page
        and 'WARN &mdash; the window may close, with a warning' in page
    )
    for section in (
        'id="warnings"',
        'id="policy"',
        'id="blast_by_uap"',
        'id="blast_by_block"',
        'id="policy_regressed"',
        'id="flapping"',
        'id="moved"',
        'id="excepted"',
        'id="excluded"',
    ):
        assert section in page, section
    assert 'decommissioned &lt;b&gt;' in page and 'aicc_gate_exceptions[1] (eid 1) expired' in page
    assert 'aicc_gate_uap_policy all: lost u2, registered before; now on u1' in page
    assert 'not registered &gt; registered &gt; not registered' in page


def test_markdown_shows_every_policy_section(policy_post):
    text = render(policy_post, 'markdown')
    assert text.startswith('# WARN ⚠️ AICC registration gate')
    for title in (
        '## Warnings',
        '## Gate policy',
        '## Blast radius by UAP (2)',
        '## Blast radius by ID block (1)',
        '## Regressed by the UAP or stability policy (1)',
        '## Flapping',
        '## Moved between UAPs (1)',
        '## Under an exception \\(not counted\\) (1)',
        '## Excluded by exclude\\_when \\(not in the verdict\\) (1)',
    ):
        assert title in text, title
    assert '| 888012?? | 2 | 3 | 2 |' in text
    assert '| UAP policy | all |' in text and '| warn above regressions | 1 |' in text


def test_junit_marks_the_warn_blocks_exceptions_and_exclusions(policy_post):
    root = ET.fromstring(render(policy_post, 'junit'))
    suite = root.find('testsuite')
    assert suite.find('properties/property').get('value') == 'WARN'
    cases = {(case.get('classname'), case.get('name')): case for case in root.iter('testcase')}
    block = cases[('aicc.cms.registration_gate.post.blocks', '888012??')]
    assert block.find('failure') is None and block.find('system-out').text.startswith('2 regressed in block 888012??')
    assert (
        cases[('aicc.cms.registration_gate.post', '88801300')]
        .find('skipped')
        .get('message')
        .startswith('under aicc_gate_exceptions[0] until 2027-01-01')
    )
    assert cases[('aicc.cms.registration_gate.post', '88801301')].find('skipped') is not None
    assert (
        cases[('aicc.cms.registration_gate.post', '88801200')]
        .find('failure')
        .get('message')
        .startswith('regressed: aicc_gate_uap_policy all')
    )
    assert cases[('aicc.cms.registration_gate.post', 'gate')].find('system-out').text.startswith('WARN: 2 regressions')
    assert suite.get('skipped') == '2'


def test_junit_one_failing_case_per_block_when_the_gate_fails():
    baseline = module_result(['88801200', '88801201', '88801300'])
    current = module_result([], ['88801200', '88801201', '88801300'])
    root = ET.fromstring(render(evaluate(current, 'post', baseline=baseline), 'junit'))
    blocks = [case for case in root.iter('testcase') if case.get('classname').endswith('.blocks')]
    assert [(case.get('name'), case.find('failure').get('message')[:22]) for case in blocks] == [
        ('888012??', '2 regressed in block 8'),
        ('888013??', '1 regressed in block 8'),
    ]


def test_json_has_the_policy_sections(policy_post):
    document = json.loads(render(policy_post, 'json'))
    assert document['verdict'] == 'WARN' and document['warned'] is True
    assert document['blast_radius']['by_block'][0]['block'] == '888012??'
    assert set(document) >= {
        'excepted',
        'exceptions',
        'excluded',
        'flapping',
        'history',
        'moved',
        'moves',
        'warnings',
        'uap_policy',
    }


def test_fleet_summary_shows_the_warned_sites():
    from ansible_collections.aicc.cms.plugins.module_utils._gate.report import render_fleet_html, render_fleet_text

    sites = [
        {'site': 's1', 'passed': True, 'warned': True, 'verdict': 'WARN', 'headline': 'h', 'report': None},
        {'site': 's2', 'passed': True, 'warned': False, 'verdict': 'PASS', 'headline': 'h', 'report': None},
    ]
    text = render_fleet_text('post', sites, '2026-12-02T22:00:00Z')
    assert text.splitlines()[0].endswith('all 2 sites passed the postcheck; 1 with a warning: s1')
    assert text.splitlines()[1].startswith('WARN s1')
    page = render_fleet_html('post', sites, '2026-12-02T22:00:00Z', 'reports')
    assert 'data-verdict="WARN"' in page and '1 with a warning: s1' in page
