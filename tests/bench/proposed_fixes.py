# Copyright (c) 2026 aicc.cms contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Measure the fixes proposed in docs/performance.md without changing the core.

    python tests/bench/proposed_fixes.py [--terminals 100000] [--rounds 3]

1. ``build_terminals`` with the garbage collector paused (it allocates ~100 dicts per 100 rows,
   so the cyclic collector runs hundreds of times over a growing heap).
2. The client with ``session.trust_env = False`` (no proxy/netrc look-up in the environment on
   every request): a sweep at zero latency, alternating with the client as it is.
3. Peak memory of ``query_status(summary_only=True)`` with the repeated enum strings of each row
   interned, each variant in a fresh process (``ru_maxrss``).
"""

from __future__ import annotations

import argparse
import contextlib
import gc
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
from run import client_for, id_range  # noqa: E402
from simprocess import SimulatorProcess  # noqa: E402

from ansible_collections.aicc.cms.plugins.module_utils import _normalizer  # noqa: E402
from ansible_collections.aicc.cms.plugins.module_utils._planner import plan_queries  # noqa: E402
from ansible_collections.aicc.cms.plugins.module_utils._terminal_status import _run_plan, query_status  # noqa: E402
# pylint: enable=wrong-import-position

SHARED_FIELDS = ('register_status', 'socket_status', 'monitor_flag', 'protocol_type', 'tls_status', 'ip_type', 'ccu_module_number',
                 'termination_type', 'roam_ip_and_port')


@contextlib.contextmanager
def gc_paused():
    """The proposed fix 1: no cyclic collection while records are built (the records hold no cycles)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def interning_parse_row():
    """The proposed fix 3: _parse_row with the UAP key and enum values interned (one string object each)."""
    original = _normalizer._parse_row  # pylint: disable=protected-access

    def parse_row(uap, item):
        row = original(None if uap is None else sys.intern(uap), item)
        return row._replace(**{field: sys.intern(getattr(row, field)) for field in SHARED_FIELDS if getattr(row, field) is not None})
    return parse_row


def peak_memory(terminals: int, interned: bool) -> float:
    """Peak RSS in MiB of query_status(summary_only=True), measured in a fresh process."""
    command = [sys.executable, __file__, '--memory-child', str(terminals)] + (['--interned'] if interned else [])
    return float(subprocess.run(command, check=True, capture_output=True, text=True).stdout.split()[-1])


def memory_child(terminals: int, interned: bool) -> None:
    if interned:
        _normalizer._parse_row = interning_parse_row()  # pylint: disable=protected-access
    plan = plan_queries(eid_ranges=[id_range(terminals)])
    with SimulatorProcess([id_range(terminals)]) as sim, client_for(sim) as client:
        query_status(client, plan, summary_only=True)
    print('%.1f' % (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0))


def alternate(rounds: int, runs: dict) -> dict:
    seconds: dict = {name: [] for name in runs}
    names = list(runs)
    for round_number in range(rounds):
        for name in names[round_number % 2:] + names[:round_number % 2]:
            started = time.perf_counter()
            runs[name]()
            seconds[name].append(time.perf_counter() - started)
    return {name: statistics.median(values) for name, values in seconds.items()}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--terminals', type=int, default=100_000)
    parser.add_argument('--rounds', type=int, default=3)
    parser.add_argument('--memory-child', type=int, help=argparse.SUPPRESS)
    parser.add_argument('--interned', action='store_true', help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.memory_child:
        memory_child(args.memory_child, args.interned)
        return 0
    as_is, interned = peak_memory(args.terminals, False), peak_memory(args.terminals, True)
    plan = plan_queries(eid_ranges=[id_range(args.terminals)])
    with SimulatorProcess([id_range(args.terminals)]) as sim:
        with client_for(sim) as client:
            rows = _run_plan(client, plan).rows

        def build_paused() -> None:
            with gc_paused():
                _normalizer.build_terminals(rows)

        built = alternate(args.rounds, {'as is': lambda: _normalizer.build_terminals(rows), 'gc paused': build_paused})
        print('1. build_terminals, %d terminals: as is %.2f s, gc paused %.2f s (%.1fx)'
              % (args.terminals, built['as is'], built['gc paused'], built['as is'] / built['gc paused']))

        def sweep(trust_env: bool) -> None:
            with client_for(sim) as client:
                client.session.trust_env = trust_env
                _run_plan(client, plan)

        fetched = alternate(args.rounds, {'as is': lambda: sweep(True), 'trust_env=False': lambda: sweep(False)})
        print('2. fetch phase, %d requests at zero latency: as is %.2f s, trust_env=False %.2f s (%.2fx)'
              % (len(plan.queries), fetched['as is'], fetched['trust_env=False'], fetched['as is'] / fetched['trust_env=False']))
    print('3. query_status(summary_only=True) peak RSS: as is %.0f MiB, interned %.0f MiB'
          % (as_is, interned))
    return 0


if __name__ == '__main__':
    sys.exit(main())
