# Copyright (c) 2026 aicc.cms contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Paging by elimination (pure: no I/O, no Ansible).

The vendor page leaves open what ``count`` counts, what ``limit``/``offset`` page over and whether
the server caps ``limit``. A *reading* is one answer to those questions. The pager keeps every
reading still consistent with the pages seen and, after each page, says the next offset to ask
(the smallest any standing reading needs, so no row any of them could hold is skipped), that the
query is done (every standing reading agrees nothing is left), or that no reading explains the
answers (``PagingContradiction``: the query fails with that sentence).

What one query proves is learned by a ``ServerProfile`` shared by the queries of a run: a server
does not change its reading between two requests, so later queries start from the readings that
survived and need fewer confirmation requests.

Readings (``Reading``):
- ``unit``: what ``limit``/``offset`` count: ``ids`` (distinct equipment IDs, each with all its
  rows), ``rows`` (the merged list of (UAP, ID) rows), ``per_key`` (each UAP key's list sliced on
  its own);
- ``offset_unit``: ``items`` (offset counts items of the unit), ``pages`` (offset counts pages),
  ``ignored`` (every request returns the first page);
- ``count``: what the answer's ``count`` is: ``ids``, ``rows`` (also the sum over UAP keys),
  ``page_rows``, ``page_ids`` (the size of this page), ``key_max``, ``key_first`` (the largest or
  the first UAP key's rows), ``absent``;
- ``key_count``: what a per-UAP ``count`` (the tables' shape) is: ``none``, ``key_total``,
  ``key_page``;
- the cap: the server serves at most ``cap`` items a page (``limit`` when it does not cap), any
  value from 1 to ``limit``. Items of a page in any order.
"""

from __future__ import annotations

import itertools
import math
import threading
import typing as t

from ansible_collections.aicc.cms.plugins.module_utils._errors import UnexpectedResponseError
from ansible_collections.aicc.cms.plugins.module_utils._query.normalizer import Page, Row

UNITS = ('ids', 'rows', 'per_key')
OFFSET_UNITS = ('items', 'pages', 'ignored')
COUNTS = ('ids', 'rows', 'page_rows', 'page_ids', 'key_max', 'key_first', 'absent')
KEY_COUNTS = ('none', 'key_total', 'key_page')
_TOTAL_COUNTS = frozenset(('ids', 'rows', 'key_max', 'key_first'))  # the same number on every page of a query
SHOWN_PAGES = 4  # pages described in a contradiction sentence
UNBOUNDED_MAX_PAGES = 10_000


class PagingContradiction(UnexpectedResponseError):
    """No reading of the vendor page explains the answers of one query."""


class Reading(t.NamedTuple):
    """One way of reading the vendor page (see the module docstring)."""

    unit: str
    offset_unit: str
    count: str
    key_count: str

    def describe(self) -> str:
        unit = {'ids': 'equipment IDs', 'rows': 'rows', 'per_key': 'rows of each UAP key'}[self.unit]
        offset = {'items': 'offset in items', 'pages': 'offset in pages', 'ignored': 'offset ignored'}[self.offset_unit]
        text = f'limit over {unit}, {offset}, count {("absent" if self.count == "absent" else "of " + self.count)}'
        if self.key_count != 'none':
            text += ', per-UAP count ' + self.key_count
        return text


ALL_READINGS = tuple(Reading(*values) for values in itertools.product(UNITS, OFFSET_UNITS, COUNTS, KEY_COUNTS))


class CapRange(t.NamedTuple):
    """The page caps still possible: any value in ``exact``, or above ``above`` (up to limit) when not None."""

    exact: frozenset
    above: int | None

    def allows(self, cap: int) -> bool:
        return cap in self.exact or (self.above is not None and cap > self.above)

    def describe(self, limit: int) -> str:
        values = sorted(self.exact)
        if self.above is not None and self.above < limit:
            if self.above == 0:
                return 'not yet known'
            values.append(f'above {self.above}')
        if values == [limit]:
            return f'none below limit {limit}'
        return ' or '.join(str(value) for value in values)


ANY_CAP = CapRange(frozenset(), 0)


class _PageView:
    """One answer as the pager sees it: the item sets of every unit."""

    __slots__ = ('offset', 'ids', 'rows', 'by_key', 'count', 'key_counts', 'first_key', 'no_match')

    def __init__(self, offset: int, page: Page) -> None:
        self.offset = offset
        self.rows: set[tuple] = set()
        self.by_key: dict[t.Any, set[str]] = {}
        for row in page.rows:
            self.rows.add((row.uap, row.equipment_id))
            self.by_key.setdefault(row.uap, set()).add(row.equipment_id)
        self.ids = {equipment_id for _uap, equipment_id in self.rows}
        self.first_key = page.rows[0].uap if page.rows else None
        self.count = page.count
        self.key_counts = page.key_counts
        self.no_match = page.no_match

    def size(self, unit: str) -> int:
        if unit == 'ids':
            return len(self.ids)
        if unit == 'rows':
            return len(self.rows)
        return max((len(ids) for ids in self.by_key.values()), default=0)


_NOTHING: frozenset = frozenset()


class _Paging(t.NamedTuple):
    """What one (unit, offset unit, cap) makes of the pages: more may be left, and the next offset under it."""

    ended: bool
    next_offset: int | None  # None with ended False: no offset can read on (offset ignored)


def _list_state(starts: list[int], sets: list[t.AbstractSet], cap: int, first_new: int) -> tuple[bool, int] | None:
    """Check windows ``[start, start + len)`` of one server list; (ended, next start), or None if inconsistent.

    Pairs of pages before ``first_new`` were checked already (the pages only grow).
    """
    low, high = 0, math.inf  # bounds of the list's length
    for start, items in zip(starts, sets):
        size = len(items)
        if size > cap:
            return None
        if size:
            low = max(low, start + size)
        if size < cap:
            high = min(high, start + size)
    if low > high:
        return None
    if low == high:  # length known: every page holds exactly what that length leaves at its start
        for start, items in zip(starts, sets):
            if len(items) != min(cap, max(0, low - start)):
                return None
    for later in range(max(1, first_new), len(starts)):
        for earlier in range(later):  # two windows of one list share exactly their overlap
            expected = max(
                0,
                min(starts[earlier] + len(sets[earlier]), starts[later] + len(sets[later]))
                - max(starts[earlier], starts[later]),
            )
            if len(sets[earlier] & sets[later]) != expected:
                return None
    return high != math.inf, low


def paging_state(
    pages: list[_PageView], unit: str, offset_unit: str, cap: int, first_new: int = 0, keys_stay: bool = True
) -> _Paging | None:
    """How the pages read under (unit, offset unit, cap); None when they contradict it.

    ``first_new``: the pages before it were found consistent with the same (unit, offset unit, cap).
    ``keys_stay``: every ID came with the same UAP keys on every page (see ``keys_stay_with_ids``).
    """
    if offset_unit == 'items':
        starts = [page.offset for page in pages]
    elif offset_unit == 'pages':
        starts = [page.offset * cap for page in pages]
    else:
        starts = [0] * len(pages)
    if unit == 'per_key':
        keys = list(dict.fromkeys(key for page in pages for key in page.by_key))
        ended, next_start = True, math.inf
        for key in keys:
            state = _list_state(starts, [page.by_key.get(key, _NOTHING) for page in pages], cap, first_new)
            if state is None:
                return None
            if not state[0]:
                ended, next_start = False, min(next_start, state[1])
    else:
        if unit == 'ids' and not keys_stay:
            return None  # paging IDs returns every row of each ID, on every page
        state = _list_state(starts, [page.ids if unit == 'ids' else page.rows for page in pages], cap, first_new)
        if state is None:
            return None
        ended, next_start = state
    if ended:
        return _Paging(True, None)
    if offset_unit == 'ignored':
        return _Paging(False, None)
    return _Paging(False, int(next_start) if offset_unit == 'items' else int(next_start) // cap)


def _keys_by_id(page: _PageView) -> dict[str, frozenset]:
    keys: dict[str, set] = {}
    for uap, equipment_id in page.rows:
        keys.setdefault(equipment_id, set()).add(uap)
    return {equipment_id: frozenset(uaps) for equipment_id, uaps in keys.items()}


class _Seen(t.NamedTuple):
    """Totals of the distinct items seen in one query."""

    ids: int
    rows: int
    by_key: dict
    first_key: t.Any


def _count_verdict(reading: Reading, pages: list[_PageView], seen: _Seen) -> str | None:
    """'done', 'more', 'unknown' (the count tells nothing) or None when the counts contradict the reading."""
    # 0101002 and an empty page without count say nothing of what count counts
    counted = [
        page
        for page in pages
        if not page.no_match and (page.rows or page.count is not None or page.key_counts is not None)
    ]
    verdict = 'unknown'
    counts = [page.count for page in counted]
    if reading.count == 'absent':
        if any(count is not None for count in counts):
            return None
    elif any(count is None for count in counts):
        return None
    elif reading.count == 'page_rows':
        if any(page.count != len(page.rows) for page in counted):
            return None
    elif reading.count == 'page_ids':
        if any(page.count != len(page.ids) for page in counted):
            return None
    elif counts:
        if len(set(counts)) > 1:
            return None
        total = counts[0]
        if reading.count == 'ids':
            have = seen.ids
        elif reading.count == 'rows':
            have = seen.rows
        elif reading.count == 'key_max':
            have = max(seen.by_key.values(), default=0)
        else:
            have = seen.by_key.get(seen.first_key, 0)
        if total < have:
            return None
        if total > have:
            verdict = 'more'
        elif reading.count == 'rows' or (reading.count == 'ids' and reading.unit == 'ids'):
            verdict = 'done'  # every row seen (or every ID, with all its rows)
    key_counts = [page.key_counts for page in counted]
    if reading.key_count == 'none':
        if any(counts_of_keys is not None for counts_of_keys in key_counts):
            return None
        return verdict
    if any(counts_of_keys is None for counts_of_keys in key_counts):
        return None
    if reading.key_count == 'key_page':
        for page in counted:
            if page.key_counts != {key: len(ids) for key, ids in page.by_key.items() if key in page.key_counts} or any(
                key not in page.key_counts for key in page.by_key
            ):
                return None
        return verdict
    totals: dict = {}
    for page in counted:
        for key, total in page.key_counts.items():
            if totals.setdefault(key, total) != total:
                return None
    if any(seen.by_key.get(key, 0) > total for key, total in totals.items()):
        return None
    if any(key not in totals for key in seen.by_key):
        return None
    if any(seen.by_key.get(key, 0) < total for key, total in totals.items()):
        return 'more' if verdict != 'done' else verdict
    if reading.unit == 'per_key' and verdict == 'unknown':
        return 'done'
    return verdict


class ServerProfile:
    """What the answers of one run have proven about one server: readings standing, page caps, parameter types.

    Shared by the queries of a run (thread-safe); a query learns into it only when it succeeds.
    """

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._lock = threading.Lock()
        self._readings: dict[Reading, CapRange] = dict.fromkeys(ALL_READINGS, ANY_CAP)
        self.queries_learned = 0
        self.parameter_type: str | None = None  # 'int' or 'str' once the server has accepted one

    def snapshot(self) -> dict[Reading, CapRange]:
        with self._lock:
            return dict(self._readings)

    def learn(self, survivors: dict[Reading, CapRange]) -> bool:
        """Keep only what also survived this query; False (nothing changed) when nothing would stand."""
        with self._lock:
            kept = {}
            for reading, caps in survivors.items():
                known = self._readings.get(reading)
                if known is None:
                    continue
                exact = frozenset(cap for cap in caps.exact if known.allows(cap))
                if caps.above is not None and known.above is not None:
                    above = max(caps.above, known.above)
                else:
                    above = None
                exact |= frozenset(cap for cap in known.exact if caps.above is not None and cap > caps.above)
                if exact or (above is not None and above < self.limit):
                    kept[reading] = CapRange(exact, above)
            if not kept:
                return False
            self._readings = kept
            self.queries_learned += 1
            return True

    def standing(self) -> list[tuple[Reading, CapRange]]:
        """The readings still standing, in a stable order."""
        with self._lock:
            return sorted(self._readings.items())


class Pager:
    """Pages of one query: ``feed`` each answer, get the next offset (None: done); ``rows`` at the end.

    ``wanted``: the exact IDs kept from the answer (None: every match is kept). Paging IDs returns
    every row of an ID at once, so under that reading the query is done once each wanted ID came.
    The digit IDs an EID can match (10 per ``?``, unbounded with ``*`` or ``%``) bound its pages.
    """

    def __init__(self, eid: str, limit: int, profile: ServerProfile, wanted: t.AbstractSet[str] | None = None) -> None:
        self.eid = eid
        self.limit = limit
        self.profile = profile
        self._prior = profile.snapshot()
        self.wanted = wanted
        self.max_ids = None if '*' in eid or '%' in eid else 10 ** eid.count('?')
        self._checked: dict[tuple, int] = {}  # (unit, offset unit, cap) -> pages found consistent with it
        self._keys_of_id: dict[str, frozenset] = {}
        self._keys_stay = True  # each ID came with the same UAP keys on every page
        self._pages: list[_PageView] = []
        self._rows: dict[tuple, Row] = {}
        self._standing: dict[Reading, CapRange] = {}
        self._seen_ids: set[str] = set()
        self._rows_by_key: dict[t.Any, int] = {}

    def rows(self) -> list[Row]:
        """Every distinct (UAP, ID) row, the newest answer's fields where one row came twice."""
        return list(self._rows.values())

    def standing(self) -> dict[Reading, CapRange]:
        return dict(self._standing)

    def max_pages(self) -> int:
        """A bound no honest server can reach for this query."""
        if self.max_ids is None:
            return UNBOUNDED_MAX_PAGES
        keys = max(1, len(self._rows_by_key))
        return 4 + 2 * self.max_ids * keys

    def feed(self, offset: int, page: Page) -> int | None:
        """Take the answer to ``offset``; return the next offset to ask, or None when the query is done."""
        view = _PageView(offset, page)
        self._pages.append(view)
        rows, by_key = self._rows, self._rows_by_key
        for row in page.rows:
            key = (row.uap, row.equipment_id)
            if key not in rows:
                by_key[row.uap] = by_key.get(row.uap, 0) + 1
            rows[key] = row
        self._seen_ids.update(view.ids)
        for equipment_id, keys in _keys_by_id(view).items():
            if self._keys_of_id.setdefault(equipment_id, keys) != keys:
                self._keys_stay = False
        if self.max_ids is not None and len(self._seen_ids) > self.max_ids:
            raise PagingContradiction(
                f'EID {self.eid} brought {len(self._seen_ids)} distinct equipment IDs, more than the {self.max_ids} it'
                ' can match: CC-CMS answers rows that do not fit the query'
            )
        if len(self._pages) > self.max_pages():
            raise PagingContradiction(
                f'EID {self.eid} still brought new rows after {len(self._pages) - 1} pages; the paging of the server'
                ' looks broken'
            )
        verdicts = self._evaluate(self._prior)
        if not verdicts:
            raise PagingContradiction(self._contradiction())
        self._standing = {reading: caps for reading, (caps, _next) in verdicts.items()}
        offsets = [next_offset for _caps, next_offset in verdicts.values() if next_offset is not False]
        if not offsets:
            return None
        if None in offsets:
            if all(next_offset is None for next_offset in offsets):
                raise PagingContradiction(self._stuck())
            offsets = [next_offset for next_offset in offsets if next_offset is not None]
        return min(offsets)

    def learn(self) -> bool:
        """Teach the profile what this (successful) query proved; False when it contradicts earlier queries."""
        return self.profile.learn(self._standing)

    # -- evaluation -------------------------------------------------------------------------------------------------

    def _seen(self) -> _Seen:
        first_key = next((page.first_key for page in self._pages if page.rows), None)
        return _Seen(len(self._seen_ids), len(self._rows), self._rows_by_key, first_key)

    def _evaluate(self, prior: dict[Reading, CapRange]) -> dict[Reading, tuple[CapRange, int | None | bool]]:
        """Standing readings -> (caps still possible, next offset: an int, None when stuck, False when done)."""
        pages, limit = self._pages, self.limit
        seen = self._seen()
        wanted_seen = self.wanted is not None and self._seen_ids.issuperset(self.wanted)
        paging_cache: dict[tuple, _Paging | None] = {}
        sizes = {unit: max(page.size(unit) for page in pages) for unit in UNITS}
        verdicts: dict[Reading, tuple[CapRange, int | None | bool]] = {}
        for reading, caps in prior.items():
            largest = sizes[reading.unit]
            if largest > limit:
                continue
            candidates = sorted(cap for cap in caps.exact | {largest} if cap >= max(largest, 1) and caps.allows(cap))
            above = None
            if caps.above is not None and max(caps.above, largest) < limit:
                above = max(caps.above, largest)
                candidates.append(above + 1)  # stands for every cap above: all pages were the last one
            count_verdict = None
            exact: set[int] = set()
            above_kept = None
            next_offsets: list[int | None | bool] = []
            for cap in candidates:
                key = (reading.unit, reading.offset_unit, cap)
                if key not in paging_cache:
                    paging_cache[key] = paging_state(
                        pages, reading.unit, reading.offset_unit, cap, self._checked.get(key, 0), self._keys_stay
                    )
                    if paging_cache[key] is not None:
                        self._checked[key] = len(pages)
                paging = paging_cache[key]
                if paging is None:
                    continue
                if count_verdict is None:
                    count_verdict = _count_verdict(reading, pages, seen)
                    if count_verdict is None:
                        break
                if paging.ended:
                    if count_verdict == 'more':
                        continue
                    next_offset: int | None | bool = False
                elif count_verdict == 'done' or (wanted_seen and reading.unit == 'ids'):
                    next_offset = False
                else:
                    next_offset = paging.next_offset
                if above is not None and cap == above + 1:
                    above_kept = above
                else:
                    exact.add(cap)
                next_offsets.append(next_offset)
            if not next_offsets:
                continue
            offsets = [value for value in next_offsets if value is not False]
            if not offsets:
                verdict: int | None | bool = False
            elif None in offsets:
                verdict = (
                    None
                    if all(value is None for value in offsets)
                    else min(value for value in offsets if value is not None)
                )
            else:
                verdict = min(offsets)
            verdicts[reading] = (CapRange(frozenset(exact), above_kept), verdict)
        return verdicts

    # -- sentences --------------------------------------------------------------------------------------------------

    def _pages_text(self) -> str:
        described = []
        for page in self._pages[:SHOWN_PAGES]:
            text = f'offset {page.offset}: {len(page.rows)} rows of {len(page.ids)} IDs'
            if page.no_match:
                text = f'offset {page.offset}: no match'
            elif page.count is not None:
                text += f', count {page.count}'
            described.append(text)
        if len(self._pages) > SHOWN_PAGES:
            described.append(f'{len(self._pages) - SHOWN_PAGES} more')
        return '; '.join(described)

    def _contradiction(self) -> str:
        if self.profile.queries_learned and self._evaluate(dict.fromkeys(ALL_READINGS, ANY_CAP)):
            return (
                f'the answers for EID {self.eid} contradict how CC-CMS paged earlier in this run'
                f' ({self._pages_text()}): the server changed its paging between two requests; run the query again, and'
                ' send the trace if it persists'
            )
        counted = [page for page in self._pages if not page.no_match and page.count is not None]
        if (
            len({page.count for page in counted}) > 1
            and not all(page.count == len(page.rows) for page in counted)
            and not all(page.count == len(page.ids) for page in counted)
        ):
            return (
                f'CC-CMS changed count between the pages of EID {self.eid} ({self._pages_text()}): no reading of the'
                ' vendor page explains it'
            )
        return (
            f'no reading of the vendor page explains the answers CC-CMS gave for EID {self.eid} ({self._pages_text()}):'
            ' its rows are unknown; run aicc.cms.aicc_cms_info and send its result'
        )

    def _stuck(self) -> str:
        first = self._pages[0]
        later = [page for page in self._pages[1:] if page.offset != first.offset]
        if later:
            return (
                f'CC-CMS answered offset {later[-1].offset} for EID {self.eid} with the same rows as offset'
                f' {first.offset}: it ignores offset, so the rest of what it holds ({self._announced()}) cannot be read'
            )
        return (
            f'CC-CMS ignores offset for EID {self.eid}, so the rest of what it holds ({self._announced()}) cannot be'
            ' read'
        )

    def _announced(self) -> str:
        count = next((page.count for page in self._pages if page.count is not None), None)
        if count is None or count <= len(self._rows):
            return f'a page cap cannot be ruled out, so there may be more than the {len(self._rows)} rows seen'
        return f'count {count}, {len(self._rows)} rows seen'
