# Copyright (c) 2026 aicc.cms contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Measure the simulator's throughput: N signed requests from C concurrent keep-alive clients.

    .venv/bin/python tests/simulator/throughput.py [--requests 3000] [--clients 10] [--no-tls]

The simulator runs as its own process (``python -m simulator``), as in the benchmarks; the clients
are threads of this process. Zero latency, no faults. Prints one JSON line with requests/s.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

TESTS_DIR = Path(__file__).resolve().parent.parent  # where the simulator package lives
if __package__ in (None, ''):
    sys.path.insert(0, str(TESTS_DIR))

from simulator.client import RawClient  # noqa: E402  pylint: disable=wrong-import-position


def wait_for_state(path: Path, process: subprocess.Popen, timeout: float = 30.0) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if path.exists():
            return json.loads(path.read_text(encoding='utf-8'))
        if process.poll() is not None:
            raise SystemExit(f'The simulator exited early with code {process.returncode}.')
        time.sleep(0.05)
    raise SystemExit(f'The simulator did not write {path} within {timeout} s.')


def run(requests_total: int, clients: int, tls: bool, ranges: str, uaps: int, pattern: str) -> dict:
    secret = 'throughput-secret'
    with tempfile.TemporaryDirectory(prefix='aicc-sim-throughput-') as state_dir:
        state_file = Path(state_dir) / 'state.json'
        command = [
            sys.executable,
            '-m',
            'simulator',
            '--state-file',
            str(state_file),
            '--ranges',
            ranges,
            '--uaps',
            str(uaps),
        ]
        if not tls:
            command.append('--no-tls')
        env = dict(os.environ, AICC_SIM_SECRET_KEY=secret)
        process = subprocess.Popen(
            command, env=env, cwd=TESTS_DIR, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        try:
            state = wait_for_state(state_file, process)
            per_client = [
                requests_total // clients + (1 if index < requests_total % clients else 0) for index in range(clients)
            ]
            failures = []
            barrier = threading.Barrier(clients + 1)

            def worker(index: int, count: int) -> None:
                with RawClient(state['url'], state['access_key'], secret, state['ca_path'], timeout=30) as client:
                    client.post({'EID': 'warm-up'})  # TLS handshake outside the measured time
                    barrier.wait()
                    for number in range(count):
                        eid = pattern.format(n=(index * 7 + number) % 100)
                        status, _headers, text = client.post({'EID': eid, 'limit': 100, 'offset': 0})
                        if status != 200 or '"0100000"' not in text[:40]:
                            failures.append((status, text[:100]))

            threads = [threading.Thread(target=worker, args=(index, count)) for index, count in enumerate(per_client)]
            for thread in threads:
                thread.start()
            barrier.wait()
            started = time.perf_counter()
            for thread in threads:
                thread.join()
            elapsed = time.perf_counter() - started
        finally:
            process.terminate()
            stdout, _stderr = process.communicate(timeout=30)
        stats = json.loads(stdout.strip().splitlines()[-1])
    return {
        'requests': requests_total,
        'clients': clients,
        'tls': tls,
        'pattern': pattern,
        'seconds': round(elapsed, 3),
        'requests_per_second': round(requests_total / elapsed, 1),
        'failures': len(failures),
        'server_max_in_flight': stats['max_in_flight'],
        'server_stalled': stats['stalled'],
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--requests', type=int, default=3000)
    parser.add_argument('--clients', type=int, default=10)
    parser.add_argument('--no-tls', dest='tls', action='store_false')
    parser.add_argument('--ranges', default='8880000-8889999')
    parser.add_argument('--uaps', type=int, default=2)
    parser.add_argument(
        '--pattern',
        default='888{n:02d}0?',
        help='EID sent, {n} cycles 00..99 (default: 10-ID wildcard queries, 20 rows with 2 UAPs)',
    )
    args = parser.parse_args()
    result = run(args.requests, args.clients, args.tls, args.ranges, args.uaps, args.pattern)
    print(json.dumps(result))
    return 0 if result['failures'] == 0 else 1


if __name__ == '__main__':
    sys.exit(main())
