# Copyright (c) 2026 aicc.cms contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Which baseline the gate compares with, from real precheck / change_window / postcheck runs.

A stale or failed baseline must never let a broken phone pass.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

GATE_FILES = Path(__file__).parent / 'gate_files'
SCOPE = {'aicc_gate_eid_ranges': ['8880000-8880019'], 'aicc_gate_wait_timeout': 2, 'aicc_gate_wait_interval': 1}
SITE = 'localhost'  # the single-site form: the shipped playbooks on localhost


def scope(reports, **extra) -> str:
    return json.dumps(dict(SCOPE, aicc_gate_report_dir=str(reports), **extra))


def baseline_in(reports) -> dict:
    return json.loads((reports / SITE / 'aicc_gate_baseline.json').read_text())


def registered_ids(baseline: dict) -> list[str]:
    return sorted(eid for eid, (registered, _rows) in baseline['terminals'].items() if registered)


def test_stale_baseline_extra_var_does_not_hide_the_fresh_one(sim, run_ansible, aicc_env, tmp_path):
    """AWX hands an earlier precheck's artifact to a later window as the extra var aicc_gate_baselines."""
    first = tmp_path / 'first'
    pre = run_ansible(['ansible-playbook', 'aicc.cms.precheck', '-e', scope(first)], env=aicc_env)
    assert pre.returncode == 0, pre.stdout + pre.stderr
    phone = registered_ids(baseline_in(first))[0]

    # The stale baseline: taken while the phone was down.
    sim.set_status([phone], 'not register')
    stale_dir = tmp_path / 'stale'
    pre = run_ansible(['ansible-playbook', 'aicc.cms.precheck', '-e', scope(stale_dir)], env=aicc_env)
    assert pre.returncode == 0, pre.stdout + pre.stderr
    stale = baseline_in(stale_dir)
    assert not stale['terminals'][phone][0]
    artifact = tmp_path / 'artifact.json'
    artifact.write_text(json.dumps({'aicc_gate_baselines': {SITE: stale}, 'aicc_gate_baseline': stale}))

    # The phone is up when the window opens; the change breaks it again.
    sim.set_status([phone], 'registered')
    window = tmp_path / 'window'
    run = run_ansible(
        [
            'ansible-playbook',
            'aicc.cms.change_window',
            '-e',
            f'@{artifact}',
            '-e',
            scope(
                window,
                aicc_change_tasks=str(GATE_FILES / 'drop_terminals.yml'),
                aicc_test_admin_url=sim.admin_url,
                aicc_test_ca_path=sim.ca_path,
                aicc_test_drop_eids=[phone],
            ),
        ],
        env=aicc_env,
    )

    assert baseline_in(window)['terminals'][phone][0], 'the precheck saved the stale baseline of the extra var'
    assert run.returncode == 2, run.stdout + run.stderr
    assert 'site localhost: FAIL: Do not close the window: 1 regressed; roll back or fix.' in run.stdout
    post_report = json.loads((window / SITE / 'aicc_gate_post.json').read_text())
    assert post_report['regressed'] == [phone]
    # A number of seconds on every ansible-core, not its text.
    assert isinstance(post_report['waited'], int) and post_report['waited'] >= 2


def test_postcheck_refuses_the_baseline_of_a_failed_precheck(sim, run_ansible, aicc_env, tmp_path):
    """A precheck with a bad url fails and saves an empty baseline: the postcheck must not pass on it."""
    reports = tmp_path / 'reports'
    pre = run_ansible(
        ['ansible-playbook', 'aicc.cms.precheck', '-e', scope(reports, aicc_gate_connection={'url': 'ftp://x'})],
        env=aicc_env,
    )
    assert pre.returncode == 2, pre.stdout + pre.stderr
    # The module's own sentence reaches the user, not a generic "no terminals".
    assert "no baseline could be taken: url 'ftp://x' must start with https://" in pre.stdout
    baseline = baseline_in(reports)
    assert baseline['precheck_passed'] is False and baseline['terminals'] == {}

    post = run_ansible(['ansible-playbook', 'aicc.cms.postcheck', '-e', scope(reports)], env=aicc_env)
    assert post.returncode == 2, post.stdout + post.stderr
    assert (
        'FAIL: Do not close the window: the baseline was taken by a precheck that failed; the precheck must pass'
        in post.stdout
    )
    # The date of the baseline is shown, and no wait that did not happen.
    assert f'baseline taken at {baseline["taken_at"]}, compared at ' in post.stdout
    assert 'waited 0 s' not in post.stdout
    post_report = json.loads((reports / SITE / 'aicc_gate_post.json').read_text())
    assert not post_report['passed'] and post_report['waited'] is None


def test_bad_role_variables_are_one_sentence_naming_them(sim, run_ansible, aicc_env, tmp_path):
    """wait_interval 0 used to be ignored, a string scope to end in a Jinja type error, inf and 1e400 to crash."""
    reports = tmp_path / 'reports'
    pre = run_ansible(['ansible-playbook', 'aicc.cms.precheck', '-e', scope(reports)], env=aicc_env)
    assert pre.returncode == 0, pre.stdout + pre.stderr
    for extra, sentence in (
        (
            {'aicc_gate_wait_interval': 0},
            'aicc_gate_wait_interval must be a whole number of seconds between 1 and 3600, got 0.',
        ),
        (
            {'aicc_gate_wait_timeout': '1e400'},
            "aicc_gate_wait_timeout must be a whole number of seconds between 0 and 86400, got '1e400'.",
        ),
        (
            {'aicc_gate_max_regressions': 1e400},
            'aicc_gate_max_regressions must be an integer between 0 and 1000000, got inf.',
        ),
        (
            {'aicc_gate_connection': {'timeout': 1e400}},
            'timeout must be a number of seconds above 0 and at most 3600, got inf',
        ),
        (
            {'aicc_gate_eids': '8880001'},
            "aicc_gate_eids must be a list of equipment IDs or ranges (strings), not '8880001'.",
        ),
    ):
        post = run_ansible(
            ['ansible-playbook', 'aicc.cms.postcheck', '-e', scope(reports), '-e', json.dumps(extra)], env=aicc_env
        )
        assert post.returncode == 2, post.stdout + post.stderr
        assert sentence in post.stdout, post.stdout[-2000:]
        assert 'Traceback' not in post.stdout + post.stderr and '_AnsibleLazyTemplate' not in post.stdout
