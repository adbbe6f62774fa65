# Copyright (c) 2026 aicc.cms contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The registration gate at scale: precheck and postcheck playbooks timed side by side with the bare module query.

Run by ``make bench`` after run.py (``python tests/bench/gate.py --help``). 10,000 terminals x 2 UAPs
against the simulator (a separate process), every run alternating with the others round after round,
medians reported; the target (each phase at most 2x the bare module query) is printed, never asserted.
Also records the size of the precheck's set_stats artifact and of the baseline file.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
if str(BENCH_DIR) not in sys.path:
    sys.path.insert(0, str(BENCH_DIR))

# pylint: disable=wrong-import-position
from run import alternate, ansible_env, median, run_checked, write_playbook  # noqa: E402
from simprocess import SimulatorProcess  # noqa: E402

# pylint: enable=wrong-import-position

FIRST_ID = 8000000
TARGET_RATIO = 2.0


def runner_artifact(work: Path, env: dict, extravars: dict) -> dict:
    """The precheck's set_stats artifact as AWX gets it: an ansible-runner job's stats event."""
    import ansible_runner  # pylint: disable=import-outside-toplevel

    private = work / 'runner'
    (private / 'project').mkdir(parents=True)
    (private / 'project' / 'precheck.yml').write_text(
        '- ansible.builtin.import_playbook: aicc.cms.precheck\n', encoding='utf-8'
    )
    (private / 'inventory').mkdir()
    (private / 'inventory' / 'hosts').write_text(
        f'localhost ansible_connection=local ansible_python_interpreter={sys.executable}\n', encoding='utf-8'
    )
    job = ansible_runner.run(
        private_data_dir=str(private), playbook='precheck.yml', envvars=env, extravars=extravars, quiet=True
    )
    if job.rc != 0:
        raise RuntimeError(f'the precheck job failed (rc {job.rc})')
    for event in job.events:
        if event.get('event') == 'playbook_on_stats':
            return event['event_data'].get('artifact_data') or {}
    return {}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description='aicc.cms gate benchmark: precheck and postcheck vs the bare module query.'
    )
    parser.add_argument('--quick', action='store_true', help='1,000 terminals and one round: a smoke check')
    parser.add_argument('--rounds', type=int, help='alternating repetitions (default 3, quick 1)')
    parser.add_argument('--terminals', type=int, help='terminals in scope (default 10000, quick 1000)')
    args, _others = parser.parse_known_args(argv)  # make bench passes run.py's options too
    rounds = args.rounds or (1 if args.quick else 3)
    count = args.terminals or (1000 if args.quick else 10000)
    eid_range = f'{FIRST_ID}-{FIRST_ID + count - 1}'
    print(f'gate benchmark: {count} terminals x 2 UAPs, {rounds} round(s)', flush=True)
    with tempfile.TemporaryDirectory(prefix='aicc-gate-bench-') as folder, SimulatorProcess([eid_range], uaps=2) as sim:
        work = Path(folder)
        home = work / 'home'
        (home / 'tmp').mkdir(parents=True)
        env = ansible_env(sim, home)
        reports = work / 'reports'
        interpreter = ['-e', f'ansible_python_interpreter={sys.executable}']
        scope = [
            '-e',
            json.dumps(
                {
                    'aicc_gate_eid_ranges': [eid_range],
                    'aicc_gate_report_dir': str(reports),
                    'aicc_gate_connection': {'max_concurrency': 10, 'timeout': 60},
                    'aicc_gate_wait_timeout': 0,
                }
            ),
        ]
        module = write_playbook(work, 'module', eid_range)

        def gate(phase: str):
            return run_checked(['ansible-playbook', '-i', 'localhost,', *interpreter, *scope, f'aicc.cms.{phase}'], env)

        gate('precheck')  # a baseline for the first postcheck
        seconds = alternate(
            rounds,
            {
                'bare module query in ansible-playbook': lambda: run_checked(
                    ['ansible-playbook', '-i', 'localhost,', *interpreter, str(module)], env
                ),
                'precheck playbook': lambda: gate('precheck'),
                'postcheck playbook': lambda: gate('postcheck'),
            },
        )
        artifact = runner_artifact(work, env, json.loads(scope[1]))
        artifact_bytes = len(json.dumps(artifact, separators=(',', ':')))
        baseline_bytes = os.path.getsize(reports / 'localhost' / 'aicc_gate_baseline.json')
    bare, pre, post = (median(seconds[name]) for name in seconds)
    figures = {
        'bare module query, median': f'{bare:.2f} s',
        'precheck playbook, median': f'{pre:.2f} s ({pre / bare:.2f}x the bare query)',
        'postcheck playbook, median': f'{post:.2f} s ({post / bare:.2f}x the bare query)',
        'precheck set_stats artifact': (
            f'{artifact_bytes} bytes (baseline published:'
            f' {("yes" if artifact.get("aicc_gate_baselines") else "no, path only")})'
        ),
        'baseline file': f'{baseline_bytes} bytes',
    }
    for name, value in figures.items():
        print(f'    {name!s:<44} {value}')
    worst = max(pre, post) / bare
    print(
        f'    => {("met" if worst <= TARGET_RATIO else "MISSED")}: slowest phase {worst:.2f}x the bare query (target <='
        f' {TARGET_RATIO:.1f}x)'
    )
    return 0


if __name__ == '__main__':
    sys.exit(main())
