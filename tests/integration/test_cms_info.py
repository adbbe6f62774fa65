# Copyright (c) 2026 aicc.cms contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""aicc.cms.aicc_cms_info, the first-contact probe, run by ansible-playbook against the simulator."""

from __future__ import annotations

import json

import pytest

pytestmark = pytest.mark.slow

PLAYBOOK = """
- hosts: localhost
  gather_facts: false
  tasks:
    - name: Probe
      aicc.cms.aicc_cms_info:
        url: "{{ conn.url }}"
        access_key: "{{ conn.access_key }}"
        secret_key: "{{ conn.secret_key }}"
        ca_path: "{{ conn.ca_path }}"
        eid_ranges: ["8880000-8880099"]
        max_queries: "{{ max_queries }}"
      register: probe
    - name: Keep the result
      ansible.builtin.copy:
        content: "{{ probe | to_json }}"
        dest: "{{ out }}"
        mode: "0600"
"""


def probe(run_ansible, tmp_path, sim, max_queries=6):
    playbook = tmp_path / 'probe.yml'
    playbook.write_text(PLAYBOOK)
    out = tmp_path / 'probe.json'
    conn = {'url': sim.url, 'access_key': sim.access_key, 'secret_key': sim.secret_key, 'ca_path': sim.ca_path}
    extra = tmp_path / 'vars.json'
    extra.write_text(json.dumps({'conn': conn, 'out': str(out), 'max_queries': max_queries}))
    proc = run_ansible(['ansible-playbook', str(playbook), '-e', f'@{extra}'])
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return json.loads(out.read_text()), proc


@pytest.mark.parametrize('paging_unit, uaps', [('ids', 2), ('rows', 1)])
def test_probe_reports_what_the_answers_prove(run_ansible, tmp_path, sim_factory, paging_unit, uaps):
    sim = sim_factory(ranges=('8880000-8880499',), uaps=uaps, count_semantics=paging_unit, seed=1)
    result, proc = probe(run_ansible, tmp_path, sim)
    assert result['changed'] is False and result['errors'] == []
    assert 1 <= result['requests'] <= 6 and len(result['exchanges']) == result['requests']
    assert sim.stats()['requests'] == result['requests']
    assert result['parameter_type'] == 'integer'
    assert result['uap_keys'] == [f'10.10.0.{n}#{n}' for n in range(1, uaps + 1)]
    assert result['pool_mode'] is (uaps > 1)
    assert result['latency']['min'] <= result['latency']['median'] <= result['latency']['max']
    assert abs(result['clock_offset_seconds']) < 5  # the simulator's Date header, this host's clock
    # 100 IDs in pages of 10 span several pages: the offset reading is proven
    assert result['readings']['offset'] == ['items']
    assert paging_unit in result['readings']['limit_counts']
    assert isinstance(result['advice'], str) and result['advice']
    for exchange in result['exchanges']:
        assert set(exchange) == {'eid', 'limit', 'offset', 'status', 'result_code', 'rows', 'count', 'duration'}
    assert sim.secret_key not in proc.stdout + json.dumps(result)
    assert sim.access_key not in json.dumps(result['exchanges'])


def test_probe_stops_at_max_queries(run_ansible, tmp_path, sim_factory):
    sim = sim_factory(ranges=('8880000-8880499',), uaps=1, seed=1)
    result, _proc = probe(run_ansible, tmp_path, sim, max_queries=2)
    assert result['requests'] == 2 == sim.stats()['requests']
    assert result['complete'] is False and result['queries'] == 0


TRACE_PLAYBOOK = """
- hosts: localhost
  gather_facts: false
  tasks:
    - name: Query with trace
      aicc.cms.aicc_terminal_status:
        url: "{{ conn.url }}"
        access_key: "{{ conn.access_key }}"
        secret_key: "{{ conn.secret_key }}"
        ca_path: "{{ conn.ca_path }}"
        eid_ranges: ["8880000-8880149"]
        trace: true
      register: traced
    - name: The lookup's exchanges
      ansible.builtin.set_fact:
        looked_up: "{{ lookup('aicc.cms.aicc_terminal_status', '8880000', url=conn.url, access_key=conn.access_key,
                       secret_key=conn.secret_key, ca_path=conn.ca_path, trace=true, wantlist=true) }}"
    - name: Keep both
      ansible.builtin.copy:
        content: "{{ {'module': traced, 'lookup': looked_up} | to_json }}"
        dest: "{{ out }}"
        mode: "0600"
"""


def test_trace_returns_every_exchange_from_the_module_and_the_lookup(run_ansible, tmp_path, sim_factory):
    sim = sim_factory(ranges=('8880000-8880499',), uaps=2, seed=1)
    playbook = tmp_path / 'trace.yml'
    playbook.write_text(TRACE_PLAYBOOK)
    out = tmp_path / 'trace.json'
    conn = {'url': sim.url, 'access_key': sim.access_key, 'secret_key': sim.secret_key, 'ca_path': sim.ca_path}
    extra = tmp_path / 'vars.json'
    extra.write_text(json.dumps({'conn': conn, 'out': str(out)}))
    proc = run_ansible(['ansible-playbook', str(playbook), '-e', f'@{extra}', '-vvv'])
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    results = json.loads(out.read_text())
    exchanges = results['module']['trace']
    assert len(exchanges) == results['module']['requests'] == sim.stats()['requests'] - len(results['lookup'])
    assert {exchange['eid'] for exchange in exchanges} == {'88800??', '88801??'}
    assert all(exchange['status'] == 200 and exchange['result_code'] == '0100000' for exchange in exchanges)
    assert sum(exchange['rows'] for exchange in exchanges) >= 300  # every row of 150 terminals on 2 UAPs, at least once
    assert [exchange['eid'] for exchange in results['lookup']][0] == '8880000'
    assert sim.secret_key not in proc.stdout + proc.stderr


@pytest.mark.parametrize('max_queries', ['1e400', '0', '101'])
def test_probe_refuses_a_budget_out_of_range(run_ansible, tmp_path, sim_factory, max_queries):
    sim = sim_factory(ranges=('8880000-8880099',), uaps=1, seed=1)
    playbook = tmp_path / 'probe.yml'
    playbook.write_text(PLAYBOOK)
    conn = {'url': sim.url, 'access_key': sim.access_key, 'secret_key': sim.secret_key, 'ca_path': sim.ca_path}
    extra = tmp_path / 'vars.json'
    extra.write_text(json.dumps({'conn': conn, 'out': str(tmp_path / 'probe.json'), 'max_queries': max_queries}))
    proc = run_ansible(['ansible-playbook', str(playbook), '-e', f'@{extra}'])
    assert proc.returncode == 2, proc.stdout[-3000:]
    assert 'max_queries must be' in proc.stdout and 'between 1 and 100' in proc.stdout, proc.stdout[-3000:]
    assert 'Traceback' not in proc.stdout + proc.stderr
    assert sim.stats()['requests'] == 0
