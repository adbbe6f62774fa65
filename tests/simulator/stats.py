# Copyright (c) 2026 aicc.cms contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The counters of the API requests, shared by the handler threads (``GET /_sim/stats``)."""

from __future__ import annotations

import collections
import threading


class Stats:
    """Counters shared by the handler threads; ``snapshot()`` is what ``GET /_sim/stats`` returns."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.active = 0  # requests being answered (the in-flight cap applies to these)
        self.concurrent = 0  # every API request currently inside the server, stalled ones too
        self.reset()

    def reset(self) -> None:
        self.requests = 0
        self.by_status: collections.Counter = collections.Counter()
        self.by_result_code: collections.Counter = collections.Counter()
        self.max_in_flight = self.concurrent
        self.stalled = 0
        self.violations = 0
        self.violation_eids: list[dict] = []
        self.unauthorized = 0
        self.unauthorized_by_reason: collections.Counter = collections.Counter()
        self.faults_injected: collections.Counter = collections.Counter()
        self.pages_served = 0
        self.rows_served = 0
        self.limits_capped = 0

    def snapshot(self) -> dict:
        return {
            'requests': self.requests,
            'by_status': dict(self.by_status),
            'by_result_code': dict(self.by_result_code),
            'in_flight': self.concurrent,
            'max_in_flight': self.max_in_flight,
            'stalled': self.stalled,
            'violations': self.violations,
            'violation_eids': list(self.violation_eids),
            'unauthorized': self.unauthorized,
            'unauthorized_by_reason': dict(self.unauthorized_by_reason),
            'faults_injected': dict(self.faults_injected),
            'pages_served': self.pages_served,
            'rows_served': self.rows_served,
            'limits_capped': self.limits_capped,
        }
