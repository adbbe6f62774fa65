# Copyright (c) 2026 aicc.cms contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Measure the core fixes recorded in docs/performance.md, phase by phase, on the current core.

    python tests/bench/proposed_fixes.py [--terminals 100000] [--rounds 3]

1. ``build_terminals`` over every row of a sweep, with the cyclic garbage collector running and
   paused (as ``_terminal_status`` does while it builds records).
2. The fetch phase alone (``fetch_each`` at zero latency): the client's own cost per request.
3. Peak memory of ``query_status`` with the full result and with ``summary_only``, each in a
   fresh process (``ru_maxrss``).
"""

from __future__ import annotations

import argparse
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
if str(BENCH_DIR) not in sys.path:
    sys.path.insert(0, str(BENCH_DIR))

# pylint: disable=wrong-import-position
from ansible_collections.aicc.cms.plugins.module_utils._query import normalizer as _normalizer  # noqa: E402
from ansible_collections.aicc.cms.plugins.module_utils._query.engine import _collector_paused, query_status  # noqa: E402
from ansible_collections.aicc.cms.plugins.module_utils._query.planner import plan_queries  # noqa: E402
from run import client_for, id_range  # noqa: E402
from simprocess import SimulatorProcess  # noqa: E402

# pylint: enable=wrong-import-position


def peak_memory(terminals: int, summary_only: bool) -> float:
    """Peak RSS in MiB of query_status, measured in a fresh process."""
    command = [sys.executable, __file__, '--memory-child', str(terminals)] + (
        ['--summary-only'] if summary_only else []
    )
    return float(subprocess.run(command, check=True, capture_output=True, text=True).stdout.split()[-1])


def memory_child(terminals: int, summary_only: bool) -> None:
    plan = plan_queries(eid_ranges=[id_range(terminals)])
    with SimulatorProcess([id_range(terminals)]) as sim, client_for(sim) as client:
        query_status(client, plan, summary_only=summary_only)
    print('%.1f' % (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0))


def alternate(rounds: int, runs: dict) -> dict:
    seconds: dict = {name: [] for name in runs}
    names = list(runs)
    for round_number in range(rounds):
        for name in names[round_number % 2 :] + names[: round_number % 2]:
            started = time.perf_counter()
            runs[name]()
            seconds[name].append(time.perf_counter() - started)
    return {name: statistics.median(values) for name, values in seconds.items()}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--terminals', type=int, default=100_000)
    parser.add_argument('--rounds', type=int, default=3)
    parser.add_argument('--memory-child', type=int, help=argparse.SUPPRESS)
    parser.add_argument('--summary-only', action='store_true', help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.memory_child:
        memory_child(args.memory_child, args.summary_only)
        return 0
    full, summary_only = peak_memory(args.terminals, False), peak_memory(args.terminals, True)
    plan = plan_queries(eid_ranges=[id_range(args.terminals)])
    eids = list(dict.fromkeys(query.eid for query in plan.queries))
    with SimulatorProcess([id_range(args.terminals)]) as sim:
        with client_for(sim) as client:
            rows = [row for _index, answer in client.fetch_each(eids) for row in answer]

        def build_paused() -> None:
            with _collector_paused():
                _normalizer.build_terminals(rows)

        built = alternate(
            args.rounds, {'collector on': lambda: _normalizer.build_terminals(rows), 'collector paused': build_paused}
        )
        print(
            f'1. build_terminals, {args.terminals} terminals: collector on {built["collector on"]:.2f} s, '
            f'paused {built["collector paused"]:.2f} s ({built["collector on"] / built["collector paused"]:.1f}x)'
        )

        def fetch() -> None:
            with client_for(sim) as client:
                list(client.fetch_each(eids))

        fetched = alternate(args.rounds, {'fetch': fetch})
        print(f'2. fetch phase, {len(eids)} queries at zero latency: {fetched["fetch"]:.2f} s')
    print(f'3. query_status peak RSS: full result {full:.0f} MiB, summary_only {summary_only:.0f} MiB')
    return 0


if __name__ == '__main__':
    sys.exit(main())
