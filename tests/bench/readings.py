# Copyright (c) 2026 aicc.cms contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Requests per paging reading against the minimum a client that knew the reading in advance would need.

The vendor page leaves open what ``count`` counts, what ``limit``/``offset`` page over, the row order and the
answer's shape; the simulator serves each reading. For every reading of the matrix below this runs the real
client (``CmsClient`` + ``plan_queries`` + ``query_status``) over the same data and prints
reading -> (requests, minimum, ratio) and whether the answer was exact. The minimum is
``Simulator.minimum_requests``: per query, the items of the paging unit over the effective page size (after a
limit cap), rounded up, at least 1, summed over the plan's queries. Nothing fails on a ratio; a lost row is
printed as such.

    make bench                                             (run.py, then this)
    .venv/bin/python tests/bench/readings.py [--terminals 1000] [--page-size 100]
    .venv/bin/python tests/bench/readings.py --sweep     # also benchmark 1's sweep vs the minimum's floor
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

# Puts the collection and the simulator on sys.path for the imports below.
import bench_paths  # noqa: F401 pylint: disable=unused-import

# pylint: disable=wrong-import-position
from ansible_collections.aicc.cms.plugins.module_utils._query.client import CmsClient  # noqa: E402
from ansible_collections.aicc.cms.plugins.module_utils._query.engine import query_status  # noqa: E402
from ansible_collections.aicc.cms.plugins.module_utils._query.planner import plan_queries  # noqa: E402
from simulator import Simulator  # noqa: E402
from simulator.store import TerminalStore, resolve_reading  # noqa: E402

# pylint: enable=wrong-import-position

FIRST_ID = 8_800_000
MAX_CONCURRENCY = 10
# 3 UAPs with partial membership: every count reading gives a different number.
DATA = {'uaps': 3, 'partial_membership': 0.3, 'registered_ratio': 0.9, 'uap_disagreement': 0.05, 'seed': 11}
SWEEP_PAGE_SIZE = 100  # run.py's client keeps the default page_size
MISSING_TAIL = 50  # requested IDs past the simulator's data: a partial block and a whole one come back missing

# The simulator's reading matrix: each reading alone, then the nastiest combinations.
READINGS = [
    ('vendor sample (count ids, pages of ids)', {}),
    ('count rows', {'count_semantics': 'rows'}),
    ('count page', {'count_semantics': 'page'}),
    ('count page_ids', {'count_semantics': 'page_ids'}),
    ('count key_sum', {'count_semantics': 'key_sum'}),
    ('count key_max', {'count_semantics': 'key_max'}),
    ('count key_first', {'count_semantics': 'key_first'}),
    ('count absent', {'count_semantics': 'absent'}),
    ('count as string', {'count_as_string': True, 'count_semantics': 'rows'}),
    ('paging rows, count ids', {'paging_unit': 'rows'}),
    ('paging per_key', {'paging_unit': 'per_key'}),
    ('offset ignored (one page holds all)', {'paging_unit': 'ignored'}),
    ('offset in pages, rows', {'offset_unit': 'pages', 'count_semantics': 'rows'}),
    ('order uap, paging ids', {'row_order': 'uap'}),
    ('order shuffled, paging rows', {'row_order': 'shuffled', 'paging_unit': 'rows'}),
    ('shape tables', {'shape': 'tables'}),
    ('shape list_sample', {'shape': 'list_sample'}),
    ('shape list_tables', {'shape': 'list_tables'}),
    ('empty data null', {'empty_data': 'null'}),
    ('0101002 for no match', {'no_match_code': '0101002'}),
    ('limit as string only', {'limit_type': 'string'}),
    ('limit cap 37', {'limit_cap': 37}),
    (
        'per_key + count ids + cap 50 + uap order',
        {'paging_unit': 'per_key', 'count_semantics': 'ids', 'limit_cap': 50, 'row_order': 'uap'},
    ),
    ('offset in pages + cap 30', {'offset_unit': 'pages', 'limit_cap': 30}),
    ('count absent + cap 37', {'count_semantics': 'absent', 'limit_cap': 37}),
    ('tables + per_key', {'shape': 'tables', 'paging_unit': 'per_key'}),
    ('0101002 + paging rows + cap 50', {'no_match_code': '0101002', 'count_semantics': 'rows', 'limit_cap': 50}),
    (
        'string limit + list_tables + count string',
        {'limit_type': 'string', 'shape': 'list_tables', 'count_as_string': True, 'paging_unit': 'rows'},
    ),
    ('offset ignored + cap 37 (no reading explains it)', {'paging_unit': 'ignored', 'limit_cap': 37}),
]


def id_range(first: int, count: int) -> str:
    return f'{first}-{first + count - 1}'


def expected_rows(sim: Simulator, plan) -> set:
    """(equipment ID, UAP) of every row the plan's queries should bring back, from the simulator's store."""
    rows = set()
    for query in plan.queries:
        for eid in sim.store.match(query.eid):
            if query.wanted is None or eid in query.wanted:
                rows.update((eid, uap) for uap in sim.terminal(eid))
    return rows


def measure(options: dict, terminals: int, page_size: int, folder: Path) -> dict:
    """One reading: the client's requests, the minimum, and whether the answer was exact."""
    with Simulator(ranges=(id_range(FIRST_ID, terminals),), state_dir=str(folder), **dict(DATA, **options)) as sim:
        plan = plan_queries(eid_ranges=[id_range(FIRST_ID, terminals + MISSING_TAIL)])
        minimum = sum(sim.minimum_requests(query.eid, page_size) for query in plan.queries)
        expected = expected_rows(sim, plan)
        with CmsClient(
            sim.url,
            sim.access_key,
            sim.secret_key,
            ca_path=sim.ca_path,
            page_size=page_size,
            max_concurrency=MAX_CONCURRENCY,
            timeout=60,
        ) as client:
            result = query_status(client, plan)
        got = {(eid, uap['uap']) for eid, record in result['terminals'].items() for uap in record['uaps']}
        stats = sim.stats()
    if result['errors']:
        outcome = (
            f'failed: {len(result["errors"])} of {len(plan.queries)} queries, {len(result["unknown"])} IDs unknown'
        )
    elif got == expected:
        outcome = 'exact'
    else:
        outcome = f'LOST {len(expected - got)} of {len(expected)} rows, {len(got - expected)} extra'
    return {
        'requests': result['requests'],
        'minimum': minimum,
        'ratio': result['requests'] / minimum,
        'outcome': outcome,
        'queries': len(plan.queries),
        'max_in_flight': stats['max_in_flight'],
        'violations': stats['violations'],
    }


def readings_table(terminals: int, page_size: int) -> dict:
    print(
        f'Requests per reading: {terminals} terminals under {DATA["uaps"]} UAPs (partial membership'
        f' {DATA["partial_membership"]:g}), {MISSING_TAIL} more requested IDs missing, page_size {page_size}',
        flush=True,
    )
    print(f'{"reading"!s:<52} {"requests"!s:>9} {"minimum"!s:>8} {"ratio"!s:>7}  {"answer"}')
    figures = {}
    with tempfile.TemporaryDirectory(prefix='aicc-bench-readings-') as work:
        for index, (name, options) in enumerate(READINGS):
            row = measure(options, terminals, page_size, Path(work) / f'sim-{index:02d}')
            figures[name] = dict(row, options=options)
            rules = (
                ''
                if row['max_in_flight'] <= MAX_CONCURRENCY and not row['violations']
                else f'  (API rules broken: max in flight {row["max_in_flight"]}, violations {row["violations"]})'
            )
            print(
                f'{name!s:<52} {row["requests"]:9d} {row["minimum"]:8d} {row["ratio"]:6.2f}x  {row["outcome"]}{rules}',
                flush=True,
            )
    exact = [row['ratio'] for row in figures.values() if row['outcome'] == 'exact']
    if exact:
        print(
            f'exact answers: {len(exact)} of {len(figures)} readings; ratio over them: median'
            f' {statistics.median(exact):.2f}x, worst {max(exact):.2f}x'
        )
    return figures


def sweep_against_the_minimum(terminals: int, rounds: int) -> dict:
    """Benchmark 1 of run.py (a sweep of ranges at 20 ms latency, max_concurrency 10) against two floors:
    the requests the client sent, and the minimum a client that knew the reading would send."""
    from run import LATENCY_MS, collection_query, median  # pylint: disable=import-outside-toplevel
    from run import id_range as sweep_range
    from simprocess import SimulatorProcess  # pylint: disable=import-outside-toplevel

    plan = plan_queries(eid_ranges=[sweep_range(terminals)])
    # The simulator process serves the default reading over 1 UAP: the same store, built here, gives the minimum.
    store = TerminalStore.generate([sweep_range(terminals)], uaps=1)
    minimum = sum(store.minimum_requests(query.eid, resolve_reading(), SWEEP_PAGE_SIZE) for query in plan.queries)
    seconds, result = [], {}
    with SimulatorProcess([sweep_range(terminals)], uaps=1, latency_ms=LATENCY_MS) as sim:
        sim.set_latency(True)
        for _round in range(rounds):
            started = time.perf_counter()
            result = collection_query(sim, plan)
            seconds.append(time.perf_counter() - started)
    measured = median(seconds)
    floor_sent = result['requests'] * LATENCY_MS / 1000.0 / MAX_CONCURRENCY
    floor_minimum = minimum * LATENCY_MS / 1000.0 / MAX_CONCURRENCY
    figures = {
        'terminals': terminals,
        'requests': result['requests'],
        'minimum': minimum,
        'measured_s': measured,
        'floor_of_requests_sent_s': floor_sent,
        'floor_of_minimum_s': floor_minimum,
    }
    print(
        f'\nBenchmark 1 sweep, {terminals} terminals, {LATENCY_MS:g} ms latency, max_concurrency {MAX_CONCURRENCY},'
        f' median of {rounds}'
    )
    print(
        f'    requests sent / minimum                   {result["requests"]} / {minimum}'
        f' ({result["requests"] / minimum:.2f}x)'
    )
    print(
        f'    measured                                  {measured:.2f} s (runs:'
        f' {", ".join(f"{value:.2f}" for value in seconds)})'
    )
    print(
        f'    floor of the requests sent / measured     {floor_sent:.2f} s / {measured:.2f} s ='
        f' {floor_sent / measured:.2f}'
    )
    print(
        f'    floor of the minimum / measured           {floor_minimum:.2f} s / {measured:.2f} s ='
        f' {floor_minimum / measured:.2f}'
    )
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description='Requests per paging reading against the minimum (the simulator in process).'
    )
    parser.add_argument(
        '--terminals', type=int, default=1000, help='terminals the simulator holds (default 1000: 10 blocks of 100)'
    )
    parser.add_argument(
        '--page-size', type=int, default=100, help="the client's page_size (default 100, the vendor's default limit)"
    )
    parser.add_argument(
        '--sweep', action='store_true', help="also benchmark 1's sweep against the floor of the minimum requests"
    )
    parser.add_argument('--sweep-terminals', type=int, default=100_000, help='terminals of the sweep (default 100000)')
    parser.add_argument('--rounds', type=int, default=3, help='rounds of the sweep (default 3)')
    parser.add_argument('--json', dest='json_path', help='also write the figures to this JSON file')
    args = parser.parse_args(argv)
    if args.terminals < 1 or args.sweep_terminals < 1 or args.rounds < 1 or not 1 <= args.page_size <= 1000:
        parser.error('--terminals, --sweep-terminals and --rounds must be 1 or more, --page-size between 1 and 1000')
    figures = {'readings': readings_table(args.terminals, args.page_size)}
    if args.sweep:
        figures['sweep'] = sweep_against_the_minimum(args.sweep_terminals, args.rounds)
    if args.json_path:
        Path(args.json_path).write_text(json.dumps(figures, indent=2) + '\n', encoding='utf-8')
    return 0


if __name__ == '__main__':
    sys.exit(main())
