# Copyright (c) 2026 aicc.cms contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Scenarios: status changes relative to the scenario's start, applied lazily on each request.

A step is due ``at`` seconds after the start, or, with ``after_queries: N``, once its terminals
were asked for in N queries since the start (a query is a request for the first page, offset 0):
the answers to the queries after the N-th show the step. Counting queries, not seconds, makes a
terminal flap in step with the client's polls whatever the machine's speed.
"""

from __future__ import annotations

import random
import threading
import time
from pathlib import Path

from .store import DataError, TerminalStore, check_status, compile_pattern, expand_ranges

_STEP_KEYS = {
    'at',
    'after_queries',
    'register_status',
    'socket_status',
    'eids',
    'ranges',
    'sample',
    'all_but',
    'uap',
    'note',
}


class ScenarioError(ValueError):
    """A scenario file is invalid; the message names the cause and the fix."""


def load_scenario(source) -> dict:
    """A scenario from a YAML/JSON file path, a mapping ``{name, start, seed, steps}`` or a list of steps."""
    if isinstance(source, (str, Path)):
        import yaml  # pylint: disable=import-outside-toplevel

        try:
            source_data = yaml.safe_load(Path(source).read_text(encoding='utf-8'))
        except (OSError, yaml.YAMLError) as exc:
            raise ScenarioError(f'Scenario {source} cannot be read ({exc}); fix the path or its YAML.') from None
        name = Path(source).stem
    else:
        source_data, name = source, 'inline'
    if isinstance(source_data, list):
        source_data = {'steps': source_data}
    if not isinstance(source_data, dict) or not isinstance(source_data.get('steps', []), list):
        raise ScenarioError(f"Scenario {name} must be a mapping with a 'steps' list.")
    start = source_data.get('start', 'server')
    if start not in ('server', 'trigger'):
        raise ScenarioError(f"Scenario {name}: start must be 'server' or 'trigger'.")
    steps = []
    for index, step in enumerate(source_data.get('steps') or []):
        steps.append(_check_step(name, index, step))
    steps.sort(key=lambda step: (step.get('after_queries', 0), step['at']))
    return {
        'name': source_data.get('name', name),
        'start': start,
        'seed': int(source_data.get('seed', 0)),
        'steps': steps,
    }


def _check_step(name: str, index: int, step) -> dict:
    where = f'Scenario {name} step {index + 1}'
    if not isinstance(step, dict):
        raise ScenarioError(f'{where} must be a mapping.')
    unknown = set(step) - _STEP_KEYS
    if unknown:
        raise ScenarioError(
            f'{where} has unknown keys {", ".join(sorted(unknown))}; use {", ".join(sorted(_STEP_KEYS))}.'
        )
    try:
        at = float(step.get('at', 0))
    except (TypeError, ValueError):
        raise ScenarioError(f"{where}: 'at' must be seconds after the start.") from None
    try:
        check_status(step.get('register_status'), step.get('socket_status'))
    except DataError as exc:
        raise ScenarioError(f'{where}: {exc}') from None
    selectors = [key for key in ('eids', 'ranges', 'sample', 'all_but') if key in step]
    if not selectors or (len(selectors) > 1 and set(selectors) - {'eids', 'ranges'}):
        raise ScenarioError(f'{where} needs eids and/or ranges, or exactly one of sample / all_but.')
    if 'sample' in step and (not isinstance(step['sample'], int) or step['sample'] < 0):
        raise ScenarioError(f'{where}: sample must be a number of terminals.')
    if 'all_but' in step and not isinstance(step['all_but'], (int, list)):
        raise ScenarioError(f'{where}: all_but must be a list of IDs or a number of IDs to leave as they are.')
    if 'after_queries' in step:
        count = step['after_queries']
        if (
            isinstance(count, bool)
            or not isinstance(count, int)
            or count < 1
            or 'at' in step
            or set(selectors) != {'eids'}
        ):
            raise ScenarioError(
                f'{where}: after_queries must be a number of queries (1 or more), with eids and without at.'
            )
    return dict(step, at=at)


class ScenarioRunner:
    """Applies due steps to the store; ``advance()`` is called before every request is answered."""

    def __init__(self, scenario: dict, store: TerminalStore, clock=time.monotonic) -> None:
        self.scenario = scenario
        self.store = store
        self.clock = clock
        self._lock = threading.Lock()
        self.started_at = None
        self.next_step = 0
        self.changed: set[str] = set()
        self.applied: list[dict] = []
        # timed steps in order of "at"; query steps keep their index (in the applied list) and their count
        self.timed = [(index, step) for index, step in enumerate(scenario['steps']) if 'after_queries' not in step]
        self.counted = [(index, step) for index, step in enumerate(scenario['steps']) if 'after_queries' in step]
        self.queries_seen = [0] * len(self.counted)
        self.counted_done: set[int] = set()

    def start(self) -> None:
        with self._lock:
            self.started_at = self.clock()
            self.next_step = 0
            self.changed = set()
            self.applied = []
            self.queries_seen = [0] * len(self.counted)
            self.counted_done = set()
        self.advance()

    def advance(self, eid: str | None = None, offset: int | None = None) -> None:
        """Apply what is due before a request for ``eid`` at ``offset`` is answered (None: no request)."""
        if self.started_at is None:
            return
        with self._lock:
            elapsed = self.clock() - self.started_at
            while self.next_step < len(self.timed) and self.timed[self.next_step][1]['at'] <= elapsed:
                index, step = self.timed[self.next_step]
                self._apply(index, step, elapsed)
                self.next_step += 1
            if eid is None or offset != 0 or not self.counted:
                return
            pattern = compile_pattern(eid)
            for position, (index, step) in enumerate(self.counted):
                if not any(pattern.fullmatch(str(watched)) for watched in step['eids']):
                    continue
                if position not in self.counted_done and self.queries_seen[position] >= step['after_queries']:
                    self._apply(index, step, elapsed)
                    self.counted_done.add(position)
                self.queries_seen[position] += 1

    def _apply(self, index: int, step: dict, elapsed: float) -> None:
        rng = random.Random(f'{self.scenario["seed"]}/{index}')
        uap = step.get('uap')
        if 'sample' in step:
            candidates = [eid for eid in self.store.eids if self.store.is_registered(eid, uap)]
            eids = sorted(rng.sample(candidates, min(step['sample'], len(candidates))))
        elif 'all_but' in step:
            earlier = sorted(self.changed)
            keep = step['all_but']
            kept = (
                set(rng.sample(earlier, min(keep, len(earlier))))
                if isinstance(keep, int)
                else {str(eid) for eid in keep}
            )
            eids = [eid for eid in earlier if eid not in kept]
        else:
            eids = [str(eid) for eid in step.get('eids', [])] + expand_ranges(step.get('ranges', []))
            eids = [eid for eid in eids if eid in self.store.rows_by_eid]
        self.store.set_status(eids, step['register_status'], uap=uap, socket_status=step.get('socket_status'))
        self.changed.update(eids)
        self.applied.append(
            {
                'step': index + 1,
                'at': step['at'],
                'applied_after': round(elapsed, 3),
                'register_status': step['register_status'],
                'uap': uap,
                'eids': eids,
            }
        )

    def status(self) -> dict:
        self.advance()
        with self._lock:
            return {
                'name': self.scenario['name'],
                'start': self.scenario['start'],
                'started': self.started_at is not None,
                'elapsed': round(self.clock() - self.started_at, 3) if self.started_at is not None else None,
                'steps_total': len(self.scenario['steps']),
                'steps_applied': list(self.applied),
            }
