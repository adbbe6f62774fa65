# Copyright (c) 2026 aicc.cms contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Plan -> client -> terminal records: the one place every front end gets its answer from."""

from __future__ import annotations

import contextlib
import gc
import time
import typing as t

from ansible_collections.aicc.cms.plugins.module_utils._errors import ApiError, first_ids
from ansible_collections.aicc.cms.plugins.module_utils._limits import API_MATCH_LIMIT, Number, check_number
from ansible_collections.aicc.cms.plugins.module_utils._query.normalizer import (
    REGISTERED,
    Row,
    Tally,
    build_terminals,
    merge_records,
)
from ansible_collections.aicc.cms.plugins.module_utils._query.planner import (
    Plan,
    Query,
    is_plannable_id,
    plan_queries,
)
from ansible_collections.aicc.cms.plugins.module_utils._query.selection import compile_selection

# A terminal's state in one answer of a wait (REGISTERED, 'not registered', 'missing', 'unknown' or this);
# its history is the list of them.
REGISTERED_ELSEWHERE = 'registered elsewhere'  # registered, but not as the caller's accept() wants


def flapped(history) -> bool:
    """Whether a terminal was registered in one poll and not registered (or absent) in a later one."""
    seen_registered = False
    for state in history:
        if state == REGISTERED:
            seen_registered = True
        elif seen_registered and state in ('not registered', 'missing', REGISTERED_ELSEWHERE):
            return True
    return False


def stable(history, polls: int) -> bool:
    """Registered in each of the last ``polls`` polls (an unknown poll breaks the streak)."""
    history = list(history)
    return len(history) >= polls and all(state == REGISTERED for state in history[-polls:])


@contextlib.contextmanager
def _collector_paused() -> t.Iterator[None]:
    """No cyclic garbage collection while records are built: they hold no reference cycles, and the
    collector would otherwise rescan the growing set of records again and again."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


class _Outcome(t.NamedTuple):
    terminals: dict[str, dict]  # records kept, in the order the answers arrived
    counted: Tally  # records already counted and dropped (registered ones under summary_only)
    dropped: set[str]  # their IDs
    missing: set[str]
    unknown: set[str]
    errors: list[str]
    warnings: list[str]


def _answers(client, queries_by_eid: dict[str, list[Query]]) -> t.Iterator[tuple[int, list[Row] | ApiError]]:
    """Each query's answer as it ends (``client.fetch_each``), with the exact IDs kept from it."""
    wanted: dict[str, frozenset[str] | None] = {}
    for eid, queries in queries_by_eid.items():
        sets = [query.wanted for query in queries]
        wanted[eid] = None if None in sets else frozenset().union(*sets)
    return client.fetch_each(list(queries_by_eid), wanted)


def _may_overlap(queries_by_eid: dict[str, list[Query]]) -> bool:
    """Whether one terminal can be in the answers of two different EIDs (its records must then be merged)."""
    if len(queries_by_eid) > 1 and any(
        query.wanted is None for queries in queries_by_eid.values() for query in queries
    ):
        return True
    seen: set[str] = set()
    for queries in queries_by_eid.values():
        wanted = frozenset().union(*(query.wanted for query in queries))
        if not seen.isdisjoint(wanted):
            return True
        seen.update(wanted)
    return False


def _run_plan(client, plan: Plan, drop_registered: bool = False) -> _Outcome:
    """Run the plan, turning each query's rows into records as its answer arrives.

    With ``drop_registered``, registered terminals are only counted, unless a terminal may come
    back in another query's answer (then every record is kept until the end to be merged).
    """
    queries_by_eid: dict[str, list[Query]] = {}
    for query in plan.queries:
        queries_by_eid.setdefault(query.eid, []).append(query)
    unique_eids = list(queries_by_eid)
    drop_registered = drop_registered and not _may_overlap(queries_by_eid)
    outcome = _Outcome({}, Tally(), set(), set(), set(), [], [])
    terminals = outcome.terminals
    errors_by_eid: dict[str, str] = {}
    warnings_by_eid: dict[str, list[str]] = {}
    for index, result in _answers(client, queries_by_eid):
        eid = unique_eids[index]
        if isinstance(result, ApiError):
            errors_by_eid[eid] = f'EID {eid}: {result}'
            for query in queries_by_eid[eid]:
                outcome.unknown.update(query.wanted if query.wanted is not None else (query.eid,))
            continue
        rows: list[Row] = []
        for query in queries_by_eid[eid]:
            kept = result if query.wanted is None else [row for row in result if row.equipment_id in query.wanted]
            rows.extend(kept)
            if query.wanted is not None:
                outcome.missing.update(query.wanted.difference(row.equipment_id for row in kept))
            elif not result:
                warnings_by_eid.setdefault(eid, []).append(
                    f'EID pattern {query.eid} matched no terminal: check the pattern, or list the IDs expected'
                )
            elif query.eid in plan.unbounded:
                # Every page was read, so the distinct IDs are the matches (count may count rows).
                matches = len({row.equipment_id for row in result})
                if matches >= API_MATCH_LIMIT:
                    warnings_by_eid.setdefault(eid, []).append(
                        f'EID pattern {query.eid} matched {matches} terminals, at or above the API limit of'
                        f' {API_MATCH_LIMIT} that can disturb UAP services: narrow it or list the IDs with eid_ranges'
                    )
        del result
        with _collector_paused():
            built = build_terminals(rows)
        del rows
        for equipment_id, record in built.items():
            if equipment_id in terminals:
                terminals[equipment_id] = merge_records(terminals[equipment_id], record)
            elif drop_registered and record['registered']:
                outcome.counted.add(record)
                outcome.dropped.add(equipment_id)
            else:
                terminals[equipment_id] = record
    # Errors and warnings in plan order, whatever order the answers came in.
    outcome.errors.extend(errors_by_eid[eid] for eid in unique_eids if eid in errors_by_eid)
    outcome.warnings.extend(warning for eid in unique_eids for warning in warnings_by_eid.get(eid, ()))
    return outcome


def _result(
    terminals: dict[str, dict],
    missing: t.Iterable[str],
    unknown: t.Iterable[str],
    errors: list[str],
    warnings: list[str],
    requests: int,
    queries: list[str],
    summary_only: bool,
    counted: Tally | None = None,
    dropped: t.Collection[str] = frozenset(),
) -> dict:
    """The facade's answer; ``counted``/``dropped``: records already counted and left out of ``terminals``."""
    terminals = dict(sorted(terminals.items()))
    missing = sorted(eid for eid in set(missing) if eid not in terminals and eid not in dropped)
    unknown = sorted(eid for eid in set(unknown) if eid not in terminals and eid not in dropped)
    tally = counted if counted is not None else Tally()
    for record in terminals.values():
        tally.add(record)
    summary = tally.summary(missing, unknown)
    if summary_only:
        terminals = {eid: record for eid, record in terminals.items() if not record['registered']}
    return {
        'terminals': terminals,
        'missing': missing,
        'unknown': unknown,
        'errors': errors,
        'summary': summary,
        'requests': requests,
        'queries': queries,
        'warnings': list(dict.fromkeys(warnings)),
    }


def _kept(terminals: dict[str, dict], keep: t.Callable[[dict], bool] | None, left_out: set[str]) -> dict[str, dict]:
    """The terminals whose record ``keep`` accepts (all without ``keep``); the others' IDs go to ``left_out``."""
    if keep is None:
        return terminals
    kept = {eid: record for eid, record in terminals.items() if keep(record)}
    left_out.update(eid for eid in terminals if eid not in kept)
    return kept


def query_status(client, plan: Plan, summary_only: bool = False, keep: t.Callable[[dict], bool] | None = None) -> dict:
    """Run every query of ``plan`` and return terminals, missing and unknown IDs, errors and a summary.

    A failed query never raises: its message goes to ``errors`` and its IDs (or its pattern) to
    ``unknown``. With ``summary_only``, ``terminals`` keeps only the terminals not registered.
    With ``keep`` (the ``select`` option), only the terminals whose record it accepts are in the
    answer and its summary, and ``deselected`` counts the others; missing and unknown IDs have no
    record to judge and stay.
    """
    requests_before = client.requests_sent
    # Selection judges every record, so none may be dropped uncounted before it.
    outcome = _run_plan(client, plan, drop_registered=summary_only and keep is None)
    left_out: set[str] = set()
    result = _result(
        _kept(outcome.terminals, keep, left_out),
        outcome.missing,
        outcome.unknown,
        outcome.errors,
        list(client.warnings) + outcome.warnings,
        client.requests_sent - requests_before,
        [query.eid for query in plan.queries],
        summary_only,
        counted=outcome.counted,
        dropped=outcome.dropped,
    )
    if keep is not None:
        result['deselected'] = len(left_out)
    return result


def incomplete_answer(result: dict) -> str | None:
    """The sentence every front end fails with when a query failed, or None when the answer is complete.

    A partial answer is never returned as if it were whole.
    """
    errors = result['errors']
    if not errors:
        return None
    return (
        f'{len(errors)} of {len(result["queries"])} queries failed, so {len(result["unknown"])} requested terminals are'
        f' unknown; first failure: {errors[0]}'
    )


def failure_sentence(result: dict) -> str | None:
    """The sentence a front end fails with, or None: a partial answer, or a wait that timed out
    (the count and the first IDs still not registered)."""
    problem = incomplete_answer(result)
    if problem:
        return problem
    still_unregistered = result.get('still_unregistered')
    if still_unregistered:
        shown = first_ids(still_unregistered)
        if result.get('total_timeout') is not None:
            return (
                f'{len(still_unregistered)} terminals still not registered when total_timeout={result["total_timeout"]}'
                f' ran out, after waiting {result["waited"]} seconds: {shown}'
            )
        return (
            f'{len(still_unregistered)} terminals still not registered after waiting {result["waited"]} seconds'
            f' (wait_timeout={result["wait_timeout"]}): {shown}'
        )
    return None


def run_query(
    client,
    plan: Plan,
    *,
    summary_only: bool = False,
    select: str | None = None,
    wait_for: str | None = None,
    wait_timeout: float | None = None,
    wait_interval: float | None = None,
    max_matches_per_query: int | None = None,
    max_range_size: int | None = None,
) -> dict:
    """query_status, or wait_for_registered when ``wait_for`` is ``registered``: what the module and the lookup
    run. ``select`` is a JMESPath expression over a record; unset numbers take their defaults."""
    keep = compile_selection(select, 'select').matches if select is not None else None
    if wait_for == 'registered':
        wait_timeout = check_number('wait_timeout', wait_timeout)
        result = wait_for_registered(
            client,
            plan,
            timeout=wait_timeout,
            interval=check_number('wait_interval', wait_interval),
            max_matches_per_query=max_matches_per_query,
            max_range_size=max_range_size,
            summary_only=summary_only,
            keep=keep,
        )
        result['wait_timeout'] = wait_timeout
    else:
        result = query_status(client, plan, summary_only=summary_only, keep=keep)
    if keep is not None:
        result['select'] = select
    return result


# The engine's own bounds: the gate waits 0 seconds when told to, and polls at any pace but 0.
_WAIT_TIMEOUT = Number(0, None, whole=False, seconds=True)
_WAIT_INTERVAL = Number(0, None, whole=False, seconds=True, above=True)
_STABLE_POLLS = Number(1, None)


def wait_for_registered(
    client,
    plan: Plan,
    timeout: float,
    interval: float,
    sleep: t.Callable[[float], None] = time.sleep,
    clock: t.Callable[[], float] = time.monotonic,
    max_matches_per_query: int | None = None,
    max_range_size: int | None = None,
    summary_only: bool = False,
    stable_polls: int = 1,
    history: bool = False,
    accept: t.Callable[[str, dict], bool] | None = None,
    keep: t.Callable[[dict], bool] | None = None,
) -> dict:
    """Query ``plan``, then poll only what is not yet registered until all is or ``timeout`` seconds pass.

    Returns the merged result of query_status plus ``waited`` (seconds), ``polls`` and
    ``still_unregistered`` (IDs not registered, missing or unknown, sorted). It does not raise on
    time-out: the front end decides. A query failing during the wait leaves its IDs unknown.

    A terminal counts as registered once it was in ``stable_polls`` consecutive answers (the first
    query is one). With ``history``, the result also has ``history`` (ID -> its state in each answer
    that held it: registered, not registered, missing or unknown) and ``flapping`` (IDs registered
    in one answer and not registered or missing in a later one). With ``accept``, a registered
    terminal counts only when ``accept(equipment_id, record)`` is true (else its state is
    ``registered elsewhere``: registered, but not as the caller's policy wants). With ``keep`` (the
    ``select`` option), a terminal whose record it does not accept leaves the answer and is not
    waited for; ``deselected`` counts them.
    """
    timeout = check_number('timeout', timeout, _WAIT_TIMEOUT)
    interval = check_number('interval', interval, _WAIT_INTERVAL)
    stable_polls = check_number('stable_polls', stable_polls, _STABLE_POLLS)
    started = clock()
    requests_before = client.requests_sent
    outcome = _run_plan(client, plan)
    left_out: set[str] = set()
    terminals = _kept(outcome.terminals, keep, left_out)
    missing, unknown, errors, warnings = set(outcome.missing), set(outcome.unknown), outcome.errors, outcome.warnings
    patterns = frozenset(plan.patterns)
    polls = 0
    seen: dict[str, list[str]] = {}

    def observe(eids: t.Iterable[str]) -> None:
        for eid in eids:
            if eid in patterns:
                continue
            record = terminals.get(eid)
            if record is None:
                state = 'missing' if eid in missing else 'unknown'
            elif not record['registered']:
                state = 'not registered'
            else:
                state = REGISTERED if accept is None or accept(eid, record) else REGISTERED_ELSEWHERE
            seen.setdefault(eid, []).append(state)

    def unsettled(eid: str) -> bool:
        return not stable(seen.get(eid, ()), stable_polls)

    observe(set(terminals) | missing | unknown)

    def pending() -> list[str]:
        not_registered = {eid for eid, record in terminals.items() if not record['registered']}
        if accept is not None:
            not_registered |= {eid for eid in terminals if seen.get(eid, ['registered'])[-1] == REGISTERED_ELSEWHERE}
        if stable_polls > 1:
            not_registered |= {eid for eid, record in terminals.items() if record['registered'] and unsettled(eid)}
        return sorted(not_registered | missing | (unknown - terminals.keys()))

    # The task's deadline (total_timeout) bounds the wait too: no poll starts after it.
    deadline = getattr(client, 'deadline', None)

    def total_left() -> float:
        return float('inf') if deadline is None else deadline.remaining()

    while pending() and clock() - started < timeout and total_left() > 0:
        sleep(max(0.0, min(interval, timeout - (clock() - started), total_left())))
        if total_left() <= 0:
            break
        polls += 1
        waiting = pending()
        failed_patterns = [eid for eid in waiting if eid in patterns]
        exact_ids = [eid for eid in waiting if eid not in patterns]
        poll_plan = plan_queries(
            eids=[eid for eid in exact_ids if is_plannable_id(eid)],
            max_matches_per_query=max_matches_per_query,
            max_range_size=max_range_size,
        )
        # IDs CC-CMS returned that the planner would refuse as user input are asked for as they are;
        # a failed user pattern was accepted when first planned: ask it again as is.
        as_they_are = tuple(Query(eid, frozenset([eid])) for eid in exact_ids if not is_plannable_id(eid))
        poll_plan = Plan(
            tuple(sorted(poll_plan.queries + as_they_are + tuple(Query(eid, None) for eid in failed_patterns))),
            tuple(eid for eid in failed_patterns if eid in plan.unbounded),
        )
        poll = _run_plan(client, poll_plan)
        polled_ids = set(exact_ids)
        for eid in polled_ids:
            terminals.pop(eid, None)
        terminals.update(_kept(poll.terminals, keep, left_out))
        missing = (missing - polled_ids) | poll.missing
        unknown = (unknown - polled_ids - set(failed_patterns)) | poll.unknown
        errors = poll.errors
        warnings = warnings + poll.warnings
        observe(polled_ids | set(poll.terminals) | poll.missing | poll.unknown)
    result = _result(
        terminals,
        missing,
        unknown,
        errors,
        list(client.warnings) + warnings,
        client.requests_sent - requests_before,
        [query.eid for query in plan.queries],
        summary_only,
    )
    result['waited'] = round(clock() - started, 3)
    result['polls'] = polls
    if keep is not None:
        result['deselected'] = len(left_out - set(terminals))
    result['still_unregistered'] = pending()
    if result['still_unregistered'] and total_left() <= 0:
        result['total_timeout'] = deadline.seconds
    if history:
        result['history'] = dict(sorted(seen.items()))
        result['flapping'] = sorted(eid for eid, states in seen.items() if flapped(states))
    return result
