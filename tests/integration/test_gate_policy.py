# Copyright (c) 2026 aicc.cms contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The gate policy through the shipped playbooks, as a user runs them: one precheck, the change (a
simulator scenario), then the postcheck under each policy the scenario is about, against the same
baseline. The verdict and its reason in words come from the postcheck's JSON report and its output.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

SCENARIOS = Path(__file__).resolve().parents[1] / 'simulator' / 'scenarios'
# The store the scenario files name their terminals in (as the molecule scenarios use it).
STORE = {'ranges': ('8880000-8880199',), 'uaps': 2, 'seed': 1}
SCOPE = {'aicc_gate_eid_ranges': ['8880000-8880199'], 'aicc_gate_wait_timeout': 3, 'aicc_gate_wait_interval': 1}
UAP2 = '10.10.0.2#2'


class Window:
    """One change window on a simulator playing ``scenario``: precheck, change, then postchecks."""

    def __init__(self, sim, run_ansible, env, reports: Path) -> None:
        self.sim, self.run_ansible, self.env, self.reports = sim, run_ansible, env, reports

    def play(self, playbook: str, **variables):
        extra = dict(SCOPE, aicc_gate_report_dir=str(self.reports), **variables)
        return self.run_ansible(['ansible-playbook', playbook, '-e', json.dumps(extra)], env=self.env)

    def precheck_then_change(self) -> None:
        pre = self.play('aicc.cms.precheck')
        assert pre.returncode == 0, pre.stdout + pre.stderr
        self.sim.start_scenario()

    def postcheck(self, **policy) -> tuple[int, dict, str]:
        post = self.play('aicc.cms.postcheck', **policy)
        path = self.reports / 'localhost' / 'aicc_gate_post.json'
        report = json.loads(path.read_text(encoding='utf-8')) if path.is_file() else {}
        path.unlink(missing_ok=True)  # the next postcheck writes its own
        return post.returncode, report, post.stdout + post.stderr


@pytest.fixture(name='window')
def fixture_window(sim_factory, run_ansible, tmp_path):
    def open_window(scenario: str) -> Window:
        sim = sim_factory(scenario=str(SCENARIOS / f'{scenario}.yml'), scenario_trigger=True, **STORE)
        env = {
            'AICC_URL': sim.url,
            'AICC_ACCESS_KEY': sim.access_key,
            'AICC_SECRET_KEY': sim.secret_key,
            'AICC_CA_PATH': sim.ca_path,
        }
        window = Window(sim, run_ansible, env, tmp_path / scenario)
        window.precheck_then_change()
        return window

    return open_window


def test_uap_2_lost_passes_on_any_uap_and_fails_on_all_of_them(window):
    uap_loss = window('uap_loss')
    code, report, _output = uap_loss.postcheck(aicc_gate_uap_policy='any')
    assert code == 0 and report['verdict'] == 'PASS' and report['counts']['regressed'] == 0

    code, report, output = uap_loss.postcheck(aicc_gate_uap_policy='all')
    assert code == 2 and report['verdict'] == 'FAIL'
    lost = report['blast_radius']['by_uap'][0]
    assert lost['uap'] == UAP2 and lost['registered_now'] == 0 and lost['regressed'] == lost['registered_before'] > 100
    assert 'by the UAP or stability policy' in report['reasons'][0] and 'FAIL' in output


def test_a_phone_that_moved_is_reported_under_any_and_fails_the_same_uaps(window):
    uap_move = window('uap_move')
    code, report, _output = uap_move.postcheck(aicc_gate_uap_policy='any')
    assert code == 0 and report['verdict'] == 'PASS' and report['moved'] == ['8880059']

    code, report, _output = uap_move.postcheck(aicc_gate_uap_policy='same')
    assert code == 2 and report['moved'] == ['8880059'] and '8880059' in report['regressed']
    assert any('8880059' in reason for reason in report['reasons'])


def test_one_floor_down_puts_its_block_first_and_levels_and_exceptions_decide(window):
    floor = [f'88801{number:02d}' for number in range(20, 30)]
    block = window('block_regression')

    code, report, _output = block.postcheck()
    assert code == 2 and sorted(report['regressed']) == floor
    first = report['blast_radius']['by_block'][0]
    assert (
        first['block'] == '88801??' and first['regressions'] == floor and len(report['blast_radius']['by_block']) == 1
    )

    # 10 regressions: above the warn level, within the fail level -> WARN, which passes unless warn_fails
    code, report, output = block.postcheck(aicc_gate_warn_regressions=5, aicc_gate_max_regressions=20)
    assert code == 0 and report['verdict'] == 'WARN' and report['passed'] and report['warned']
    assert 'WARN' in output
    code, report, _output = block.postcheck(
        aicc_gate_warn_regressions=5, aicc_gate_max_regressions=20, aicc_gate_warn_fails=True
    )
    assert code == 2 and report['verdict'] == 'FAIL'

    # the floor under an exception: not counted, listed apart, and the rest of the scope still judged
    exception = {'range': '8880120-8880129', 'reason': 'floor 12 rewired, ticket 4711', 'until': '2099-12-31'}
    code, report, _output = block.postcheck(aicc_gate_exceptions=[exception])
    assert code == 0 and report['verdict'] == 'PASS' and report['excepted'] == floor and report['regressed'] == []
    expired = dict(exception, until='2001-01-01')
    code, report, _output = block.postcheck(aicc_gate_exceptions=[expired])
    assert code == 2 and report['excepted'] == [] and any('expired' in warning for warning in report['warnings'])


def test_a_flapping_phone_fails_the_gate_unless_flapping_is_only_reported(window):
    flapping = window('flapping')
    code, report, output = flapping.postcheck(aicc_gate_stable_polls=2, aicc_gate_wait_timeout=20)
    assert code == 2 and report['flapping'] == ['8880007']
    # the wait's own polls (the scope's query before them saw it down): back, down again, then stable
    assert report['history']['8880007'] == ['registered', 'not registered', 'registered', 'registered']
    assert any('flapping' in reason for reason in report['reasons']) and '8880007' in output


def test_flapping_only_reported_is_a_warn(window):
    flapping = window('flapping')
    code, report, _output = flapping.postcheck(
        aicc_gate_stable_polls=2, aicc_gate_wait_timeout=20, aicc_gate_flapping_fails=False
    )
    assert code == 0 and report['verdict'] == 'WARN' and report['flapping'] == ['8880007']


def test_bad_policy_variables_are_one_sentence(window):
    block = window('block_regression')
    for policy, named in (
        ({'aicc_gate_exclude_when': 'uaps[?'}, 'aicc_gate_exclude_when'),
        ({'aicc_gate_exceptions': [{'eid': '8880120'}]}, 'aicc_gate_exceptions[0]'),
    ):
        code, _report, output = block.postcheck(**policy)
        assert code != 0 and named in output and 'Traceback' not in output
