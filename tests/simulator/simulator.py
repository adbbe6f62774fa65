# Copyright (c) 2026 aicc.cms contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The in-process ``Simulator``: its options, the parts it assembles (data, faults, scenario, the
query and admin APIs behind the HTTP front), its life cycle and its Python API for tests."""

from __future__ import annotations

import dataclasses
import datetime
import json
import os
import shutil
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from . import api
from .admin import ADMIN_PREFIX, AdminApi
from .faults import FaultPlan
from .http_front import HttpFront
from .scenario import ScenarioRunner, load_scenario
from .stats import Stats
from .store import Reading, TerminalStore, resolve_reading

DEFAULT_ACCESS_KEY = 'sim-access-key'
DEFAULT_SECRET_KEY = 'sim-secret-key'
ACCESS_KEY_ENV = 'AICC_SIM_ACCESS_KEY'
SECRET_KEY_ENV = 'AICC_SIM_SECRET_KEY'


@dataclasses.dataclass
class SimulatorOptions:  # pylint: disable=too-many-instance-attributes
    """Every option of the simulator; the CLI flags carry the same names (``--count-semantics``...)."""

    port: int = 0
    state_dir: str | None = None
    state_file: str | None = None
    tls: bool = True
    access_key: str | None = None
    secret_key: str | None = None
    cc_ids: tuple = (1,)
    ranges: tuple = ('8880000-8880999',)
    uaps: int = 1
    registered_ratio: float = 0.97
    seed: int = 1
    uap_disagreement: float = 0.02
    data: str | None = None
    partial_membership: float = 0.0  # pool mode: chance that a terminal is absent from a UAP (on one at least)
    count_semantics: str = 'ids'  # what count counts; see store.COUNT_SEMANTICS
    count_as_string: bool = False  # count sent as a JSON string ("12")
    paging_unit: str | None = None  # what limit/offset count; None: ids for counts of IDs, rows for counts of rows
    offset_unit: str = 'items'  # "items" or "pages" (start = offset x the effective limit)
    row_order: str | None = None  # "id", "uap" or "shuffled"; None: "id" when paging IDs, "uap" otherwise
    limit_cap: int | None = None  # serve at most this many items (per key under per_key) per page, silently
    shape: str = 'sample'  # "sample", "tables", "list_sample" or "list_tables"
    empty_data: str = '{}'  # what data (sample shapes) or resultDesc (tables shapes) is on a page without rows
    no_match_code: str | None = None  # "0101002": a page without rows is that failure instead of an empty success
    limit_type: str = 'any'  # "any", "int" (string limit/offset refused) or "string" (integers refused)
    max_in_flight: int = 10
    stall_seconds: float = 60.0
    violation_threshold: int = 200
    skew_seconds: float = 900.0
    max_limit: int = 1000
    faults: tuple = ()
    fault_seed: int = 0
    latency_ms: float = 0.0
    jitter_ms: float = 0.0
    retry_after: int = 1
    scenario: Any = None
    scenario_trigger: bool = False
    clock: Callable[[], datetime.datetime] | None = None
    verbose: bool = False


class Simulator:
    """A CC-CMS ``queryterminalstatus`` server running in a background thread.

    ``Simulator(**options)`` takes the keyword options of :class:`SimulatorOptions`; use it as a
    context manager or call ``start()`` / ``stop()``.
    """

    def __init__(self, **options) -> None:
        self.options = SimulatorOptions(**options)
        opts = self.options
        self.reading: Reading = resolve_reading(
            opts.count_semantics,
            opts.paging_unit,
            opts.row_order,
            opts.offset_unit,
            opts.shape,
            opts.empty_data,
            opts.count_as_string,
            opts.seed,
        )
        api.check_options(opts)
        if opts.data and opts.partial_membership:
            raise ValueError(
                "partial_membership applies to generated data (ranges); a data file lists each terminal's UAPs itself."
            )
        self.access_key = opts.access_key or os.environ.get(ACCESS_KEY_ENV) or DEFAULT_ACCESS_KEY
        self.secret_key = opts.secret_key or os.environ.get(SECRET_KEY_ENV) or DEFAULT_SECRET_KEY
        self.cc_ids = {int(cc_id) for cc_id in opts.cc_ids}
        if opts.data:
            self.store = TerminalStore.load(opts.data)
        else:
            self.store = TerminalStore.generate(
                opts.ranges, opts.uaps, opts.registered_ratio, opts.seed, opts.uap_disagreement, opts.partial_membership
            )
        self.faults = FaultPlan(opts.faults, opts.fault_seed)
        self.scenario = ScenarioRunner(load_scenario(opts.scenario), self.store) if opts.scenario is not None else None
        self.stats_counters = Stats()
        self.url = self.admin_url = self.ca_path = None
        self.port = None
        self.state_dir: Path | None = None
        self._owns_state_dir = False
        self._front: HttpFront | None = None
        self._stopping = threading.Event()
        self._stopped = threading.Event()
        self.query_api = api.QueryApi(
            opts,
            self.reading,
            self.store,
            self.faults,
            self.scenario,
            self.stats_counters,
            self.access_key,
            self.secret_key,
            self.cc_ids,
            self._stopping,
        )
        self.admin_api = AdminApi(self)

    def __repr__(self) -> str:
        return f'Simulator(url={self.url!r}, terminals={len(self.store)})'

    # --- life cycle ------------------------------------------------------------------------------
    def start(self) -> Simulator:
        opts = self.options
        if opts.state_dir:
            self.state_dir = Path(opts.state_dir)
            self.state_dir.mkdir(parents=True, exist_ok=True)
        elif opts.state_file:
            self.state_dir = Path(opts.state_file).resolve().parent
            self.state_dir.mkdir(parents=True, exist_ok=True)
        else:
            self.state_dir = Path(tempfile.mkdtemp(prefix='aicc-sim-'))
            self._owns_state_dir = True
        front = HttpFront(opts.port, self.query_api, self.admin_api, opts)
        self.port = front.port
        scheme = 'http'
        if opts.tls:
            from .tlsgen import write_certificates  # pylint: disable=import-outside-toplevel

            ca_path, cert_path, key_path = write_certificates(self.state_dir)
            front.use_tls(cert_path, key_path)
            self.ca_path = str(ca_path)
            scheme = 'https'
        self.query_api.hosts = frozenset({f'127.0.0.1:{self.port}', f'localhost:{self.port}'})
        self.url = f'{scheme}://127.0.0.1:{self.port}'
        self.admin_url = self.url + ADMIN_PREFIX
        self._front = front
        front.serve()
        if self.scenario is not None and self.scenario.scenario['start'] == 'server' and not opts.scenario_trigger:
            self.scenario.start()
        if opts.state_file:
            self._write_state_file(Path(opts.state_file))
        return self

    def _write_state_file(self, path: Path) -> None:
        state = {
            'url': self.url,
            'admin_url': self.admin_url,
            'ca_path': self.ca_path,
            'pid': os.getpid(),
            'access_key': self.access_key,
            'terminals': len(self.store),
        }
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(path.name + '.tmp')
        temporary.write_text(json.dumps(state, indent=2) + '\n', encoding='utf-8')
        os.replace(temporary, path)

    def stop(self) -> None:
        """Stop serving, drop open connections and release stalled requests."""
        if self._front is None or self._stopping.is_set():
            self._stopped.wait(10)
            return
        self._stopping.set()
        self._front.stop()
        if self._owns_state_dir and self.state_dir is not None:
            shutil.rmtree(self.state_dir, ignore_errors=True)
        self._stopped.set()

    def wait(self, timeout: float | None = None) -> bool:
        """Block until the simulator is stopped (``POST /_sim/shutdown`` or ``stop()``)."""
        return self._stopped.wait(timeout)

    def __enter__(self) -> Simulator:
        return self.start()

    def __exit__(self, *exc_info) -> None:
        self.stop()

    # --- Python API for tests --------------------------------------------------------------------
    def stats(self) -> dict:
        with self.stats_counters.lock:
            snapshot = self.stats_counters.snapshot()
        snapshot['scenario'] = self.scenario.status() if self.scenario is not None else None
        snapshot['faults'] = [str(fault) for fault in self.faults.faults]
        return snapshot

    def reset_stats(self) -> None:
        with self.stats_counters.lock:
            self.stats_counters.reset()

    def set_status(
        self, eids, register_status: str, uap: str | None = None, socket_status: str | None = None
    ) -> list[str]:
        if isinstance(eids, str):
            eids = [eids]
        return self.store.set_status(eids, register_status, uap=uap, socket_status=socket_status)

    def set_faults(self, faults, seed: int | None = None) -> None:
        self.faults.replace(faults, seed)

    def start_scenario(self) -> None:
        if self.scenario is None:
            raise RuntimeError('This simulator was started without a scenario; pass scenario=FILE.')
        self.scenario.start()

    def effective_options(self) -> dict:
        """The reading and the page rules in force, defaults resolved (also ``GET /_sim/options``)."""
        opts = self.options
        return dict(
            self.reading._asdict(),
            limit_cap=opts.limit_cap,
            max_limit=opts.max_limit,
            no_match_code=opts.no_match_code,
            limit_type=opts.limit_type,
            uaps=list(self.store.uaps),
            partial_membership=opts.partial_membership,
            terminals=len(self.store),
        )

    def minimum_requests(self, eid: str, page_size: int) -> int:
        """Requests a client that knew this server's reading in advance needs for ``eid`` asked with
        ``limit=page_size``: the items of the paging unit over the effective page size (after the cap),
        rounded up, at least 1. Under an ignored offset only the first page can ever be had: 1."""
        return self.store.minimum_requests(eid, self.reading, page_size, self.options.limit_cap)

    def terminal(self, eid: str) -> dict | None:
        """``{"<ip>#<no>": row}`` of one terminal, as the API would show it, or None."""
        if self.scenario is not None:
            self.scenario.advance()
        return self.store.terminal(str(eid))
