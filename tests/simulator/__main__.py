# Copyright (c) 2026 aicc.cms contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""``python -m simulator``: run the CC-CMS simulator until SIGTERM/SIGINT or ``POST /_sim/shutdown``."""

from __future__ import annotations

import argparse
import json
import signal
import sys

from .api import LIMIT_TYPES, NO_MATCH_CODES
from .faults import FAULT_KINDS, FaultError
from .scenario import ScenarioError
from .simulator import ACCESS_KEY_ENV, SECRET_KEY_ENV, Simulator, SimulatorOptions
from .store import COUNT_SEMANTICS, EMPTY_DATA, OFFSET_UNITS, PAGING_UNITS, ROW_ORDERS, SHAPES, DataError

DEFAULTS = SimulatorOptions()


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog='python -m simulator', description='CC-CMS queryterminalstatus simulator (127.0.0.1 only).'
    )
    add = parser.add_argument
    add('--port', type=int, default=DEFAULTS.port, help='TCP port; 0 picks a free one (default)')
    add('--state-file', help='write {url, admin_url, ca_path, pid, access_key, terminals} here once listening')
    add(
        '--state-dir',
        help="where ca.pem and the server certificate go (default: the state file's folder or a temp dir)",
    )
    add('--no-tls', dest='tls', action='store_false', help='plain HTTP instead of HTTPS')
    add('--access-key', help=f'access key (default: ${ACCESS_KEY_ENV} or sim-access-key)')
    add(
        '--secret-key',
        help=f'secret key (default: ${SECRET_KEY_ENV} or sim-secret-key); prefer the env variable',
    )
    add('--cc-ids', default='1', help='known call-center IDs, comma separated (default 1)')
    add('--ranges', nargs='+', default=list(DEFAULTS.ranges), metavar='A-B', help='equipment ID ranges to generate')
    add('--uaps', type=int, default=DEFAULTS.uaps, help='UAPs per terminal (pool mode when > 1)')
    add('--registered-ratio', type=float, default=DEFAULTS.registered_ratio)
    add(
        '--uap-disagreement',
        type=float,
        default=DEFAULTS.uap_disagreement,
        help="chance that one UAP's status differs from the terminal's (pool mode)",
    )
    add('--seed', type=int, default=DEFAULTS.seed)
    add('--data', help='JSON/YAML list of terminals instead of --ranges (see README.md)')
    add(
        '--partial-membership',
        type=float,
        default=DEFAULTS.partial_membership,
        metavar='P',
        help='pool mode: each terminal absent from each UAP with probability P, present on one at least (default 0)',
    )
    add(
        '--count-semantics',
        choices=COUNT_SEMANTICS,
        default=DEFAULTS.count_semantics,
        help='what count counts (default ids)',
    )
    add('--count-as-string', action='store_true', help='send count as a JSON string ("12")')
    add(
        '--paging-unit',
        choices=PAGING_UNITS,
        default=DEFAULTS.paging_unit,
        help='what limit/offset count (default: ids for counts of IDs, rows for counts of rows)',
    )
    add(
        '--offset-unit',
        choices=OFFSET_UNITS,
        default=DEFAULTS.offset_unit,
        help='offset counts items (default) or pages (start = offset x the effective limit)',
    )
    add(
        '--row-order',
        choices=ROW_ORDERS,
        default=DEFAULTS.row_order,
        help=(
            'matches sorted by equipment ID, grouped by UAP first, or shuffled per query (default: id when paging IDs,'
            ' uap otherwise)'
        ),
    )
    add(
        '--shape',
        choices=SHAPES,
        default=DEFAULTS.shape,
        help="the answer's shape (default sample, the vendor's sample answer)",
    )
    add(
        '--empty-data',
        choices=EMPTY_DATA,
        default=DEFAULTS.empty_data,
        metavar='{}|[]|null',
        help='data (sample shapes) or resultDesc (tables shapes) of a page without rows (default {})',
    )
    add(
        '--no-match-code',
        choices=NO_MATCH_CODES,
        default=DEFAULTS.no_match_code,
        help='answer a page without rows with this failure code instead of an empty success',
    )
    add(
        '--limit-type',
        choices=LIMIT_TYPES,
        default=DEFAULTS.limit_type,
        help=(
            'limit/offset accepted as integers or strings (any, default), integers only (int) or strings only (string)'
        ),
    )
    add('--max-in-flight', type=int, default=DEFAULTS.max_in_flight)
    add('--stall-seconds', type=float, default=DEFAULTS.stall_seconds)
    add('--violation-threshold', type=int, default=DEFAULTS.violation_threshold)
    add('--skew-seconds', type=float, default=DEFAULTS.skew_seconds)
    add('--max-limit', type=int, default=DEFAULTS.max_limit, help='largest limit accepted; above it: 0100002')
    add(
        '--limit-cap',
        type=int,
        default=DEFAULTS.limit_cap,
        metavar='N',
        help='serve at most N items (N per UAP key under --paging-unit per_key) per page whatever limit asks, silently',
    )
    add(
        '--fault',
        dest='faults',
        action='append',
        default=[],
        metavar='KIND:RATE[@GLOB]',
        help=f'inject a fault; kinds: {", ".join(FAULT_KINDS)} (repeatable)',
    )
    add('--fault-seed', type=int, default=DEFAULTS.fault_seed)
    add('--latency-ms', type=float, default=DEFAULTS.latency_ms)
    add('--jitter-ms', type=float, default=DEFAULTS.jitter_ms)
    add('--retry-after', type=int, default=DEFAULTS.retry_after)
    add('--scenario', help='YAML scenario file')
    add('--scenario-trigger', action='store_true', help='start the scenario on POST /_sim/scenario/start')
    add('--verbose', action='store_true', help='log every request to stderr')
    return parser


def main(argv=None) -> int:
    args = build_parser().parse_args(argv)
    options = vars(args)
    try:
        options['cc_ids'] = tuple(int(part) for part in str(options['cc_ids']).split(',') if part.strip())
    except ValueError:
        print('--cc-ids must be integers separated by commas, e.g. 1,2.', file=sys.stderr)
        return 2
    try:
        sim = Simulator(**options)
        sim.start()
    except (DataError, FaultError, ScenarioError, ValueError, OSError) as exc:
        print(f'simulator: {exc}', file=sys.stderr)
        return 2

    def on_signal(_signum, _frame) -> None:
        sim.stop()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    print(
        f'CC-CMS simulator listening on {sim.url} ({len(sim.store)} terminals, CA {sim.ca_path}, admin'
        f' {sim.admin_url})',
        flush=True,
    )
    while not sim.wait(0.5):
        pass
    print(json.dumps(sim.stats(), sort_keys=True), flush=True)
    return 0


if __name__ == '__main__':
    sys.exit(main())
