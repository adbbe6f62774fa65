# Copyright (c) 2026 aicc.cms contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Adversarial cases through real ansible-playbook runs: hostile servers end by their deadline with one sentence
and bounded memory, hostile numbers never crash a front end, and forks x front ends share one in-flight budget."""

from __future__ import annotations

import json
import sys
import textwrap
import threading
from pathlib import Path

import pytest
from ansible_collections.aicc.cms.plugins.module_utils._query.transport import MAX_RESPONSE_BYTES
from integration.hostile_servers import HostileServer

# A module process with a full capped answer in memory: the interpreter, Ansible's module code, the chunks read
# and the joined body (both at most MAX_RESPONSE_BYTES). The hostile cases used 3.4 to 3.9 GB before the cap.
MODULE_PEAK_RSS_BOUND_KIB = (80 * 1024 * 1024 + 3 * MAX_RESPONSE_BYTES) // 1024

REPO_ROOT = Path(__file__).resolve().parents[2]
HOSTILE_CASES = [
    # kind, what the task must say
    (
        'drip_headers',
        (
            'within 2 s (timeout, for connection, headers and body together) after 1 attempt: the headers were still'
            ' incomplete'
        ),
    ),
    (
        'drip_body',
        (
            'within 2 s (timeout, for connection, headers and body together) after 1 attempt: the headers had arrived,'
            ' the body was still incomplete'
        ),
    ),
    (
        'headers_then_silence',
        'the headers had arrived, the body was still incomplete; CC-CMS (or the NSLB) was reached',
    ),
    ('gzip_bomb', f'passed {MAX_RESPONSE_BYTES} bytes once decompressed, far more than any page of terminals'),
    ('chunked_huge', f'passed {MAX_RESPONSE_BYTES} bytes once decompressed, far more than any page of terminals'),
    (
        'echo_authorization',
        'CC-CMS returned 0100002 (invalid parameters): bad request, headers were Authorization: auth-v2/<redacted>',
    ),
    ('retry_after_soon', None),  # succeeds after the backoff
]


def _rss_interpreter(tmp_path):
    """An interpreter stand-in that records the peak RSS (KiB) of each module process in rss.log."""
    wrapper = tmp_path / 'python-rss'
    wrapper.write_text(
        f'#!/bin/sh\nexec {sys.executable} {REPO_ROOT / "tests" / "bench" / "rss_wrapper.py"} "$@"\n',
        encoding='utf-8',
    )
    wrapper.chmod(0o755)
    return wrapper, tmp_path / 'rss.log'


def test_hostile_servers_end_by_their_deadline_with_one_sentence_and_bounded_memory(run_ansible, tmp_path):
    servers = [HostileServer(kind, pace=1.0, lifetime=120, max_requests=4) for kind, _expected in HOSTILE_CASES]
    task = textwrap.dedent("""
        - name: Hostile server {kind}
          aicc.cms.aicc_terminal_status:
            url: {url}
            access_key: hostile-ak
            secret_key: hostile-secret-77c1
            eids: ['8880001']
            timeout: 2
            retries: {retries}
          register: case_{kind}
          ignore_errors: true
        """)
    tasks = ''
    for (kind, _expected), server in zip(HOSTILE_CASES, servers, strict=True):
        tasks += task.format(kind=kind, url=server.url, retries=1 if kind == 'retry_after_soon' else 0)
    names = ', '.join(f"'{kind}': case_{kind}" for kind, _expected in HOSTILE_CASES)
    playbook = tmp_path / 'hostile.yml'
    playbook.write_text(
        '- hosts: localhost\n  gather_facts: false\n  tasks:\n'
        + textwrap.indent(tasks, '    ')
        + textwrap.indent(
            textwrap.dedent("""
        - name: Write the results
          ansible.builtin.copy:
            content: "{{{{ {{{names}}} | to_json }}}}"
            dest: {out}
            mode: '0600'
        """).format(names=names, out=tmp_path / 'results.json'),
            '    ',
        ),
        encoding='utf-8',
    )
    interpreter, rss_log = _rss_interpreter(tmp_path)
    try:
        for server in servers:
            server.__enter__()
        result = run_ansible(
            ['ansible-playbook', str(playbook), '-e', f'ansible_python_interpreter={interpreter}'],
            env={'AICC_BENCH_RSS_LOG': str(rss_log)},
        )
    finally:
        for server in servers:
            server.stop()
    assert result.returncode == 0, result.stdout + result.stderr
    results = json.loads((tmp_path / 'results.json').read_text(encoding='utf-8'))
    for (kind, expected), server in zip(HOSTILE_CASES, servers, strict=True):
        outcome = results[kind]
        if expected is None:
            assert not outcome['failed'] and outcome['terminals']['8880001']['registered'] is True, outcome
            continue
        assert outcome['failed'] and outcome['unknown'] == ['8880001'], outcome
        assert expected in outcome['msg'], (kind, outcome['msg'])
        assert '\n' not in outcome['msg'] and 'hostile-secret-77c1' not in json.dumps(outcome)
        assert server.requests <= 3
    peaks = [int(line) for line in rss_log.read_text(encoding='utf-8').split()]
    assert len(peaks) >= len(HOSTILE_CASES)
    assert max(peaks) < MODULE_PEAK_RSS_BOUND_KIB, (
        f'peak RSS of a module process {max(peaks)} KiB, bound {MODULE_PEAK_RSS_BOUND_KIB} KiB'
    )


NUMBER_CASES = [
    # name, the task's arguments as a YAML flow mapping (unquoted values on purpose), environment (module only), the sentence
    ('cc_id .inf', '{cc_id: .inf}', {}, 'cc_id must be an integer between 0 and 2147483647, got inf'),
    (
        'cc_id 1e1000000',
        "{cc_id: '1e1000000'}",
        {},
        "cc_id must be an integer between 0 and 2147483647, got '1e1000000'",
    ),
    (
        'retries from the environment',
        '{}',
        {'AICC_RETRIES': '1e400'},
        "retries must be an integer between 0 and 10, got '1e400'",
    ),
    ('page_size 1e5000', '{page_size: 1e5000}', {}, "page_size must be an integer between 1 and 1000, got '1e5000'"),
    (
        'max_range_size raised to 9e9',
        "{max_range_size: 9000000000, eid_ranges: ['0000000000-8999999999']}",
        {},
        'max_range_size must be an integer between 1 and 10000000, got 9000000000',
    ),
    (
        'wait_timeout .nan',
        '{wait_for: registered, wait_timeout: .nan}',
        {},
        'wait_timeout must be a whole number of seconds above 0 and at most 86400, got nan',
    ),
    ('unquoted 010', '{eids: [010]}', {}, 'eids holds the number 8 where a string belongs: quote the ID'),
    (
        'unquoted 8880001.0',
        '{eids: [8880001.0]}',
        {},
        'eids holds the number 8880001.0 where a string belongs: quote the ID',
    ),
    (
        'both ak and access_key',
        '{access_key: one-ak, ak: other-ak}',
        {},
        'access_key and its alias ak are both set: give only one of them',
    ),
    (
        'validate_certs false with ca_path',
        '{validate_certs: false}',
        {},
        'validate_certs=false and ca_path are both set',
    ),
    ('port 0', "{url: 'https://127.0.0.1:0'}", {}, "url 'https://127.0.0.1:0' has port 0"),
]


def _with_eids(flow: str) -> str:
    if 'eids' in flow or 'eid_ranges' in flow:
        return flow
    return "{eids: ['8880001']%s" % (', ' + flow[1:] if flow != '{}' else '}')


@pytest.mark.parametrize('front_end', ['module', 'lookup'])
def test_hostile_numbers_get_one_sentence_in_a_real_run(run_ansible, sim, aicc_env, tmp_path, front_end):
    cases = [
        case for case in NUMBER_CASES if front_end == 'module' or not case[2]
    ]  # a task's environment never reaches a lookup
    tasks = []
    for number, (name, flow, environment, _sentence) in enumerate(cases):
        if front_end == 'module':
            call = f'aicc.cms.aicc_terminal_status: {_with_eids(flow)}'
        else:
            call = (
                'ansible.builtin.debug:\n    msg: "{{ lookup(\'aicc.cms.aicc_terminal_status\', **case_args) }}"\n'
                f'vars:\n  case_args: {_with_eids(flow)}'
            )
        lines = [
            f'- name: case {number} {name}',
            '  ' + call.replace('\n', '\n  '),
            f'  register: case_{number}',
            '  ignore_errors: true',
        ]
        if environment:
            lines.append('  environment:')
            lines.extend('    {}: "{}"'.format(*item) for item in environment.items())
        tasks.append('\n'.join(lines))
    names = ', '.join(f'case_{number}' for number in range(len(cases)))
    tasks.append(
        f'- name: Write the results\n  ansible.builtin.copy:\n    content: "{{{{ [{names}] | to_json }}}}"\n    dest:'
        f' {tmp_path / "results.json"}\n    mode: "0600"'
    )
    playbook = tmp_path / 'numbers.yml'
    playbook.write_text(
        '- hosts: localhost\n  gather_facts: false\n  tasks:\n' + textwrap.indent('\n'.join(tasks), '    ') + '\n',
        encoding='utf-8',
    )
    sim.reset_stats()
    result = run_ansible(['ansible-playbook', str(playbook)], env=aicc_env)
    assert result.returncode == 0, result.stdout + result.stderr
    outcomes = json.loads((tmp_path / 'results.json').read_text(encoding='utf-8'))
    for (name, _flow, _environment, sentence), outcome in zip(cases, outcomes, strict=True):
        assert outcome.get('failed'), (name, outcome)
        assert sentence in outcome['msg'] and 'Traceback' not in outcome['msg'], (name, outcome['msg'])
    assert sim.stats()['requests'] == 0, 'bad input must be refused before any request'


BUDGET_PLAYBOOK = """
- hosts: all
  gather_facts: false
  strategy: free
  tasks:
    - name: Module
      aicc.cms.aicc_terminal_status:
        eid_ranges: ['8880000-8881999']
        max_concurrency: {concurrency}
        summary_only: true
    - name: Lookup
      ansible.builtin.assert:
        that: >-
          lookup('aicc.cms.aicc_terminal_status', eid_ranges=['8880000-8881999'],
          max_concurrency={concurrency}, wantlist=True) | length == 2000
    - name: Module again
      aicc.cms.aicc_terminal_status:
        eid_ranges: ['8880000-8881999']
        max_concurrency: {concurrency}
        summary_only: true
"""


@pytest.mark.parametrize('concurrency', [10, 3])
def test_forks_and_front_ends_share_one_in_flight_budget(run_ansible, sim_factory, tmp_path, concurrency):
    """Two playbooks at once, five forks each, module and lookup on every host: at most max_concurrency in flight.

    Without the shared budget they put 25 to 50 requests in flight and the simulator stalled dozens of them.
    """
    # every request waits 20 ms (a latency fault at rate 1): the processes' requests overlap, whatever the load
    sim = sim_factory(
        ranges=('8880000-8881999',),
        uaps=2,
        registered_ratio=1.0,
        seed=3,
        latency_ms=20,
        faults=['latency:1'],
        stall_seconds=5,
    )
    inventory = tmp_path / 'hosts.ini'
    inventory.write_text(
        '[phones]\n' + ''.join(f'node{number} ansible_connection=local\n' for number in range(5)), encoding='utf-8'
    )
    playbook = tmp_path / 'budget.yml'
    playbook.write_text(BUDGET_PLAYBOOK.format(concurrency=concurrency), encoding='utf-8')
    environment = {
        'AICC_URL': sim.url,
        'AICC_ACCESS_KEY': sim.access_key,
        'AICC_SECRET_KEY': sim.secret_key,
        'AICC_CA_PATH': sim.ca_path,
        'ANSIBLE_FORKS': '5',
    }
    results = []

    def run():
        results.append(run_ansible(['ansible-playbook', '-i', str(inventory), str(playbook)], env=environment))

    runs = [threading.Thread(target=run) for _number in range(2)]
    for thread in runs:
        thread.start()
    for thread in runs:
        thread.join()
    for result in results:
        assert result.returncode == 0, result.stdout + result.stderr
    stats = sim.stats()
    assert stats['stalled'] == 0
    assert 1 < stats['max_in_flight'] <= concurrency, stats['max_in_flight']
    assert stats['requests'] >= 2 * 5 * 3 * 20
