# Copyright (c) 2026 aicc.cms contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Terminal data: generation, loading, wildcard matching and pages shaped like the vendor's answer."""

from __future__ import annotations

import bisect
import functools
import json
import random
import re
import threading
from pathlib import Path
from typing import NamedTuple

REGISTERED = 'registered'
NOT_REGISTERED = 'not register'
REGISTER_STATUSES = (REGISTERED, NOT_REGISTERED)
SOCKET_STATUSES = ('fault', 'normal', 'connecting', 'uninstall')
WILDCARDS = '*%?'
# The readings the vendor page leaves open (see README.md, "Paging readings").
COUNT_SEMANTICS = ('ids', 'rows', 'page', 'page_ids', 'key_sum', 'key_max', 'key_first', 'absent')
PAGING_UNITS = ('ids', 'rows', 'per_key', 'ignored')
OFFSET_UNITS = ('items', 'pages')
ROW_ORDERS = ('id', 'uap', 'shuffled')
SHAPES = ('sample', 'tables', 'list_sample', 'list_tables')
EMPTY_DATA = ('{}', '[]', 'null')
# Count semantics whose natural paging unit is the equipment ID (the others count rows).
_ID_COUNTS = ('ids', 'page_ids', 'absent')

# Vendor field name -> Row attribute, in the order of Table 5.
FIELDS = (
    ('ccuModuleNumber', 'ccu_module_number'),
    ('terminationType', 'termination_type'),
    ('equipmentId', 'equipment_id'),
    ('registerStatus', 'register_status'),
    ('socketStatus', 'socket_status'),
    ('ipAndPort', 'ip_and_port'),
    ('monitorFlag', 'monitor_flag'),
    ('protocolType', 'protocol_type'),
    ('roamIpAndPort', 'roam_ip_and_port'),
    ('tlsStatus', 'tls_status'),
    ('ipType', 'ip_type'),
)
_FIELD_BY_VENDOR_NAME = dict(FIELDS)


class DataError(ValueError):
    """The terminal data or a status change is invalid; the message names the cause and the fix."""


class Reading(NamedTuple):
    """One reading of the vendor page: what ``count`` counts, what ``limit``/``offset`` page over, the
    row order and the answer's shape. Build it with :func:`resolve_reading` (defaults filled in)."""

    count_semantics: str = 'ids'
    paging_unit: str = 'ids'
    row_order: str = 'id'
    offset_unit: str = 'items'
    shape: str = 'sample'
    empty_data: str = '{}'
    count_as_string: bool = False
    seed: int = 1  # the shuffled row order's seed


def _one_of(name: str, value, choices, default_note: str = '') -> None:
    if value not in choices:
        raise ValueError(f'{name} must be one of {", ".join(choices)}{default_note}, got {value!r}.')


def resolve_reading(
    count_semantics: str = 'ids',
    paging_unit: str | None = None,
    row_order: str | None = None,
    offset_unit: str = 'items',
    shape: str = 'sample',
    empty_data: str = '{}',
    count_as_string: bool = False,
    seed: int = 1,
) -> Reading:
    """Validate one reading and fill in its defaults.

    ``paging_unit`` None: ``ids`` for the counts of IDs (``ids``, ``page_ids``, ``absent``), ``rows``
    for the counts of rows. ``row_order`` None: ``id`` when paging IDs (or ignoring the offset),
    ``uap`` otherwise. Both reproduce the former ``ids`` and ``rows`` modes.
    """
    _one_of('count_semantics', count_semantics, COUNT_SEMANTICS)
    if paging_unit is not None:
        _one_of('paging_unit', paging_unit, PAGING_UNITS, " (or None for the count semantics' default)")
    if row_order is not None:
        _one_of('row_order', row_order, ROW_ORDERS, " (or None for the paging unit's default)")
    _one_of('offset_unit', offset_unit, OFFSET_UNITS)
    _one_of('shape', shape, SHAPES)
    _one_of('empty_data', empty_data, EMPTY_DATA)
    if not isinstance(count_as_string, bool):
        raise ValueError(f'count_as_string must be true or false, got {count_as_string!r}.')
    if paging_unit is None:
        paging_unit = 'ids' if count_semantics in _ID_COUNTS else 'rows'
    if row_order is None:
        row_order = 'id' if paging_unit in ('ids', 'ignored') else 'uap'
    return Reading(count_semantics, paging_unit, row_order, offset_unit, shape, empty_data, count_as_string, seed)


class Page(NamedTuple):
    """The rows of one page (in page order) and the counts a server under the reading reports."""

    rows: list
    count: int | None  # the top-level count; None when the reading sends none
    key_counts: dict  # UAP key -> that key's count (the tables shapes); None values when absent


def uap_key(index: int) -> str:
    """UAP key of pool member ``index`` (1-based), ``10.10.0.<i>#<i>``."""
    return f'10.10.0.{index}#{index}'


class Row:
    """One terminal as one UAP sees it. Every field is a string, as in the vendor's answer."""

    __slots__ = ('uap', '_json') + tuple(attribute for _name, attribute in FIELDS)

    def __init__(self, uap: str, equipment_id: str, register_status: str, **fields: str) -> None:
        self.uap = uap
        self.equipment_id = equipment_id
        self.ccu_module_number = fields.get('ccu_module_number', '56')
        self.termination_type = fields.get('termination_type', 'sip')
        self.ip_type = fields.get('ip_type', 'IPv4')
        self.roam_ip_and_port = fields.get('roam_ip_and_port', '0.0.0.0:0')
        self._json = None
        self.register_status = register_status
        self.socket_status = ''
        self.ip_and_port = ''
        self.monitor_flag = ''
        self.protocol_type = ''
        self.tls_status = ''
        self.set_status(register_status, fields.get('socket_status'))
        for name in ('ip_and_port', 'monitor_flag', 'protocol_type', 'tls_status'):
            if fields.get(name) is not None:
                setattr(self, name, str(fields[name]))

    def set_status(self, register_status: str, socket_status: str | None = None) -> None:
        """Change the status; the other fields follow as a real UAP would show them."""
        registered = register_status == REGISTERED
        self.register_status = register_status
        self.socket_status = socket_status or ('normal' if registered else 'uninstall')
        self.ip_and_port = _phone_address(self.equipment_id) if registered else '0.0.0.0:0'
        self.monitor_flag = 'started' if registered else 'unstarted'
        self.protocol_type = 'UDP' if registered else 'invalid protocol'
        self.tls_status = 'unconnect' if registered else 'uninstall'
        self._json = None

    def as_dict(self) -> dict:
        return {name: getattr(self, attribute) for name, attribute in FIELDS}

    def json(self) -> str:
        """The row serialised once and cached until the status changes (keeps pages cheap)."""
        if self._json is None:
            self._json = json.dumps(self.as_dict())
        return self._json


def _phone_address(equipment_id: str) -> str:
    number = sum(ord(char) * (index + 1) for index, char in enumerate(equipment_id))
    return f'10.30.{(number // 250) % 250}.{number % 250 + 1}:5060'


def has_wildcard(pattern: str) -> bool:
    return any(char in WILDCARDS for char in pattern)


@functools.lru_cache(maxsize=4096)
def compile_pattern(pattern: str) -> re.Pattern:
    """``*``/``%`` zero or more characters, ``?`` exactly one, everything else literal."""
    regex = ''.join('.*' if char in '*%' else '.' if char == '?' else re.escape(char) for char in pattern)
    return re.compile(regex, re.DOTALL)


def literal_prefix(pattern: str) -> str:
    for index, char in enumerate(pattern):
        if char in WILDCARDS:
            return pattern[:index]
    return pattern


def parse_range(text: str) -> tuple[int, int, int]:
    """``A-B`` -> (first, last, width); the width keeps leading zeros of ``A``."""
    first, sep, last = str(text).partition('-')
    if not sep or not first.strip().isdigit() or not last.strip().isdigit() or int(first) > int(last):
        raise DataError(f'Range {text!r} is not A-B with digits and A <= B; write it like 8880000-8880499.')
    return int(first), int(last), len(first.strip())


def expand_ranges(ranges) -> list[str]:
    eids = []
    for text in ranges:
        first, last, width = parse_range(text)
        eids.extend(str(number).zfill(width) for number in range(first, last + 1))
    return eids


class TerminalStore:
    """All terminals, indexed for fast exact and wildcard lookups."""

    def __init__(self, uaps: list[str], rows_by_eid: dict[str, list[Row]]) -> None:
        self.uaps = list(uaps)
        self._uap_order = {uap: index for index, uap in enumerate(self.uaps)}
        self.rows_by_eid = rows_by_eid
        for rows in rows_by_eid.values():
            rows.sort(key=lambda row: self._uap_order[row.uap])
        self.eids = sorted(rows_by_eid)
        self.lock = threading.RLock()

    def __len__(self) -> int:
        return len(self.eids)

    # --- construction ------------------------------------------------------------------------
    @classmethod
    def generate(
        cls,
        ranges,
        uaps: int = 1,
        registered_ratio: float = 0.97,
        seed: int = 1,
        uap_disagreement: float = 0.02,
        partial_membership: float = 0.0,
    ) -> TerminalStore:
        """Deterministic terminals: each under ``uaps`` UAPs, mostly agreeing on the status.

        ``partial_membership`` P: each terminal is absent from each UAP with probability P (drawn from
        a generator of its own, so the statuses stay those of P = 0), but stays on at least one.
        """
        if uaps < 1:
            raise DataError('--uaps must be 1 or more.')
        if not 0.0 <= registered_ratio <= 1.0 or not 0.0 <= uap_disagreement <= 1.0:
            raise DataError('--registered-ratio and --uap-disagreement must be between 0 and 1.')
        if (
            isinstance(partial_membership, bool)
            or not isinstance(partial_membership, (int, float))
            or not 0.0 <= partial_membership <= 1.0
        ):
            raise DataError(f'--partial-membership must be a probability between 0 and 1, got {partial_membership!r}.')
        rng = random.Random(seed)
        membership = random.Random(f'membership-{seed}') if partial_membership > 0 and uaps > 1 else None
        keys = [uap_key(index) for index in range(1, uaps + 1)]
        rows_by_eid = {}
        for eid in expand_ranges(ranges):
            registered = rng.random() < registered_ratio
            rows = []
            for key in keys:
                row_registered = registered
                if uaps > 1 and rng.random() < uap_disagreement:
                    row_registered = not registered
                rows.append(Row(key, eid, REGISTERED if row_registered else NOT_REGISTERED))
            if membership is not None:
                kept = [row for row in rows if membership.random() >= partial_membership]
                rows = kept or [rows[membership.randrange(len(rows))]]
            rows_by_eid[eid] = rows
        return cls(keys, rows_by_eid)

    @classmethod
    def load(cls, path: str | Path) -> TerminalStore:
        """Load a JSON or YAML list of ``{equipmentId, rows: {"<ip>#<no>": {registerStatus, ...}}}``."""
        text = Path(path).read_text(encoding='utf-8')
        try:
            if str(path).endswith(('.yml', '.yaml')):
                import yaml  # pylint: disable=import-outside-toplevel

                entries = yaml.safe_load(text)
            else:
                entries = json.loads(text)
        except Exception as exc:  # pylint: disable=broad-exception-caught
            raise DataError(f'Data file {path} cannot be parsed ({exc}); fix its JSON/YAML syntax.') from None
        return cls.from_entries(entries, source=str(path))

    @classmethod
    def from_entries(cls, entries, source: str = 'data') -> TerminalStore:
        if not isinstance(entries, list):
            raise DataError(f'{source} must be a list of terminals; see tests/simulator/README.md for the format.')
        uaps: list[str] = []
        rows_by_eid: dict[str, list[Row]] = {}
        for position, entry in enumerate(entries):
            if not isinstance(entry, dict) or not isinstance(entry.get('rows'), dict) or not entry['rows']:
                raise DataError(f'{source} entry {position} needs equipmentId and a non-empty rows mapping.')
            eid = str(entry.get('equipmentId', '')).strip()
            if not eid or has_wildcard(eid):
                raise DataError(f'{source} entry {position} has no usable equipmentId (no wildcards allowed).')
            if eid in rows_by_eid:
                raise DataError(f'{source} lists equipmentId {eid} twice; merge its rows.')
            rows = []
            for uap, fields in entry['rows'].items():
                fields = fields or {}
                if not isinstance(fields, dict):
                    raise DataError(f'{source}: row {uap} of {eid} must be a mapping of vendor fields.')
                status = fields.get('registerStatus', REGISTERED)
                check_status(status, fields.get('socketStatus'))
                extra = {
                    _FIELD_BY_VENDOR_NAME[name]: str(value)
                    for name, value in fields.items()
                    if name in _FIELD_BY_VENDOR_NAME and name not in ('equipmentId', 'registerStatus')
                }
                rows.append(Row(str(uap), eid, status, **extra))
                if str(uap) not in uaps:
                    uaps.append(str(uap))
            rows_by_eid[eid] = rows
        return cls(uaps, rows_by_eid)

    # --- lookups -----------------------------------------------------------------------------
    def match(self, pattern: str) -> list[str]:
        """Sorted equipment IDs matching ``pattern`` (bisect on the literal prefix, then a regex)."""
        if not has_wildcard(pattern):
            return [pattern] if pattern in self.rows_by_eid else []
        prefix = literal_prefix(pattern)
        low = bisect.bisect_left(self.eids, prefix)
        high = bisect.bisect_left(self.eids, prefix + '\U0010ffff', low)
        regex = compile_pattern(pattern)
        if pattern == prefix + '*' or pattern == prefix + '%':
            return self.eids[low:high]
        return [eid for eid in self.eids[low:high] if regex.fullmatch(eid)]

    def ordered_rows(self, eids: list[str], reading: Reading, query: str = '') -> list[Row]:
        """Every row of the matched ``eids`` in the reading's row order.

        ``id``: (ID, UAP) order; ``uap``: grouped by UAP first, in (UAP, ID) order; ``shuffled``: one
        fixed permutation per query string and seed (the same for every page of that query).
        """
        rows = [row for eid in eids for row in self.rows_by_eid[eid]]  # each ID's rows in pool order
        if reading.row_order == 'uap':
            rows.sort(key=lambda row: self._uap_order[row.uap])  # stable: IDs stay sorted per UAP
        elif reading.row_order == 'shuffled':
            random.Random(f'{reading.seed}|{query}').shuffle(rows)
        return rows

    def key_totals(self, rows: list[Row]) -> dict[str, int]:
        """Rows per UAP key, keys in pool order (only keys with rows)."""
        totals: dict[str, int] = {}
        for row in rows:
            totals[row.uap] = totals.get(row.uap, 0) + 1
        return dict(sorted(totals.items(), key=lambda item: self._uap_order[item[0]]))

    def unit_items(self, eids: list[str], reading: Reading) -> int:
        """How many items of the paging unit the matched ``eids`` hold (IDs, rows, or the largest key's rows)."""
        if reading.paging_unit in ('ids', 'ignored'):
            return len(eids)
        with self.lock:
            rows = [row for eid in eids for row in self.rows_by_eid[eid]]
        if reading.paging_unit == 'rows':
            return len(rows)
        return max(self.key_totals(rows).values(), default=0)

    def minimum_requests(self, eid: str, reading: Reading, page_size: int, limit_cap: int | None = None) -> int:
        """Requests a client that knew ``reading`` needs for ``eid`` asked with ``limit=page_size`` (see
        ``Simulator.minimum_requests``): the unit's items over the effective page size, rounded up, at least 1."""
        if reading.paging_unit == 'ignored':
            return 1  # only the first page can ever be had
        effective = min(page_size, limit_cap or page_size)
        return max(1, -(-self.unit_items(self.match(eid), reading) // effective))

    def page(self, eids: list[str], reading: Reading, limit: int, offset: int, query: str = '') -> Page:
        """One page of the matched ``eids`` under ``reading`` (``limit`` already capped by the server)."""
        start = offset * limit if reading.offset_unit == 'pages' else offset
        unit = reading.paging_unit
        if unit == 'ignored':
            start, unit = 0, 'ids'  # every request gets the first page, as paging IDs would serve it
        semantics = reading.count_semantics
        with self.lock:
            rows_of = self.rows_by_eid
            if (
                unit == 'ids'
                and reading.row_order == 'id'
                and semantics in ('ids', 'rows', 'page', 'page_ids', 'absent')
                and reading.shape in ('sample', 'list_sample')
            ):
                # Fast path (IDs already sorted): never builds the rows of unpaged IDs.
                rows = [row for eid in eids[start : start + limit] for row in rows_of[eid]]
                totals = None
                total_rows = sum(len(rows_of[eid]) for eid in eids) if semantics == 'rows' else 0
            else:
                all_rows = self.ordered_rows(eids, reading, query)
                totals = self.key_totals(all_rows)
                total_rows = len(all_rows)
                if unit == 'ids':
                    ordered_ids = list(dict.fromkeys(row.equipment_id for row in all_rows))
                    paged = set(ordered_ids[start : start + limit])
                    rows = [row for row in all_rows if row.equipment_id in paged]
                elif unit == 'rows':
                    rows = all_rows[start : start + limit]
                else:  # per_key: each key's list, in its own order, sliced the same way, then merged
                    by_key: dict[str, list[Row]] = {}
                    for row in all_rows:
                        by_key.setdefault(row.uap, []).append(row)
                    rows = [row for uap in totals for row in by_key[uap][start : start + limit]]
        page_totals = self.key_totals(rows)
        if semantics == 'ids':
            count = len(eids)
        elif semantics in ('rows', 'key_sum'):
            count = total_rows
        elif semantics == 'page':
            count = len(rows)
        elif semantics == 'page_ids':
            count = len({row.equipment_id for row in rows})
        elif semantics == 'key_max':
            count = max(totals.values(), default=0)
        elif semantics == 'key_first':
            count = next(iter(totals.values()), 0)
        else:
            count = None
        if semantics == 'absent':
            key_counts = {uap: None for uap in page_totals}
        elif semantics in ('page', 'page_ids'):
            key_counts = dict(page_totals)
        else:  # the count restricted to one key: that key's rows (one per ID on it)
            key_counts = {uap: totals[uap] for uap in page_totals} if totals is not None else {}
        return Page(rows, count, key_counts)

    def render(self, page: Page, reading: Reading) -> str:
        """The success body of ``page`` in the reading's shape (rows serialised once, cached per row)."""
        grouped: dict[str, list[str]] = {}
        for row in sorted(page.rows, key=lambda row: self._uap_order[row.uap]):
            grouped.setdefault(row.uap, []).append(row.json())

        def number(value: int) -> str:
            return f'"{value}"' if reading.count_as_string else f'{value}'

        def with_count(text: str, value: int | None) -> str:
            return text if value is None else f'{text}, "count": {number(value)}'

        if reading.shape in ('sample', 'list_sample'):
            tables = ', '.join(f'{json.dumps(uap)}: [{", ".join(items)}]' for uap, items in grouped.items())
            data = f'{{{tables}}}' if grouped else reading.empty_data
            desc = '{' + with_count(f'"data": {data}', page.count) + '}'
            if reading.shape == 'list_sample':
                desc = f'[{desc}]'
        elif not grouped:
            desc = reading.empty_data
        else:
            entries = [
                json.dumps(uap) + ': {' + with_count(f'"data": [{", ".join(items)}]', page.key_counts.get(uap)) + '}'
                for uap, items in grouped.items()
            ]
            desc = (
                f'{{{", ".join(entries)}}}'
                if reading.shape == 'tables'
                else f'[{", ".join(f"{{{entry}}}" for entry in entries)}]'
            )
        return f'{{"resultCode": "0100000", "resultDesc": {desc}}}'

    def terminal(self, eid: str) -> dict | None:
        with self.lock:
            rows = self.rows_by_eid.get(eid)
            if rows is None:
                return None
            return {row.uap: row.as_dict() for row in rows}

    def is_registered(self, eid: str, uap: str | None = None) -> bool:
        return any(row.register_status == REGISTERED for row in self.rows_by_eid[eid] if uap is None or row.uap == uap)

    def set_status(
        self, eids, register_status: str, uap: str | None = None, socket_status: str | None = None
    ) -> list[str]:
        """Set the status of ``eids`` (on one UAP or all); returns the IDs changed. Unknown IDs are an error."""
        check_status(register_status, socket_status)
        eids = [str(eid) for eid in eids]
        unknown = [eid for eid in eids if eid not in self.rows_by_eid]
        if unknown:
            raise DataError(f'Unknown equipment IDs {", ".join(unknown[:5])}; use IDs the simulator serves.')
        if uap is not None and uap not in self._uap_order:
            raise DataError(f'Unknown UAP {uap!r}; use one of {", ".join(self.uaps)}.')
        with self.lock:
            for eid in eids:
                for row in self.rows_by_eid[eid]:
                    if uap is None or row.uap == uap:
                        row.set_status(register_status, socket_status)
        return eids


def check_status(register_status, socket_status=None) -> None:
    if register_status not in REGISTER_STATUSES:
        raise DataError(f"registerStatus {register_status!r} is invalid; use 'registered' or 'not register'.")
    if socket_status is not None and socket_status not in SOCKET_STATUSES:
        raise DataError(f'socketStatus {socket_status!r} is invalid; use one of {", ".join(SOCKET_STATUSES)}.')
