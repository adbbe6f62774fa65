# Copyright (c) 2026 aicc.cms contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""A unique secret key, every front end at -vvvv, success and failure paths: it never shows up anywhere.

Searched: stdout and stderr of every run, registered results, reports, the inventory cache, the
ansible-runner job events and stdout, and every other file the runs leave under the test's
folder (ANSIBLE_HOME and its temp folders included). Not searched, because they are the inputs
that carry the secret in: the extra-vars file, and ansible-runner's ``env/envvars``; and runner's
``artifacts/<ident>/command``, where ansible-runner itself records the whole process environment
(a documented ansible-runner behaviour; AWX keeps credentials out of what it shows).
"""

from __future__ import annotations

import base64
import json
import os
import sys
import uuid
from pathlib import Path

import pytest
import yaml

SIM_OPTIONS = {'ranges': ('8880000-8880299',), 'uaps': 2, 'registered_ratio': 0.9, 'seed': 5}


@pytest.fixture(name='canary')
def fixture_canary() -> str:
    return f'canary-{uuid.uuid4().hex}'


@pytest.fixture(name='canary_sim')
def fixture_canary_sim(sim_factory, canary):
    return sim_factory(**dict(SIM_OPTIONS, secret_key=canary))


def _write_yaml(path: Path, data) -> Path:
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


def _task(name: str, module_args: dict, **more) -> dict:
    return dict({'name': name, 'aicc.cms.aicc_terminal_status': module_args}, **more)


def test_secret_never_leaks(run_ansible, ansible_env, canary_sim, sim_factory, canary, tmp_path, monkeypatch):
    sim = canary_sim
    other = sim_factory(**SIM_OPTIONS)  # another secret: the canary gets HTTP 401 there
    work = tmp_path / 'work'
    work.mkdir()
    conn = {'url': sim.url, 'access_key': sim.access_key, 'secret_key': canary, 'ca_path': sim.ca_path}
    inputs = {work / 'vars.json'}
    (work / 'vars.json').write_text(
        json.dumps(
            {'conn': conn, 'wrong_server': other.url, 'other_ca': other.ca_path, 'out': str(work / 'results.json')}
        )
    )
    env = {
        'AICC_URL': sim.url,
        'AICC_ACCESS_KEY': sim.access_key,
        'AICC_SECRET_KEY': canary,
        'AICC_CA_PATH': sim.ca_path,
    }
    outputs = []

    # Module and lookup, succeeding and failing, at -vvvv; every registered result is written out.
    module_args = {
        'url': '{{ conn.url }}',
        'access_key': '{{ conn.access_key }}',
        'secret_key': '{{ conn.secret_key }}',
        'ca_path': '{{ conn.ca_path }}',
    }
    playbook = _write_yaml(
        work / 'front_ends.yml',
        [
            {
                'name': 'Canary',
                'hosts': 'localhost',
                'gather_facts': False,
                'tasks': [
                    _task(
                        'Query',
                        dict(module_args, eid_ranges=['8880000-8880299'], eids=['9999999']),
                        register='ok_result',
                    ),
                    _task(
                        'Wait',
                        dict(module_args, eids=['8880001'], wait_for='registered', wait_timeout=1, wait_interval=1),
                        register='wait_result',
                        ignore_errors=True,
                    ),
                    _task(
                        'Wrong secret for that server',
                        dict(module_args, url='{{ wrong_server }}', ca_path='{{ other_ca }}', eids=['8880001']),
                        register='auth_result',
                        ignore_errors=True,
                    ),
                    _task(
                        'Bad option',
                        dict(module_args, eids=['8880001'], max_concurrency=11),
                        register='option_result',
                        ignore_errors=True,
                    ),
                    _task(
                        'Connection refused',
                        dict(module_args, url='https://127.0.0.1:9', eids=['8880001'], retries=0),
                        register='refused_result',
                        ignore_errors=True,
                    ),
                    {
                        'name': 'Lookup',
                        'ansible.builtin.set_fact': {
                            'looked_up': (
                                "{{ query('aicc.cms.aicc_terminal_status', '8880001', '88801??', url=conn.url,"
                                ' access_key=conn.access_key, secret_key=conn.secret_key, ca_path=conn.ca_path) }}'
                            )
                        },
                    },
                    {
                        'name': 'Lookup against the wrong server',
                        'ansible.builtin.set_fact': {
                            'failed_lookup': (
                                "{{ query('aicc.cms.aicc_terminal_status', '8880001', url=wrong_server,"
                                ' access_key=conn.access_key, secret_key=conn.secret_key, ca_path=other_ca) }}'
                            )
                        },
                        'ignore_errors': True,
                    },
                    {'name': 'Show everything', 'ansible.builtin.debug': {'var': 'looked_up'}},
                    {
                        'name': 'Write the results',
                        'ansible.builtin.copy': {
                            'content': (
                                "{{ {'ok': ok_result, 'wait': wait_result, 'auth': auth_result, 'option':"
                                " option_result, 'refused': refused_result, 'lookup': looked_up} | to_nice_json }}"
                            ),
                            'dest': '{{ out }}',
                            'mode': '0600',
                        },
                    },
                ],
            }
        ],
    )
    proc = run_ansible(['ansible-playbook', '-vvvv', str(playbook), '-e', '@%s' % (work / 'vars.json')])
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    outputs.append(proc.stdout + proc.stderr)
    results = json.loads((work / 'results.json').read_text())
    assert results['ok']['summary']['total'] == 300 and results['ok']['missing'] == ['9999999']
    assert results['auth']['failed'] and 'authentication failed (HTTP 401)' in results['auth']['msg']
    assert results['option']['failed'] and results['refused']['failed']
    assert 'Lookup against the wrong server' in proc.stdout and 'authentication failed (HTTP 401)' in proc.stdout

    # Inventory with its cache, secret from the environment.
    inventory = _write_yaml(
        work / 'canary.aicc_terminals.yml',
        {
            'plugin': 'aicc.cms.aicc_terminals',
            'eid_ranges': ['8880000-8880299'],
            'eids': ['9999999'],
            'cache': True,
            'cache_plugin': 'ansible.builtin.jsonfile',
            'cache_connection': str(work / 'inventory-cache'),
        },
    )
    for run in ('miss', 'hit'):  # a miss that fills the cache, then a hit
        listing = work / f'inventory-{run}.json'
        listed = run_ansible(
            ['ansible-inventory', '-vvvv', '-i', str(inventory), '--list', '--output', str(listing)], env=env
        )
        assert listed.returncode == 0, listed.stderr[-3000:]
        outputs.append(listed.stdout + listed.stderr)
        assert len(json.loads(listing.read_text())['_meta']['hostvars']) == 301
    assert any((work / 'inventory-cache').iterdir())
    refused = run_ansible(
        ['ansible-inventory', '-vvvv', '-i', str(inventory), '--list'],
        env=dict(env, AICC_URL=other.url, AICC_CA_PATH=other.ca_path, ANSIBLE_CACHE_PLUGIN_CONNECTION=str(work / 'c2')),
    )
    outputs.append(refused.stdout + refused.stderr)

    # The role, pre and post, with its reports.
    reports = work / 'reports'
    for phase in ('precheck', 'postcheck'):
        gated = run_ansible(
            [
                'ansible-playbook',
                '-vvvv',
                f'aicc.cms.{phase}',
                '-e',
                json.dumps({'aicc_gate_eid_ranges': ['8880000-8880299'], 'aicc_gate_report_dir': str(reports)}),
            ],
            env=env,
        )
        outputs.append(gated.stdout + gated.stderr)
        assert (reports / 'localhost' / f'aicc_gate_{phase[:-5]}.json').exists(), gated.stdout[-3000:]

    # ansible-runner, as AWX runs a job.
    runner_dir = _runner_job(work, env, ansible_env, monkeypatch)
    inputs.add(runner_dir / 'env' / 'envvars')

    _assert_nowhere(canary, outputs, tmp_path, inputs)


def _runner_job(work: Path, env: dict, ansible_env: dict, monkeypatch) -> Path:
    ansible_runner = pytest.importorskip('ansible_runner')
    private = work / 'runner'
    (private / 'project').mkdir(parents=True)
    (private / 'project' / 'precheck.yml').write_text('- ansible.builtin.import_playbook: aicc.cms.precheck\n')
    (private / 'inventory').mkdir()
    (private / 'inventory' / 'hosts').write_text(
        f'localhost ansible_connection=local ansible_python_interpreter={sys.executable}\n'
    )
    for name in list(os.environ):
        monkeypatch.delenv(name)
    for name, value in ansible_env.items():
        monkeypatch.setenv(name, value)
    job = ansible_runner.run(
        private_data_dir=str(private),
        playbook='precheck.yml',
        ident='canary',
        envvars=env,
        verbosity=4,
        quiet=True,
        extravars={'aicc_gate_eid_ranges': ['8880000-8880299'], 'aicc_gate_report_dir': str(work / 'runner-reports')},
    )
    assert (job.status, job.rc) == ('successful', 0), job.stdout.read()[-3000:]
    assert list((private / 'artifacts' / 'canary' / 'job_events').glob('*.json'))
    return private


def _assert_nowhere(canary: str, outputs: list[str], root: Path, inputs: set[Path]) -> None:
    forms = {canary, base64.b64encode(canary.encode()).decode()}
    for output in outputs:
        for form in forms:
            assert form not in output, (
                f'secret key in command output: ...{output[max(0, output.find(form) - 200) : output.find(form) + 50]}...'
            )
    searched = 0
    excluded_holding_it = 0
    for path in root.rglob('*'):
        if not path.is_file():
            continue
        # ansible-runner writes the whole process environment (AICC_SECRET_KEY included) into artifacts/<ident>/command by design.
        if path in inputs or (path.name == 'command' and path.parent.parent.name == 'artifacts'):
            excluded_holding_it += canary in path.read_text(encoding='utf-8', errors='replace')
            continue
        content = path.read_bytes().decode('utf-8', errors='replace')
        searched += 1
        for form in forms:
            assert form not in content, f'secret key in {path}'
    assert searched >= 10, f'too few files searched: {searched}'
    # The search does see the secret where it is expected: the inputs and runner's environment record.
    assert excluded_holding_it == 3
