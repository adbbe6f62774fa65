# Copyright (c) 2026 aicc.cms contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Turn exact IDs, ranges and patterns into queries that each match fewer than 200 IDs (pure).

The API says a wildcard EID must match fewer than 200 terminals. Assuming digit IDs, a trailing
run of k ``?`` matches at most 10**k IDs, so listed IDs and ranges are grouped into blocks of
10**k (10**k <= max_matches_per_query) and each block costs one query whose answer is filtered
back to the IDs asked for.
"""

from __future__ import annotations

import re
import typing as t

from ansible_collections.aicc.cms.plugins.module_utils._errors import PlanError
from ansible_collections.aicc.cms.plugins.module_utils._limits import API_MATCH_LIMIT, NUMBERS, check_number

# The most IDs all ranges of one task may hold together (see max_range_size in _limits).
MAX_RANGE_SIZE = NUMBERS['max_range_size'].maximum
EID_CHARACTERS = '0-9 A-Z a-z * % ? _ - .'
_EID_RE = re.compile(r'^[0-9A-Za-z*%?_.\-]+$')
_RANGE_RE = re.compile(r'^\s*([0-9]+)\s*-\s*([0-9]+)\s*$')
_UNBOUNDED_WILDCARDS = frozenset('*%')


class Query(t.NamedTuple):
    """One request to send: ``eid`` is the EID value, ``wanted`` the exact IDs kept from its answer
    (``None`` for a user pattern whose every match is kept)."""

    eid: str
    wanted: frozenset[str] | None


class Plan(t.NamedTuple):
    """Queries sorted by EID, and the patterns sent unbounded under allow_unbounded_wildcards."""

    queries: tuple[Query, ...]
    unbounded: tuple[str, ...] = ()

    @property
    def wanted_ids(self) -> frozenset[str]:
        """Every exact ID asked for (patterns excluded)."""
        return frozenset(eid for query in self.queries if query.wanted is not None for eid in query.wanted)

    @property
    def patterns(self) -> tuple[str, ...]:
        """The user patterns, whose every match is kept."""
        return tuple(query.eid for query in self.queries if query.wanted is None)


def wildcards_per_block(max_matches_per_query: int) -> int:
    """Return the largest k with 10**k <= max_matches_per_query."""
    wildcards = 0
    while 10 ** (wildcards + 1) <= max_matches_per_query:
        wildcards += 1
    return wildcards


def is_pattern(eid: str) -> bool:
    """Return whether ``eid`` contains a wildcard (``*``, ``%`` or ``?``)."""
    return any(char in eid for char in '*%?')


def is_plannable_id(eid: str) -> bool:
    """Return whether ``eid`` is an exact ID the planner accepts (IDs returned by CC-CMS may not be)."""
    return bool(_EID_RE.match(eid)) and not is_pattern(eid)


def number_entry_problem(name: str, values: object) -> str | None:
    """The sentence for an ID or range that arrived as a number (YAML reads unquoted 010 as 8), else None.

    A number has lost its text already (leading zeros, ``8880001.0``): querying it would ask for another ID.
    """
    entries = values if isinstance(values, (list, tuple, set, frozenset)) else [values]
    for entry in entries:
        if isinstance(entry, bool) or not isinstance(entry, (int, float)):
            continue
        shown = (
            f'an integer of {entry.bit_length()} bits'
            if isinstance(entry, int) and entry.bit_length() > 64
            else repr(entry)
        )
        return (
            f"{name} holds the number {shown} where a string belongs: quote the ID in YAML (for example '0123'), "
            'an unquoted one is read as a number and loses its leading zeros'
        )
    return None


def _as_list(name: str, values: t.Iterable[str] | str | None) -> list[str]:
    if values is None:
        return []
    problem = number_entry_problem(name, values)
    if problem:
        raise PlanError(problem)
    if isinstance(values, str):
        values = [values]
    if not isinstance(values, (list, tuple, set, frozenset)):
        raise PlanError(f'{name} must be a list of strings, got {type(values).__name__}')
    result = []
    for value in values:
        if not isinstance(value, str):
            raise PlanError(f'{name} must hold strings, got {value!r}')
        value = value.strip()
        if not value:
            raise PlanError(f'{name} holds an empty entry: remove it')
        result.append(value)
    return result


def _check_pattern(pattern: str, max_matches: int, allow_unbounded: bool) -> bool:
    """Return True when the pattern is unbounded and allowed; raise PlanError when refused."""
    unbounded = any(char in _UNBOUNDED_WILDCARDS for char in pattern)
    possible_matches = 10 ** pattern.count('?')
    if not unbounded and possible_matches <= max_matches:
        return False
    if allow_unbounded:
        return True
    if unbounded:
        reason = "'*' and '%' match any number of characters"
    else:
        reason = (
            f'{pattern.count("?")} question marks can match {possible_matches} IDs, more than'
            f' max_matches_per_query={max_matches}'
        )
    raise PlanError(
        f'EID pattern {pattern!r} cannot be bounded: {reason}, and the API requires every wildcard query to match fewer'
        f' than {API_MATCH_LIMIT} terminals; list the IDs with eid_ranges, use fewer wildcards, or set'
        ' allow_unbounded_wildcards=true'
    )


def _parse_range(text: str, max_range_size: int) -> tuple[int, int, int]:
    """Return (start, end, length) of a ``START-END`` digit range, or raise PlanError."""
    match = _RANGE_RE.match(text)
    if not match:
        raise PlanError(f'EID range {text!r} is not START-END with digits only (for example 88880000-88880999)')
    start_text, end_text = match.groups()
    if len(start_text) != len(end_text):
        raise PlanError(
            f'EID range {text!r} has bounds of different lengths: write both with the same number of digits'
        )
    start, end = int(start_text), int(end_text)
    if start > end:
        raise PlanError(f'EID range {text!r} starts after it ends: write the lower bound first')
    if end - start + 1 > max_range_size:
        raise PlanError(
            f'EID range {text!r} holds {end - start + 1} IDs, more than max_range_size={max_range_size}: split it or'
            ' raise max_range_size'
        )
    return start, end, len(start_text)


def plan_queries(
    eids: t.Iterable[str] = (),
    eid_ranges: t.Iterable[str] = (),
    max_matches_per_query: int | None = None,
    allow_unbounded_wildcards: bool = False,
    max_range_size: int | None = None,
) -> Plan:
    """Plan bounded queries for exact IDs / patterns (``eids``) and digit ranges (``eid_ranges``); an option
    left None takes its default."""
    max_matches = check_number('max_matches_per_query', max_matches_per_query)
    max_range_size = check_number('max_range_size', max_range_size)
    wildcards = wildcards_per_block(max_matches)
    block_size = 10**wildcards

    # (length, prefix) -> wanted digit IDs of that block
    blocks: dict[tuple[int, str], set[str]] = {}
    queries: set[Query] = set()
    unbounded: set[str] = set()

    def add_digit_id(equipment_id: str) -> None:
        prefix = equipment_id[: max(0, len(equipment_id) - wildcards)]
        blocks.setdefault((len(equipment_id), prefix), set()).add(equipment_id)

    for eid in _as_list('eids', eids):
        if not _EID_RE.match(eid):
            raise PlanError(f'EID {eid!r} contains characters outside {EID_CHARACTERS}: remove them')
        if is_pattern(eid):
            if _check_pattern(eid, max_matches, allow_unbounded_wildcards):
                unbounded.add(eid)
            queries.add(Query(eid, None))
        elif eid.isdigit() and eid.isascii():
            add_digit_id(eid)
        else:
            queries.add(Query(eid, frozenset((eid,))))

    # Every range is parsed and the total bounded before any ID is generated.
    ranges = [(text,) + _parse_range(text, max_range_size) for text in _as_list('eid_ranges', eid_ranges)]
    total = sum(end - start + 1 for _text, start, end, _length in ranges)
    if total > MAX_RANGE_SIZE:
        raise PlanError(
            f'eid_ranges hold {total} IDs together, more than the {MAX_RANGE_SIZE} one task can plan: split them over'
            ' several tasks'
        )
    for _text, start, end, length in ranges:
        for block_start in range(start - start % block_size, end + 1, block_size):
            first, last = max(start, block_start), min(end, block_start + block_size - 1)
            ids = (f'{number:0{length}d}' for number in range(first, last + 1))
            prefix = f'{block_start:0{length}d}'[: max(0, length - wildcards)]
            blocks.setdefault((length, prefix), set()).update(ids)

    for (length, prefix), wanted in blocks.items():
        if len(wanted) == 1:
            queries.add(Query(next(iter(wanted)), frozenset(wanted)))
        else:
            queries.add(Query(prefix + '?' * (length - len(prefix)), frozenset(wanted)))

    # A user pattern may coincide with a block pattern: keep both, patterns (wanted=None) first.
    ordered = sorted(queries, key=lambda query: (query.eid, query.wanted is not None, sorted(query.wanted or ())))
    return Plan(tuple(ordered), tuple(sorted(unbounded)))
