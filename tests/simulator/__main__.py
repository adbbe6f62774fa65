# Copyright (c) 2026 aicc.cms contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""``python -m simulator``: run the CC-CMS simulator until SIGTERM/SIGINT or ``POST /_sim/shutdown``."""

from __future__ import annotations

import argparse
import json
import signal
import sys

from .faults import FAULT_KINDS, FaultError
from .scenario import ScenarioError
from .server import ACCESS_KEY_ENV, SECRET_KEY_ENV, Simulator, SimulatorOptions
from .store import DataError

DEFAULTS = SimulatorOptions()


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m simulator", description="CC-CMS queryterminalstatus simulator (127.0.0.1 only).")
    add = parser.add_argument
    add("--port", type=int, default=DEFAULTS.port, help="TCP port; 0 picks a free one (default)")
    add("--state-file", help="write {url, admin_url, ca_path, pid, access_key, terminals} here once listening")
    add("--state-dir", help="where ca.pem and the server certificate go (default: the state file's folder or a temp dir)")
    add("--no-tls", dest="tls", action="store_false", help="plain HTTP instead of HTTPS")
    add("--access-key", help="access key (default: $%s or sim-access-key)" % ACCESS_KEY_ENV)
    add("--secret-key", help="secret key (default: $%s or sim-secret-key); prefer the env variable" % SECRET_KEY_ENV)
    add("--cc-ids", default="1", help="known call-center IDs, comma separated (default 1)")
    add("--ranges", nargs="+", default=list(DEFAULTS.ranges), metavar="A-B", help="equipment ID ranges to generate")
    add("--uaps", type=int, default=DEFAULTS.uaps, help="UAPs per terminal (pool mode when > 1)")
    add("--registered-ratio", type=float, default=DEFAULTS.registered_ratio)
    add("--uap-disagreement", type=float, default=DEFAULTS.uap_disagreement,
        help="chance that one UAP's status differs from the terminal's (pool mode)")
    add("--seed", type=int, default=DEFAULTS.seed)
    add("--data", help="JSON/YAML list of terminals instead of --ranges (see README.md)")
    add("--count-semantics", choices=("ids", "rows"), default=DEFAULTS.count_semantics, help="what count counts (default ids)")
    add("--paging-unit", choices=("ids", "rows"), default=DEFAULTS.paging_unit,
        help="what limit/offset count (default: the same as --count-semantics)")
    add("--row-order", choices=("id", "uap"), default=DEFAULTS.row_order,
        help="matches sorted by equipment ID or grouped by UAP first (default: uap when paging rows, id when paging IDs)")
    add("--max-in-flight", type=int, default=DEFAULTS.max_in_flight)
    add("--stall-seconds", type=float, default=DEFAULTS.stall_seconds)
    add("--violation-threshold", type=int, default=DEFAULTS.violation_threshold)
    add("--skew-seconds", type=float, default=DEFAULTS.skew_seconds)
    add("--max-limit", type=int, default=DEFAULTS.max_limit, help="largest limit accepted; above it: 0100002")
    add("--limit-cap", type=int, default=DEFAULTS.limit_cap, metavar="N",
        help="serve at most N items per page whatever limit asks, silently (count stays the true total)")
    add("--fault", dest="faults", action="append", default=[], metavar="KIND:RATE[@GLOB]",
        help="inject a fault; kinds: %s (repeatable)" % ", ".join(FAULT_KINDS))
    add("--fault-seed", type=int, default=DEFAULTS.fault_seed)
    add("--latency-ms", type=float, default=DEFAULTS.latency_ms)
    add("--jitter-ms", type=float, default=DEFAULTS.jitter_ms)
    add("--retry-after", type=int, default=DEFAULTS.retry_after)
    add("--scenario", help="YAML scenario file")
    add("--scenario-trigger", action="store_true", help="start the scenario on POST /_sim/scenario/start")
    add("--verbose", action="store_true", help="log every request to stderr")
    return parser


def main(argv=None) -> int:
    args = build_parser().parse_args(argv)
    options = vars(args)
    try:
        options["cc_ids"] = tuple(int(part) for part in str(options["cc_ids"]).split(",") if part.strip())
    except ValueError:
        print("--cc-ids must be integers separated by commas, e.g. 1,2.", file=sys.stderr)
        return 2
    try:
        sim = Simulator(**options)
        sim.start()
    except (DataError, FaultError, ScenarioError, ValueError, OSError) as exc:
        print("simulator: %s" % exc, file=sys.stderr)
        return 2

    def on_signal(_signum, _frame) -> None:
        sim.stop()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    print("CC-CMS simulator listening on %s (%d terminals, CA %s, admin %s)" % (sim.url, len(sim.store), sim.ca_path, sim.admin_url),
          flush=True)
    while not sim.wait(0.5):
        pass
    print(json.dumps(sim.stats(), sort_keys=True), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
