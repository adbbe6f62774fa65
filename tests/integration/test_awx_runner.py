# Copyright (c) 2026 aicc.cms contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Precheck then postcheck through ansible-runner, as an AWX workflow runs them.

Each job gets its own private data directory (AWX runs each job in a fresh container), the
project playbooks of docs/awx.md, and the connection only as the environment variables that the
credential type in extensions/awx/ injects. The precheck's set_stats artifact is read from its job
events and handed to the postcheck as extra vars, which is what AWX does between workflow nodes.
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
from pathlib import Path

import pytest

ansible_runner = pytest.importorskip('ansible_runner')

_HERE = Path(__file__).resolve().parent
_spec = importlib.util.spec_from_file_location('awx_injection', _HERE / 'awx_files' / 'awx_injection.py')
awx_injection = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(awx_injection)

AWX_PROJECT = _HERE / 'awx_files' / 'project'
SCOPE = {'aicc_gate_eid_ranges': ['8880000-8880199']}

pytestmark = pytest.mark.slow


@pytest.fixture
def runner_process_env(ansible_env, monkeypatch):
    """ansible-runner passes its own process environment on: make it a clean one, without AICC_*."""
    for name in list(os.environ):
        monkeypatch.delenv(name)
    for name, value in ansible_env.items():
        monkeypatch.setenv(name, value)


@pytest.fixture
def credential_inputs(sim):
    return {
        'url': sim.url,
        'access_key': sim.access_key,
        'secret_key': sim.secret_key,
        'cc_id': '1',
        'ca_cert': Path(sim.ca_path).read_text(encoding='utf-8'),
    }


def run_job(job_dir: Path, playbook: str, credential_inputs: dict, extravars: dict, verbosity: int = 0):
    """Run one job template: fresh private data dir, injected credential, extra vars."""
    shutil.copytree(AWX_PROJECT, job_dir / 'project')
    env, dummy = awx_injection.inject_credential(awx_injection.load_credential_type(), credential_inputs, job_dir)
    ident = Path(playbook).stem
    runner = ansible_runner.run(
        private_data_dir=str(job_dir),
        playbook=playbook,
        ident=ident,
        inventory=str(job_dir / 'project' / 'inventory' / 'hosts.yml'),
        envvars=env,
        extravars=extravars,
        verbosity=verbosity or None,
        quiet=True,
    )
    return runner, job_dir / 'artifacts' / ident


def job_events(artifact_dir: Path) -> list[dict]:
    return [
        json.loads(path.read_text(encoding='utf-8')) for path in sorted((artifact_dir / 'job_events').glob('*.json'))
    ]


def workflow_artifacts(artifact_dir: Path) -> dict:
    """What AWX stores as the job's artifacts: artifact_data of the playbook_on_stats event."""
    stats = [event for event in job_events(artifact_dir) if event['event'] == 'playbook_on_stats']
    assert len(stats) == 1, 'the job emitted no playbook_on_stats event'
    return stats[0]['event_data'].get('artifact_data') or {}


def job_output(runner, artifact_dir: Path) -> str:
    return runner.stdout.read() + '\n'.join(json.dumps(event) for event in job_events(artifact_dir))


def assert_secret_only_where_runner_keeps_the_environment(artifact_dir: Path, secret: str):
    assert secret not in (artifact_dir / 'stdout').read_text(encoding='utf-8')
    for event in job_events(artifact_dir):
        assert secret not in json.dumps(event), f'secret key in job event {event["event"]}'
    # Documented limitation (docs/awx.md): runner records the whole process environment here.
    assert secret in (artifact_dir / 'command').read_text(encoding='utf-8')


def test_workflow_hands_the_precheck_baseline_to_the_postcheck(runner_process_env, credential_inputs, tmp_path):
    pre_reports, post_reports = tmp_path / 'pre-reports', tmp_path / 'post-reports'

    precheck, pre_artifacts = run_job(
        tmp_path / 'precheck-job', 'precheck.yml', credential_inputs, dict(SCOPE, aicc_gate_report_dir=str(pre_reports))
    )

    assert (precheck.status, precheck.rc) == ('successful', 0), job_output(precheck, pre_artifacts)
    artifacts = workflow_artifacts(pre_artifacts)
    baseline = artifacts['aicc_gate_baselines']['localhost']
    assert len(baseline['terminals']) == 200 and baseline['site'] == 'localhost' and baseline['cc_id'] == 1
    assert artifacts['aicc_gate_prechecks']['localhost']['counts']['registered'] == sum(
        1 for registered, _rows in baseline['terminals'].values() if registered
    )
    assert baseline['unknown'] == []
    assert artifacts['aicc_gate_prechecks']['localhost']['passed'] is True
    assert_secret_only_where_runner_keeps_the_environment(pre_artifacts, credential_inputs['secret_key'])

    # The postcheck job sees the precheck's artifacts as extra vars, and not its files.
    postcheck, post_artifacts = run_job(
        tmp_path / 'postcheck-job',
        'postcheck.yml',
        credential_inputs,
        dict(SCOPE, aicc_gate_report_dir=str(post_reports), **artifacts),
        verbosity=3,
    )

    assert (postcheck.status, postcheck.rc) == ('successful', 0), job_output(postcheck, post_artifacts)
    assert not (post_reports / 'localhost' / 'aicc_gate_baseline.json').exists()
    result = workflow_artifacts(post_artifacts)['aicc_gate_results']['localhost']
    assert result['passed'] is True and result['verdict'] == 'PASS'
    assert result['counts']['regressed'] == 0 and result['counts']['missing'] == 0 and result['counts']['unknown'] == 0
    assert (post_reports / 'localhost' / 'aicc_gate_post.html').is_file()
    assert_secret_only_where_runner_keeps_the_environment(post_artifacts, credential_inputs['secret_key'])


def test_workflow_postcheck_fails_on_a_regression_against_the_handed_over_baseline(
    runner_process_env, sim, credential_inputs, tmp_path
):
    precheck, pre_artifacts = run_job(
        tmp_path / 'precheck-job',
        'precheck.yml',
        credential_inputs,
        dict(SCOPE, aicc_gate_report_dir=str(tmp_path / 'pre-reports')),
    )
    assert precheck.rc == 0, job_output(precheck, pre_artifacts)
    artifacts = workflow_artifacts(pre_artifacts)
    registered_before = sorted(
        eid
        for eid, (registered, _rows) in artifacts['aicc_gate_baselines']['localhost']['terminals'].items()
        if registered
    )
    broken = registered_before[:3]

    sim.set_status(broken, 'not register')  # the change breaks three phones, which never come back
    postcheck, post_artifacts = run_job(
        tmp_path / 'postcheck-job',
        'postcheck.yml',
        credential_inputs,
        dict(
            SCOPE,
            aicc_gate_report_dir=str(tmp_path / 'post-reports'),
            aicc_gate_wait_timeout=2,
            aicc_gate_wait_interval=1,
            **artifacts,
        ),
    )

    assert (postcheck.status, postcheck.rc) != ('successful', 0)
    result = workflow_artifacts(post_artifacts)['aicc_gate_results']['localhost']
    assert result['passed'] is False and result['verdict'] == 'FAIL'
    assert result['counts']['regressed'] == len(broken)
    output = job_output(postcheck, post_artifacts)
    for eid in broken:
        assert eid in output
