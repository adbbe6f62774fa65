# Copyright (c) 2026 aicc.cms contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""First contact with a CC-CMS: a few bounded queries, and what their answers prove about the server."""

from __future__ import annotations

import statistics
import typing as t

from ansible_collections.aicc.cms.plugins.module_utils._errors import (
    ApiError,
    AuthenticationError,
    RequestBudgetError,
    TlsError,
)
from ansible_collections.aicc.cms.plugins.module_utils._query.pager import COUNTS, KEY_COUNTS, OFFSET_UNITS, UNITS
from ansible_collections.aicc.cms.plugins.module_utils._query.planner import Plan

SHOWN_READINGS = 12


def _standing_values(standing, field: str, order: tuple) -> list[str]:
    values = {getattr(reading, field) for reading, _caps in standing}
    return [value for value in order if value in values]


def _caps_text(standing, limit: int) -> str:
    texts = sorted({caps.describe(limit) for _reading, caps in standing})
    return ' | '.join(texts)


def probe_server(client, plan: Plan) -> dict:
    """Run the plan's queries until the client's request budget is spent; report what the answers prove.

    Never raises for the server's answers: a failed query is reported in ``errors`` (an
    authentication or TLS failure ends the probe, since every further query would fail the same way).
    """
    errors: list[str] = []
    uap_keys: set = set()
    queried = 0
    complete = True
    profile = client.profile
    standing = None
    for query in plan.queries:
        try:
            rows = client.fetch(query.eid, query.wanted)
        except RequestBudgetError as stopped:
            complete = False
            if stopped.standing:
                standing = sorted(
                    stopped.standing.items()
                )  # the unfinished query's pages, on top of what the run proved
                uap_keys.update(row.uap for row in stopped.rows or () if row.uap is not None)
            break
        except ApiError as error:
            errors.append(f'EID {query.eid}: {error}')
            queried += 1
            if isinstance(error, (AuthenticationError, TlsError)):
                complete = False
                break
            continue
        queried += 1
        uap_keys.update(row.uap for row in rows if row.uap is not None)
    if standing is None:
        standing = profile.standing()
    trace = client.trace or []
    durations = [exchange['duration'] for exchange in trace if exchange.get('status') == 200]
    readings = {
        'limit_counts': _standing_values(standing, 'unit', UNITS),
        'offset': _standing_values(standing, 'offset_unit', OFFSET_UNITS),
        'count': _standing_values(standing, 'count', COUNTS),
        'uap_count': _standing_values(standing, 'key_count', KEY_COUNTS),
        'page_cap': _caps_text(standing, client.page_size),
        'standing': len(standing),
    }
    if len(standing) <= SHOWN_READINGS:
        readings['described'] = [reading.describe() for reading, _caps in standing]
    offsets = client.clock_offsets
    return {
        'readings': readings,
        'parameter_type': {'int': 'integer', 'str': 'string'}.get(profile.parameter_type or '', None),
        'uap_keys': sorted(uap_keys),
        'pool_mode': len(uap_keys) > 1,
        'latency': (
            {'min': min(durations), 'median': round(statistics.median(durations), 4), 'max': max(durations)}
            if durations
            else None
        ),
        'clock_offset_seconds': statistics.median(offsets) if offsets else None,
        'queries': queried,
        'queries_planned': len(plan.queries),
        'complete': complete and queried == len(plan.queries),
        'requests': client.requests_sent,
        'errors': errors,
        'exchanges': trace,
        'advice': advice(readings, errors, offsets),
    }


def advice(readings: t.Mapping[str, t.Any], errors: list[str], offsets: list[float]) -> str:
    """One sentence: what the probe found, and what to do next."""
    if errors:
        return f'a query failed ({errors[0]}): fix that first, then probe again'
    if offsets and abs(statistics.median(offsets)) > 300:
        return (
            f'the clock of CC-CMS is {int(statistics.median(offsets))} s away from this host: signatures fail beyond 15'
            ' minutes, so synchronise both with NTP'
        )
    open_dimensions = [name for name in ('limit_counts', 'offset', 'count', 'uap_count') if len(readings[name]) > 1]
    if not open_dimensions:
        return (
            'the answers prove one reading of the vendor page; the collection pages this server with no confirmation'
            ' requests'
        )
    return (
        f'the answers leave {readings["standing"]} readings standing (open: {", ".join(open_dimensions)}); that is'
        ' safe, the collection asks what every one of them needs; probe a range that spans several pages to narrow'
        ' them'
    )
