# Copyright (c) 2026 aicc.cms contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Under server faults the answer is the fault-free truth or a clear failure, never a silent partial result.

The seed sweep drives the core directly (fast); one real ansible-playbook run checks the role's
gate; one test runs the heaviest calls of the module, the lookup and the inventory and checks the
API's rules in the simulator's stats.
"""

from __future__ import annotations

import json
import re

import pytest
import yaml
from ansible_collections.aicc.cms.plugins.module_utils._gate.verdict import evaluate_postcheck, evaluate_precheck
from ansible_collections.aicc.cms.plugins.module_utils._query.client import CmsClient
from ansible_collections.aicc.cms.plugins.module_utils._query.engine import query_status
from ansible_collections.aicc.cms.plugins.module_utils._query.planner import plan_queries

# 1,950 terminals in pool mode; the requested range runs 50 IDs past them, so some are missing.
SIM_OPTIONS = {'ranges': ('8880000-8881949',), 'uaps': 2, 'registered_ratio': 0.9, 'seed': 7}
REQUESTED_RANGE = '8880000-8881999'
REQUESTED = {str(number) for number in range(8880000, 8882000)}
# 10% HTTP 5xx, 5% time-outs, 2% truncated JSON, 3% 429 with Retry-After
FAULTS = ['500:0.04', '502:0.03', '503:0.03', 'timeout:0.05', 'truncated:0.02', '429:0.03']
CLIENT_TIMEOUT = 0.25  # the simulator stalls longer than this, then closes without an answer
STALL_SECONDS = 0.5
SEEDS = (1, 2, 3)

# Every way a faulty query may fail, as the client words it after its retries.
CLEAR_FAILURE = re.compile(
    r'^EID 888\d{2}\?\?: ('
    r'unexpected response from /rest/cmsapp/v1/openapi/uap/queryterminalstatus: '
    r'(HTTP 5\d\d text/plain: [A-Za-z ]+|HTTP 429 text/plain: Too Many Requests|HTTP 200 application/json, not valid'
    r' JSON: .+)'
    r'( \(after \d+ attempts\))?'
    r'|no response within 0\.25 s from https://127\.0\.0\.1:\d+/rest/cmsapp/v1/openapi/uap/queryterminalstatus after'
    r' \d+ attempts?'
    r'|cannot reach 127\.0\.0\.1:\d+ \(connection closed by the server\) after \d+ attempts?: '
    r'check url and that CC-CMS \(or the NSLB\) is reachable'
    r')$'
)


def _query(sim, retries: int, timeout: float = CLIENT_TIMEOUT) -> dict:
    with CmsClient(
        sim.url,
        sim.access_key,
        sim.secret_key,
        ca_path=sim.ca_path,
        timeout=timeout,
        retries=retries,
        max_concurrency=10,
        backoff_factor=0.05,
    ) as client:
        return query_status(client, plan_queries(eid_ranges=[REQUESTED_RANGE]))


@pytest.fixture(name='faulty_sim')
def fixture_faulty_sim(sim_factory):
    return sim_factory(**dict(SIM_OPTIONS, stall_seconds=STALL_SECONDS, retry_after=1))


def test_fault_seeds_give_the_truth_or_a_clear_failure(faulty_sim):
    # The truth is taken without faults and with a patient client: a slow answer on a busy machine is no fault.
    truth = _query(faulty_sim, retries=3, timeout=30)
    assert truth['errors'] == [] and truth['unknown'] == []
    assert set(truth['terminals']) | set(truth['missing']) == REQUESTED and len(truth['missing']) == 50

    outcomes = []
    for seed in SEEDS:
        for retries in (3, 0):
            faulty_sim.set_faults(FAULTS, seed=seed)
            result = _query(faulty_sim, retries=retries)
            outcomes.append((seed, retries, bool(result['errors'])))
            _check_against_truth(result, truth, f'seed {seed}, retries {retries}')
    stats = faulty_sim.stats()
    assert {'500', '502', '503', 'timeout', 'truncated', '429'} <= set(stats['faults_injected']), stats[
        'faults_injected'
    ]
    assert stats['violations'] == 0
    # Without retries some query fails on some seed: the failure path was exercised, not only the happy one.
    assert any(failed for _seed, retries, failed in outcomes if retries == 0), outcomes


def _check_against_truth(result: dict, truth: dict, label: str) -> None:
    unknown = set(result['unknown'])
    found = set(result['terminals'])
    # Nothing silently dropped: every requested ID is found, missing or unknown, and only one of them.
    assert found | set(result['missing']) | unknown == REQUESTED, label
    assert not found & unknown and not set(result['missing']) & unknown, label
    # What is claimed is true.
    for eid, record in result['terminals'].items():
        assert record == truth['terminals'][eid], f'{label}: {eid} differs from the fault-free answer'
    assert set(result['missing']) <= set(truth['missing']), label
    precheck = evaluate_precheck(result)
    postcheck = evaluate_postcheck(truth, result)
    if not result['errors']:
        assert result['terminals'] == truth['terminals'] and result['missing'] == truth['missing'] and not unknown, (
            label
        )
        assert result['summary'] == truth['summary'], label
        assert postcheck['passed'], (
            f'{label}: a complete answer equal to the baseline must pass: {postcheck["reasons"]}'
        )
    else:
        assert unknown, f'{label}: a failed query must leave its IDs unknown'
        for error in result['errors']:
            assert CLEAR_FAILURE.match(error), f'{label}: unclear error {error!r}'
        assert len(unknown) <= 100 * len(result['errors']), label
        assert not precheck['passed'] and not postcheck['passed'], f'{label}: the gate passed on an incomplete answer'
        assert any('could not be queried' in reason for reason in postcheck['reasons']), postcheck['reasons']


def test_role_gate_fails_when_a_query_fails_under_faults(sim_factory, run_ansible, tmp_path):
    # One block always fails, the rest sees the random faults: the precheck must stop the change.
    sim = sim_factory(
        **dict(SIM_OPTIONS, stall_seconds=STALL_SECONDS, retry_after=1, fault_seed=4, faults=['503:1@88801*'] + FAULTS)
    )
    reports = tmp_path / 'reports'
    extra = tmp_path / 'vars.json'
    extra.write_text(json.dumps({'aicc_gate_eid_ranges': [REQUESTED_RANGE], 'aicc_gate_report_dir': str(reports)}))
    env = {
        'AICC_URL': sim.url,
        'AICC_ACCESS_KEY': sim.access_key,
        'AICC_SECRET_KEY': sim.secret_key,
        'AICC_CA_PATH': sim.ca_path,
        'AICC_TIMEOUT': '1',
        'AICC_RETRIES': '2',
        'AICC_MAX_CONCURRENCY': '10',
    }

    proc = run_ansible(['ansible-playbook', 'aicc.cms.precheck', '-e', f'@{extra}'], env=env)

    output = proc.stdout + proc.stderr
    assert proc.returncode == 2, output[-3000:]
    verdict = json.loads((reports / 'localhost' / 'aicc_gate_pre.json').read_text())  # the site's own folder
    assert verdict['passed'] is False and verdict['verdict'] == 'FAIL'
    assert set(verdict['unknown']) >= {str(number) for number in range(8880100, 8880200)}
    assert 'could not be queried' in verdict['reasons'][0]
    assert 'HTTP 503 text/plain: Service Unavailable (after 3 attempts)' in output


def test_api_rules_hold_under_the_heaviest_calls(sim_factory, run_ansible, tmp_path):
    """Module, lookup and inventory at max_concurrency 10: never more than 10 in flight, no wildcard query of 200+."""
    # 20 ms per answer so that requests overlap, as they do against a real server
    sim = sim_factory(ranges=('8880000-8884999',), uaps=2, seed=3, latency_ms=20, faults=['latency:1'])
    env = {
        'AICC_URL': sim.url,
        'AICC_ACCESS_KEY': sim.access_key,
        'AICC_SECRET_KEY': sim.secret_key,
        'AICC_CA_PATH': sim.ca_path,
        'AICC_MAX_CONCURRENCY': '10',
    }
    playbook = tmp_path / 'heavy.yml'
    playbook.write_text(
        yaml.safe_dump(
            [
                {
                    'name': 'Heaviest calls',
                    'hosts': 'localhost',
                    'gather_facts': False,
                    'tasks': [
                        {
                            'name': 'Module over 5,000 terminals',
                            'aicc.cms.aicc_terminal_status': {'eid_ranges': ['8880000-8884999'], 'summary_only': True},
                            'register': 'swept',
                        },
                        {
                            'name': 'Lookup over 3,000 terminals, pattern and exact IDs',
                            'ansible.builtin.set_fact': {
                                'looked_up': (
                                    "{{ query('aicc.cms.aicc_terminal_status', '88849??', '8880001', "
                                    "eid_ranges=['8881000-8883999']) | length }}"
                                )
                            },
                        },
                        {
                            'name': 'Check',
                            'ansible.builtin.assert': {
                                'that': ['swept.summary.total == 5000', 'looked_up | int == 3101']
                            },
                        },
                    ],
                }
            ],
            sort_keys=False,
        )
    )
    inventory = tmp_path / 'heavy.aicc_terminals.yml'
    inventory.write_text(
        yaml.safe_dump({'plugin': 'aicc.cms.aicc_terminals', 'eid_ranges': ['8880000-8884999'], 'max_concurrency': 10})
    )

    played = run_ansible(['ansible-playbook', str(playbook)], env=env)
    listed = run_ansible(
        ['ansible-inventory', '-i', str(inventory), '--list'],
        env=dict(env, ANSIBLE_INVENTORY_ANY_UNPARSED_IS_FAILED='true'),
    )

    assert played.returncode == 0, played.stdout[-3000:] + played.stderr[-3000:]
    assert listed.returncode == 0, listed.stderr[-3000:]
    assert len(json.loads(listed.stdout)['_meta']['hostvars']) == 5000
    stats = sim.stats()
    assert stats['requests'] >= 50 + 32 + 50
    assert 1 < stats['max_in_flight'] <= 10, stats
    assert stats['stalled'] == 0 and stats['violations'] == 0 and stats['unauthorized'] == 0, stats
    assert set(stats['by_status']) == {'200'} and set(stats['by_result_code']) == {'0100000'}, stats
