# Copyright (c) 2026 aicc.cms contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Benchmarks of aicc.cms against the simulator (``make bench``; ``--help`` for the options).

Every figure is a ratio of runs made side by side in this one invocation, alternating their order
round after round, and reported as medians: the machine is shared and noisy. Nothing fails on
time; a target missed is printed as such. The simulator runs as a separate process.

    make bench                                  all six, full sizes
    make bench BENCH_ARGS="--quick"             smaller sizes, one round: a smoke check
    make bench BENCH_ARGS="--only 2,3 --rounds 5 --json /tmp/bench.json"
    make bench BENCH_ARGS="--only 1 --profile"  cProfile of the client during the sweep
"""

from __future__ import annotations

import argparse
import cProfile
import datetime
import io
import json
import os
import platform
import pstats
import statistics
import subprocess
import sys
import tempfile
import time
import typing as t
from pathlib import Path

# pylint: disable=wrong-import-position
import yaml  # noqa: E402
from ansible_collections.aicc.cms.plugins.module_utils._query.client import CmsClient  # noqa: E402
from ansible_collections.aicc.cms.plugins.module_utils._query.engine import query_status  # noqa: E402
from ansible_collections.aicc.cms.plugins.module_utils._query.planner import plan_queries  # noqa: E402
from baseline_requests import query_sequentially  # noqa: E402

# Also puts the collection and the simulator on sys.path for the imports below.
from bench_paths import BENCH_DIR, REPO_ROOT
from integration.ansible_runs import ansible_environment, private_runtime_dir  # noqa: E402
from simprocess import SimulatorProcess  # noqa: E402

# pylint: enable=wrong-import-position

LATENCY_MS = 20.0
MAX_CONCURRENCY = 10
FIRST_ID = 8_800_000
INVENTORY_PLUGIN = REPO_ROOT / 'plugins' / 'inventory' / 'aicc_terminals.py'


class Sizes(t.NamedTuple):
    sweep: int  # benchmarks 1 and 5
    compare: int  # benchmarks 2, 4 and 6
    listed_blocks: int  # benchmark 3: blocks of 100 listed IDs


FULL = Sizes(100_000, 10_000, 100)
QUICK = Sizes(10_000, 2_000, 100)


def id_range(count: int) -> str:
    return f'{FIRST_ID}-{FIRST_ID + count - 1}'


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float('nan')


def alternate(
    rounds: int, runs: dict[str, t.Callable[[], t.Any]], before: t.Callable[[str], None] | None = None
) -> dict[str, list[float]]:
    """Run each callable once per round, rotating their order every round; wall-clock seconds per run."""
    names = list(runs)
    seconds: dict[str, list[float]] = {name: [] for name in names}
    for round_number in range(rounds):
        shift = round_number % len(names)
        for name in names[shift:] + names[:shift]:
            if before is not None:
                before(name)
            started = time.perf_counter()
            runs[name]()
            seconds[name].append(time.perf_counter() - started)
    return seconds


def client_for(sim: SimulatorProcess, **options) -> CmsClient:
    return CmsClient(max_concurrency=MAX_CONCURRENCY, timeout=60, **dict(sim.connection(), **options))


def collection_query(sim: SimulatorProcess, plan, summary_only: bool = False) -> dict:
    with client_for(sim) as client:
        result = query_status(client, plan, summary_only=summary_only)
    if result['errors']:
        raise RuntimeError(f'the benchmark query failed: {result["errors"][0]}')
    return result


def ansible_env(sim: SimulatorProcess, home: Path) -> dict:
    """The integration tests' Ansible environment, connected to ``sim``."""
    return dict(ansible_environment(home, private_runtime_dir(home / 'runtime')), **sim.environment())


def run_checked(command: list[str], env: dict) -> subprocess.CompletedProcess:
    completed = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if completed.returncode != 0:
        output = (completed.stdout + completed.stderr)[-2000:]
        raise RuntimeError(f'{" ".join(command[:2])} failed (rc {completed.returncode}): {output}')
    return completed


def write_playbook(folder: Path, name: str, eid_range: str | None, summary_only: bool = False) -> Path:
    """A one-task playbook: the module over ``eid_range``, or a debug task when None (Ansible's fixed cost)."""
    if eid_range is None:
        task = {'name': 'Nothing but Ansible', 'ansible.builtin.debug': {'msg': 'ok'}}
    else:
        task = {
            'name': 'Sweep',
            'aicc.cms.aicc_terminal_status': {
                'eid_ranges': [eid_range],
                'max_concurrency': MAX_CONCURRENCY,
                'summary_only': summary_only,
                'timeout': 60,
            },
        }
    play = [{'name': name, 'hosts': 'localhost', 'connection': 'local', 'gather_facts': False, 'tasks': [task]}]
    path = folder / f'{name}.yml'
    path.write_text(yaml.safe_dump(play, sort_keys=False), encoding='utf-8')
    return path


class Report:
    """Collects every benchmark's figures and prints them as they come."""

    def __init__(self, args: argparse.Namespace) -> None:
        self.results: dict[str, dict] = {}
        self.meta = {
            'date': datetime.datetime.now(datetime.UTC).strftime('%Y-%m-%d %H:%M UTC'),
            'machine': f'{platform.machine()}, {os.cpu_count() or 0} cores, Python {platform.python_version()}',
            'command': f'make bench BENCH_ARGS="{" ".join(sys.argv[1:])}"',
            'rounds': args.rounds,
            'quick': args.quick,
        }

    def add(self, key: str, title: str, figures: dict, verdict: str) -> None:
        self.results[key] = {'title': title, 'figures': figures, 'verdict': verdict}
        print(f'\n[{key}] {title}')
        for name, value in figures.items():
            print(f'    {name!s:<44} {value}')
        print(f'    => {verdict}', flush=True)


def target(ratio: float, limit: float, at_least: bool, unit: str = 'x') -> str:
    met = ratio >= limit if at_least else ratio <= limit
    return f'{ratio:.2f}{unit}, target {(">=" if at_least else "<=")} {limit:.2f}{unit}: {("met" if met else "MISSED")}'


# --- the six benchmarks ------------------------------------------------------------------------------------------------


def bench_sweep(sim: SimulatorProcess, sizes: Sizes, rounds: int, report: Report, profile: bool) -> None:
    """1. A sweep of ranges at 20 ms latency against the API floor."""
    sim.set_latency(True)
    plan = plan_queries(eid_ranges=[id_range(sizes.sweep)])
    outcome: dict = {}
    if profile:
        profiler = cProfile.Profile()
        profiler.enable()
        collection_query(sim, plan)
        profiler.disable()
        text = io.StringIO()
        pstats.Stats(profiler, stream=text).sort_stats('cumulative').print_stats(25)
        print(text.getvalue())

    def sweep() -> None:
        outcome['result'] = collection_query(sim, plan)

    seconds = alternate(rounds, {'sweep': sweep})['sweep']
    stats = sim.stats()
    result = outcome['result']
    floor = result['requests'] * LATENCY_MS / 1000.0 / MAX_CONCURRENCY
    measured = median(seconds)
    report.add(
        '1',
        f'Sweep of {sizes.sweep} terminals as ranges, {LATENCY_MS:g} ms latency, max_concurrency {MAX_CONCURRENCY}',
        {
            'terminals found': result['summary']['total'],
            'requests per sweep': result['requests'],
            f'API floor (requests x {LATENCY_MS:g} ms / {MAX_CONCURRENCY})': f'{floor:.2f} s',
            f'measured, median of {len(seconds)}': f'{measured:.2f} s (runs: {", ".join(f"{s:.2f}" for s in seconds)})',
            'server max in flight / stalled / wildcard violations': (
                f'{stats["max_in_flight"]} / {stats["stalled"]} / {stats["violations"]}'
            ),
        },
        'floor / measured = ' + target(floor / measured, 0.85, True),
    )


def bench_client_vs_plain(sim: SimulatorProcess, sizes: Sizes, rounds: int, report: Report) -> None:
    """2. The collection's client against a plain sequential requests script, same EIDs, 20 ms latency."""
    sim.set_latency(True)
    plan = plan_queries(eid_ranges=[id_range(sizes.compare)])
    eids = [query.eid for query in plan.queries]
    answers: dict = {}

    def collection() -> None:
        answers['collection'] = collection_query(sim, plan)

    def plain() -> None:
        answers['plain'] = query_sequentially(sim.url, sim.access_key, sim.secret_key, sim.ca_path, eids)

    seconds = alternate(rounds, {'collection': collection, 'plain': plain})
    registered_collection = answers['collection']['summary']['registered']
    registered_plain = sum(1 for uaps in answers['plain'].values() if 'registered' in uaps.values())
    ratio = median(seconds['plain']) / median(seconds['collection'])
    report.add(
        '2',
        f'{sizes.compare} terminals: collection client vs a plain sequential requests script ({LATENCY_MS:g} ms'
        ' latency)',
        {
            'queries (same EIDs for both)': len(eids),
            'collection client, median': f'{median(seconds["collection"]):.2f} s',
            'plain requests script, median': f'{median(seconds["plain"]):.2f} s',
            'registered (collection / plain)': f'{registered_collection} / {registered_plain}',
        },
        'speed-up = ' + target(ratio, 8.0, True),
    )


def bench_planner(sim: SimulatorProcess, sizes: Sizes, report: Report) -> None:
    """3. Listed IDs in blocks: requests the planner sends against one request per ID."""
    sim.set_latency(False)
    eids = [f'{FIRST_ID + block * 1000 + offset}' for block in range(sizes.listed_blocks) for offset in range(100)]
    plan = plan_queries(eids=eids)
    with client_for(sim) as client:
        result = query_status(client, plan)
    ratio = len(eids) / result['requests']
    report.add(
        '3',
        f'{len(eids)} listed IDs in {sizes.listed_blocks} blocks: planner vs one request per ID',
        {
            'queries planned': len(plan.queries),
            'HTTP requests sent (pages and retries included)': result['requests'],
            'requests with one per ID': len(eids),
            'terminals found / missing / unknown': (
                f'{result["summary"]["total"]} / {len(result["missing"])} / {len(result["unknown"])}'
            ),
        },
        'fewer requests = ' + target(ratio, 50.0, True),
    )


def bench_inventory(sim: SimulatorProcess, sizes: Sizes, rounds: int, report: Report, work: Path) -> None:
    """4. ansible-inventory --list with the plugin (cold, cache hit) against a static YAML inventory."""
    title = f'ansible-inventory --list on {sizes.compare} terminals: plugin cold / cache hit vs static YAML'
    if not INVENTORY_PLUGIN.exists():
        report.add('4', title, {'status': 'plugins/inventory/aicc_terminals.py is not in the tree yet'}, 'not measured')
        return
    sim.set_latency(False)
    home = work / 'inventory-home'
    (home / 'tmp').mkdir(parents=True, exist_ok=True)
    cache_dir = work / 'inventory-cache'
    env = ansible_env(sim, home)
    config = work / 'bench.aicc_terminals.yml'
    config.write_text(
        yaml.safe_dump(
            {
                'plugin': 'aicc.cms.aicc_terminals',
                'eid_ranges': [id_range(sizes.compare)],
                'max_concurrency': MAX_CONCURRENCY,
                'cache': True,
                'cache_plugin': 'ansible.builtin.jsonfile',
                'cache_connection': str(cache_dir),
                'cache_timeout': 3600,
            }
        ),
        encoding='utf-8',
    )
    listed = json.loads(run_checked(['ansible-inventory', '-i', str(config), '--list'], env).stdout)
    static = work / 'static.yml'
    static.write_text(yaml.safe_dump(static_inventory(listed)), encoding='utf-8')
    run_checked(['ansible-inventory', '-i', str(config), '--list'], env)  # fills the cache

    def prepare(name: str) -> None:
        # A cold run starts from an empty cache; a hit needs a filled one (a cold run may have just refilled it).
        if name == 'plugin cold':
            for path in cache_dir.glob('*'):
                path.unlink()
        elif name == 'plugin cache hit' and not any(cache_dir.glob('*')):
            run_checked(['ansible-inventory', '-i', str(config), '--list'], env)

    runs = {
        'plugin cold': lambda: run_checked(['ansible-inventory', '-i', str(config), '--list'], env),
        'plugin cache hit': lambda: run_checked(['ansible-inventory', '-i', str(config), '--list'], env),
        'static YAML': lambda: run_checked(['ansible-inventory', '-i', str(static), '--list'], env),
    }
    seconds = alternate(rounds, runs, before=prepare)
    static_median = median(seconds['static YAML'])
    hosts = len(listed.get('_meta', {}).get('hostvars', {}))
    cold, hit = median(seconds['plugin cold']) / static_median, median(seconds['plugin cache hit']) / static_median
    report.add(
        '4',
        title,
        {
            'hosts listed': hosts,
            'plugin cold, median': f'{median(seconds["plugin cold"]):.2f} s',
            'plugin cache hit, median': f'{median(seconds["plugin cache hit"]):.2f} s',
            'static YAML, median': f'{static_median:.2f} s',
            'cold / static': target(cold, 1.5, False),
        },
        'cache hit / static = ' + target(hit, 1.2, False),
    )


def static_inventory(listed: dict) -> dict:
    """The hosts, groups and host vars of an ``ansible-inventory --list`` output as a YAML inventory.

    Host vars are given once, under ``all``; the other groups only name their hosts, as a hand-written
    inventory would (repeating the vars in every group makes the YAML plugin many times slower).
    """
    hostvars = listed.get('_meta', {}).get('hostvars', {})
    children: dict = {}
    for name, group in listed.items():
        if name in ('_meta', 'all', 'ungrouped'):
            continue
        entry: dict = {}
        if group.get('hosts'):
            entry['hosts'] = {host: None for host in group['hosts']}
        if group.get('children'):
            entry['children'] = {child: None for child in group['children']}
        children[name] = entry
    return {'all': {'hosts': hostvars, 'children': children}}


def bench_module_rss(sim: SimulatorProcess, sizes: Sizes, rounds: int, report: Report, work: Path) -> None:
    """5. Peak RSS of the module process alone, in a real ansible-playbook run, with and without summary_only."""
    sim.set_latency(False)
    home = work / 'rss-home'
    (home / 'tmp').mkdir(parents=True, exist_ok=True)
    interpreter = work / 'python-rss'
    interpreter.write_text(f'#!/bin/sh\nexec {sys.executable} {BENCH_DIR / "rss_wrapper.py"} "$@"\n', encoding='utf-8')
    interpreter.chmod(0o755)
    peaks: dict[str, list[float]] = {'full': [], 'summary_only': []}
    seconds: dict[str, list[float]] = {'full': [], 'summary_only': []}
    for round_number in range(rounds):
        order = ['full', 'summary_only'] if round_number % 2 == 0 else ['summary_only', 'full']
        for variant in order:
            log = work / f'rss-{variant}-{round_number}.log'
            playbook = write_playbook(
                work, f'rss_{variant}', id_range(sizes.sweep), summary_only=variant == 'summary_only'
            )
            env = dict(ansible_env(sim, home), AICC_BENCH_RSS_LOG=str(log))
            started = time.perf_counter()
            run_checked(
                [
                    'ansible-playbook',
                    '-i',
                    'localhost,',
                    '-e',
                    f'ansible_python_interpreter={interpreter}',
                    str(playbook),
                ],
                env,
            )
            seconds[variant].append(time.perf_counter() - started)
            peaks[variant].append(max(int(line) for line in log.read_text(encoding='utf-8').split()) / 1024.0)
    full, summary = median(peaks['full']), median(peaks['summary_only'])
    report.add(
        '5',
        f'Peak RSS of the module process, {sizes.sweep}-terminal sweep in ansible-playbook',
        {
            'full result, median peak RSS': f'{full:.0f} MiB (playbook {median(seconds["full"]):.1f} s)',
            'summary_only, median peak RSS': f'{summary:.0f} MiB (playbook {median(seconds["summary_only"]):.1f} s)',
            'full vs target 300 MiB': target(full, 300, False, ' MiB'),
        },
        'summary_only vs 150 MiB: ' + target(summary, 150, False, ' MiB'),
    )


def bench_module_vs_client(sim: SimulatorProcess, sizes: Sizes, rounds: int, report: Report, work: Path) -> None:
    """6. The module end to end in ansible-playbook against the client alone: what Ansible adds."""
    sim.set_latency(False)
    home = work / 'module-home'
    (home / 'tmp').mkdir(parents=True, exist_ok=True)
    env = ansible_env(sim, home)
    module_playbook = write_playbook(work, 'module', id_range(sizes.compare))
    empty_playbook = write_playbook(work, 'empty', None)
    plan = plan_queries(eid_ranges=[id_range(sizes.compare)])
    interpreter = '-e', f'ansible_python_interpreter={sys.executable}'
    seconds = alternate(
        rounds,
        {
            'client alone (in process)': lambda: collection_query(sim, plan),
            'module in ansible-playbook': lambda: run_checked(
                ['ansible-playbook', '-i', 'localhost,', *interpreter, str(module_playbook)], env
            ),
            'ansible-playbook, one debug task': lambda: run_checked(
                ['ansible-playbook', '-i', 'localhost,', *interpreter, str(empty_playbook)], env
            ),
        },
    )
    client, module, empty = (median(seconds[name]) for name in seconds)
    report.add(
        '6',
        f'{sizes.compare} terminals: module in ansible-playbook vs the client alone',
        {
            'client alone, median': f'{client:.2f} s',
            'module in ansible-playbook, median': f'{module:.2f} s',
            'ansible-playbook with one debug task, median': f'{empty:.2f} s',
            'Ansible adds (module - client)': f'{module - client:.2f} s, of which {empty:.2f} s start-up',
        },
        'module / client = %.1fx (no target: what Ansible adds)' % (module / client),
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description='aicc.cms benchmarks against the simulator (ratios measured side by side).'
    )
    parser.add_argument('--only', default='1,2,3,4,5,6', help='comma-separated benchmark numbers (default: all six)')
    parser.add_argument('--quick', action='store_true', help='smaller sizes and one round: a smoke check')
    parser.add_argument('--rounds', type=int, help='alternating repetitions per benchmark (default 3, quick 1)')
    parser.add_argument('--uaps', type=int, default=1, help='UAP rows per terminal in the simulator (default 1)')
    parser.add_argument('--profile', action='store_true', help='print a cProfile of the client during benchmark 1')
    parser.add_argument('--json', dest='json_path', help='also write the figures to this JSON file')
    args = parser.parse_args(argv)
    try:
        selected = {int(part) for part in args.only.split(',') if part.strip()}
    except ValueError:
        parser.error('--only takes benchmark numbers 1 to 6 separated by commas, e.g. --only 2,3')
    if not selected or not selected <= set(range(1, 7)):
        parser.error('--only takes benchmark numbers 1 to 6 separated by commas, e.g. --only 2,3')
    if args.rounds is None:
        args.rounds = 1 if args.quick else 3
    if args.rounds < 1:
        parser.error('--rounds must be 1 or more')
    sizes = QUICK if args.quick else FULL
    report = Report(args)
    quick_note = ', quick sizes' if args.quick else ''
    print(
        f'aicc.cms benchmarks, {report.meta["date"]}, {report.meta["machine"]}, {args.rounds} round(s){quick_note}',
        flush=True,
    )
    simulated = max(sizes.sweep, sizes.listed_blocks * 1000)
    with (
        tempfile.TemporaryDirectory(prefix='aicc-bench-') as folder,
        SimulatorProcess([id_range(simulated)], uaps=args.uaps, latency_ms=LATENCY_MS) as sim,
    ):
        work = Path(folder)
        steps = {
            1: lambda: bench_sweep(sim, sizes, args.rounds, report, args.profile),
            2: lambda: bench_client_vs_plain(sim, sizes, args.rounds, report),
            3: lambda: bench_planner(sim, sizes, report),
            4: lambda: bench_inventory(sim, sizes, args.rounds, report, work),
            5: lambda: bench_module_rss(sim, sizes, args.rounds, report, work),
            6: lambda: bench_module_vs_client(sim, sizes, args.rounds, report, work),
        }
        for number in sorted(selected):
            steps[number]()
        stats = sim.stats()
    print(
        f'\nsimulator, whole run: {stats["requests"]} requests, max in flight {stats["max_in_flight"]}, stalled'
        f' {stats["stalled"]}, wildcard violations {stats["violations"]}'
    )
    if args.json_path:
        Path(args.json_path).write_text(
            json.dumps({'meta': report.meta, 'results': report.results}, indent=2) + '\n', encoding='utf-8'
        )
    return 0


if __name__ == '__main__':
    sys.exit(main())
