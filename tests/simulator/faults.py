# Copyright (c) 2026 aicc.cms contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Fault injection: ``kind:rate[@eid-glob]`` entries drawn from one seeded generator."""

from __future__ import annotations

import fnmatch
import random
import threading
from dataclasses import dataclass

FAULT_KINDS = ('latency', '500', '502', '503', '429', 'timeout', 'truncated', 'nonjson', 'html', 'resultdesc')


class FaultError(ValueError):
    """A fault specification is invalid; the message names the cause and the fix."""


@dataclass(frozen=True)
class Fault:
    kind: str
    rate: float
    scope: str | None = None

    def applies_to(self, eid: str | None) -> bool:
        return self.scope is None or (eid is not None and fnmatch.fnmatchcase(eid, self.scope))

    def __str__(self) -> str:
        return f'{self.kind}:{self.rate:g}{("@" + self.scope if self.scope else "")}'


def parse_fault(spec) -> Fault:
    """``"503:0.1"``, ``"timeout:1@8880*"`` or a mapping ``{kind, rate, scope}``."""
    if isinstance(spec, Fault):
        return spec
    if isinstance(spec, dict):
        kind, rate, scope = str(spec.get('kind', '')), spec.get('rate', 1.0), spec.get('scope')
    else:
        text, _sep, scope = str(spec).partition('@')
        kind, _sep, rate = text.partition(':')
        rate = rate or '1'
        scope = scope or None
    if kind not in FAULT_KINDS:
        raise FaultError(f'Fault kind {kind!r} is unknown; use one of {", ".join(FAULT_KINDS)}.')
    try:
        rate = float(rate)
    except (TypeError, ValueError):
        raise FaultError(
            f'Fault {spec!r} has a rate that is not a number; write kind:rate with a rate from 0 to 1.'
        ) from None
    if not 0.0 <= rate <= 1.0:
        raise FaultError(f'Fault {spec!r} has a rate outside 0..1; write kind:rate with a rate from 0 to 1.')
    return Fault(kind, rate, scope)


class FaultPlan:
    """Decides, deterministically per seed and request order, which faults hit a request."""

    def __init__(self, faults=(), seed: int = 0) -> None:
        self._lock = threading.Lock()
        self.replace(faults, seed)

    def replace(self, faults, seed: int | None = None) -> None:
        parsed = [parse_fault(spec) for spec in faults]
        with self._lock:
            self.faults = parsed
            if seed is not None:
                self.seed = seed
            self._rng = random.Random(self.seed)

    def draw(self, eid: str | None) -> tuple[bool, float, str | None]:
        """(latency hit, jitter fraction 0..1, other fault kind or None) for one request."""
        with self._lock:
            if not self.faults:
                return False, 0.0, None
            latency = False
            jitter = 0.0
            chosen = None
            for fault in self.faults:
                if not fault.applies_to(eid):
                    continue
                hit = self._rng.random() < fault.rate
                if fault.kind == 'latency':
                    jitter = self._rng.random()
                    latency = latency or hit
                elif hit and chosen is None:
                    chosen = fault.kind
            return latency, jitter, chosen
