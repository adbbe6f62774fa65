# Copyright (c) 2026 aicc.cms contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Validate queryterminalstatus answers and turn them into terminal records and a summary (pure)."""

from __future__ import annotations

import functools
import operator
import sys
import typing as t

from ansible_collections.aicc.cms.plugins.module_utils._errors import ResultCodeError, UnexpectedResponseError

SUCCESS_CODE = '0100000'
RESULT_CODES = {
    '0100001': 'call failed',
    '0100002': 'invalid parameters',
    '0100003': 'interface needs CTI V3R8, a V3R6 CTI was found',
    '0100999': 'unknown exception',
    '0101001': 'quality-inspection relationship error',
    '0101002': 'queried number does not exist on the UAP',
    '0101003': 'insufficient permission',
}
RESULT_CODE_HINTS = {
    '0101003': 'check that the AK/SK may read this call center, or set cc_id to the right call center',
}

REGISTERED = 'registered'
# API field -> record field; every field is a string in the answer.
ROW_FIELDS = (
    ('equipmentId', 'equipment_id'),
    ('registerStatus', 'register_status'),
    ('socketStatus', 'socket_status'),
    ('ipAndPort', 'ip_and_port'),
    ('monitorFlag', 'monitor_flag'),
    ('protocolType', 'protocol_type'),
    ('roamIpAndPort', 'roam_ip_and_port'),
    ('tlsStatus', 'tls_status'),
    ('ipType', 'ip_type'),
    ('ccuModuleNumber', 'ccu_module_number'),
    ('terminationType', 'termination_type'),
)
KNOWN_VALUES = {
    'register_status': frozenset(('registered', 'not register')),
    'socket_status': frozenset(('fault', 'normal', 'connecting', 'uninstall')),
    'monitor_flag': frozenset(('unstarted', 'started')),
    'tls_status': frozenset(('unconnect', 'connect', 'uninstall')),
}


_API_NAMES = tuple(api_name for api_name, _field in ROW_FIELDS)
# Enum-like fields repeated in every row: interned so that 100,000 records share a few string objects.
_SHARED_FIELDS = frozenset(
    (
        'registerStatus',
        'socketStatus',
        'monitorFlag',
        'protocolType',
        'roamIpAndPort',
        'tlsStatus',
        'ipType',
        'ccuModuleNumber',
        'terminationType',
    )
)
_SHARED_POSITIONS = tuple(position for position, api_name in enumerate(_API_NAMES) if api_name in _SHARED_FIELDS)
_get_all_fields = operator.itemgetter(*_API_NAMES)  # every field present: one C call (KeyError otherwise)
_PLAIN_TYPES = frozenset((str, type(None)))


class Row(t.NamedTuple):
    """One (UAP, terminal) row of an answer; ``uap`` is the ``"<ip>#<no>"`` key (None when absent)."""

    uap: str | None
    equipment_id: str
    register_status: str | None = None
    socket_status: str | None = None
    ip_and_port: str | None = None
    monitor_flag: str | None = None
    protocol_type: str | None = None
    roam_ip_and_port: str | None = None
    tls_status: str | None = None
    ip_type: str | None = None
    ccu_module_number: str | None = None
    termination_type: str | None = None


class Page(t.NamedTuple):
    """One decoded answer: the ``count`` the server reports (None when absent), its rows, the
    per-UAP counts of the tables' shape (None when absent), and whether it was a 0101002 "no match"."""

    count: int | None
    rows: tuple[Row, ...]
    key_counts: dict | None = None
    no_match: bool = False


NO_MATCH_CODE = '0101002'  # "queried number does not exist on the UAP": nothing (more) matches
EMPTY_PAGE = Page(None, (), None, True)


def _shape_error(detail: str) -> UnexpectedResponseError:
    error = UnexpectedResponseError(f'unexpected response from CC-CMS: {detail}')
    error.detail = detail  # the client re-states it with the request path
    return error


def parse_count(value: object, name: str = 'count') -> int | None:
    """Return an int from an int or a numeric string; None when absent; raise when not a count."""
    if value is None:
        return None
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return value
    if isinstance(value, str) and value.strip().isdigit() and value.strip().isascii():
        return int(value.strip())
    raise _shape_error(f'resultDesc.{name} is {value!r}, not a non-negative integer')


def _parse_row(uap: str | None, item: object) -> Row:
    if not isinstance(item, dict):
        raise _shape_error(f'a row of resultDesc.data is {type(item).__name__}, not an object')
    try:
        values = list(_get_all_fields(item))
    except KeyError:
        get = item.get
        values = [get(api_name) for api_name in _API_NAMES]
    if not _PLAIN_TYPES.issuperset(map(type, values)):
        for position, value in enumerate(values):
            if value is not None and not isinstance(value, str):
                raise _shape_error(f'field {_API_NAMES[position]} of a row is {type(value).__name__}, not a string')
            values[position] = None if value is None else str(value)  # a str subclass: plain str from here on
    if not values[0]:
        raise _shape_error('a row of resultDesc.data has no equipmentId')
    for position in _SHARED_POSITIONS:
        value = values[position]
        if value is not None:
            values[position] = sys.intern(value)
    return tuple.__new__(Row, (uap, *values))


def _rows_of_key(uap: object, items: object, where: str) -> list[Row]:
    if items is None or items == {}:
        return []
    if not isinstance(items, list):
        raise _shape_error(f'{where} is {type(items).__name__}, not a list')
    if type(uap) is str:  # pylint: disable=unidiomatic-typecheck  # sys.intern refuses str subclasses
        uap = sys.intern(uap)
    elif uap is not None and not isinstance(uap, str):
        raise _shape_error(f'{where} has a UAP key that is not a string')
    return [_parse_row(uap, item) for item in items]


def _sample_rows(data: object) -> list[Row]:
    """Rows of the sample's ``data``: an object of UAP key -> rows, a plain list of rows, or empty."""
    if data is None:
        return []
    if isinstance(data, dict):
        rows: list[Row] = []
        for uap, items in data.items():
            rows.extend(_rows_of_key(uap, items, f'resultDesc.data[{uap!r}]'))
        return rows
    if isinstance(data, list):
        # Rows without their UAP key: still keyed by equipmentId, and by "uap" when a row carries it.
        rows = []
        for item in data:
            uap = item.get('uap') if isinstance(item, dict) else None
            if uap is not None and not isinstance(uap, str):
                raise _shape_error(f'field uap of a row is {type(uap).__name__}, not a string')
            rows.append(_parse_row(uap, item))
        return rows
    raise _shape_error(f'resultDesc.data is {type(data).__name__}, not an object')


def _is_table(value: object) -> bool:
    return isinstance(value, dict) and 'data' in value and set(value) <= {'data', 'count'}


def _shape_name(value: object) -> str:
    if isinstance(value, dict):
        keys = ', '.join(sorted(str(key) for key in value)[:5])
        return f'an object with keys {keys}' if keys else 'an empty object'
    return type(value).__name__


def _parse_part(desc: dict, rows: list[Row], key_counts: dict) -> int | None:
    """Rows (and per-UAP counts) of one object of resultDesc: the sample's shape or the tables' one."""
    if 'data' in desc and set(desc) <= {'data', 'count'}:
        rows.extend(_sample_rows(desc['data']))
        return parse_count(desc.get('count'))
    if desc and all(_is_table(value) for value in desc.values()):
        for uap, table in desc.items():
            rows.extend(_rows_of_key(uap, table['data'], f'resultDesc[{uap!r}].data'))
            count = parse_count(table.get('count'), f'{uap}.count')
            if count is not None:
                key_counts[uap] = count
        return None
    raise _shape_error(
        f"resultDesc of a successful answer is {_shape_name(desc)}: neither the sample's shape (data and count) nor the"
        " tables' shape (UAP keys holding data and count)"
    )


def parse_page(payload: object) -> Page:
    """Validate one decoded answer and return its count and rows.

    Every shape the vendor page allows: the sample's (``resultDesc: {data: {uap: [rows]}, count}``),
    the tables' (``resultDesc: {uap: {data: [rows], count}}``), a list of either, and empty data as
    ``{}``, ``[]`` or ``null``. ``0101002`` is a page with no (more) match. Raises ResultCodeError
    for another business failure and UnexpectedResponseError for a shape that is none of these.
    """
    if not isinstance(payload, dict):
        raise _shape_error(f'the answer is {type(payload).__name__}, not a JSON object')
    code = payload.get('resultCode')
    if not isinstance(code, str):
        raise _shape_error(f'resultCode is {code!r}, not a string')
    desc = payload.get('resultDesc')
    if code == NO_MATCH_CODE:
        return EMPTY_PAGE
    if code != SUCCESS_CODE:
        raise result_code_error(code, desc)
    if 'resultDesc' not in payload:
        raise _shape_error('a successful answer has no resultDesc')
    rows: list[Row] = []
    key_counts: dict = {}
    counts: list[int | None] = []
    if desc is None or desc == {} or desc == []:
        pass
    elif isinstance(desc, dict):
        counts.append(_parse_part(desc, rows, key_counts))
    elif isinstance(desc, list):
        for part in desc:
            if not isinstance(part, dict):
                raise _shape_error(f'an element of resultDesc is {type(part).__name__}, not an object')
            counts.append(_parse_part(part, rows, key_counts))
    else:
        raise _shape_error(f'resultDesc of a successful answer is {type(desc).__name__}, not an object or a list')
    present = [count for count in counts if count is not None]
    count = sum(present) if present and len(present) == len(counts) else None
    return Page(count, tuple(rows), key_counts or None)


def result_code_error(code: str, desc: object) -> ResultCodeError:
    """Return the ResultCodeError for a failed answer."""
    meaning = RESULT_CODES.get(code, 'undocumented result code')
    text = desc if isinstance(desc, str) else repr(desc)
    message = f'CC-CMS returned {code} ({meaning}): {text[:200]}'
    if code in RESULT_CODE_HINTS:
        message += f'; {RESULT_CODE_HINTS[code]}'
    return ResultCodeError(message, code, desc)


def split_uap(uap: str | None) -> tuple[str | None, int | str | None]:
    """Split ``"10.1.1.1#1"`` into ``("10.1.1.1", 1)``; the ID stays a string when not digits."""
    if uap is None:
        return None, None
    ip, sep, number = uap.rpartition('#')
    if not sep:
        return uap, None
    return ip, int(number) if number.isdigit() and number.isascii() else number


_split_uap_cached = functools.lru_cache(maxsize=1024)(split_uap)  # a few UAPs, 100,000 rows
# (field, position in Row, documented values), by field name: the order of ``unrecognized``.
_ENUM_CHECKS = tuple(sorted((field, Row._fields.index(field), known) for field, known in KNOWN_VALUES.items()))


def _uap_record(row: Row) -> dict:
    (
        uap,
        _equipment_id,
        register_status,
        socket_status,
        ip_and_port,
        monitor_flag,
        protocol_type,
        roam_ip_and_port,
        tls_status,
        ip_type,
        ccu_module_number,
        termination_type,
    ) = row
    uap_ip, uap_id = _split_uap_cached(uap)
    return {
        'uap': uap,
        'uap_ip': uap_ip,
        'uap_id': uap_id,
        'register_status': register_status,
        'socket_status': socket_status,
        'ip_and_port': ip_and_port,
        'monitor_flag': monitor_flag,
        'protocol_type': protocol_type,
        'roam_ip_and_port': roam_ip_and_port,
        'tls_status': tls_status,
        'ip_type': ip_type,
        'ccu_module_number': ccu_module_number,
        'termination_type': termination_type,
        'unrecognized': [
            field for field, position, known in _ENUM_CHECKS if row[position] is not None and row[position] not in known
        ],
    }


def _row_order(row: Row) -> tuple:
    return tuple('' if value is None else value for value in row)


def build_terminals(rows: t.Iterable[Row], wanted: t.Collection[str] | None = None) -> dict[str, dict]:
    """Return ``{equipment_id: record}`` sorted by ID, keeping every distinct (UAP, terminal) row.

    With ``wanted``, rows of other IDs are dropped. A terminal is registered when at least one of
    its UAP rows says ``registered``.
    """
    # Most terminals have one row: kept as the Row itself, a set only once a second distinct row comes.
    by_id: dict[str, Row | set[Row]] = {}
    for row in rows:
        equipment_id = row[1]
        if wanted is not None and equipment_id not in wanted:
            continue
        known = by_id.get(equipment_id)
        if known is None:
            by_id[equipment_id] = row
        elif known.__class__ is set:
            known.add(row)
        elif known != row:
            by_id[equipment_id] = {known, row}
    terminals = {}
    for equipment_id in sorted(by_id):
        known = by_id[equipment_id]
        uap_rows = sorted(known, key=_row_order) if known.__class__ is set else (known,)
        terminals[equipment_id] = {
            'equipment_id': equipment_id,
            'registered': any(row[2] == REGISTERED for row in uap_rows),
            'uaps': [_uap_record(row) for row in uap_rows],
        }
    return terminals


def record_rows(record: dict) -> list[Row]:
    """The rows a record was built from (``build_terminals`` of them gives the record back)."""
    return [
        Row(uap['uap'], record['equipment_id'], *(uap[field] for _api_name, field in ROW_FIELDS[1:]))
        for uap in record['uaps']
    ]


def merge_records(first: dict, second: dict) -> dict:
    """One record from two records of the same terminal (answers of two queries), rows merged as in build_terminals."""
    return build_terminals(record_rows(first) + record_rows(second))[first['equipment_id']]


class Tally:
    """Running counts of ``summarize``: ``add`` records one by one (then drop them), ``summary`` at the end."""

    def __init__(self) -> None:
        self.total = 0
        self.registered = 0
        self.by_socket_status: dict[str, int] = {}
        self.by_uap: dict[str, dict[str, int]] = {}

    def add(self, record: dict) -> None:
        """Count one terminal record and its UAP rows."""
        self.total += 1
        self.registered += bool(record['registered'])
        by_socket_status, by_uap = self.by_socket_status, self.by_uap
        for uap in record['uaps']:
            status = uap['socket_status'] if uap['socket_status'] is not None else 'unknown'
            by_socket_status[status] = by_socket_status.get(status, 0) + 1
            key = uap['uap'] if uap['uap'] is not None else 'unknown'
            counts = by_uap.get(key)
            if counts is None:
                counts = by_uap[key] = {'total': 0, 'registered': 0, 'not_registered': 0}
            counts['total'] += 1
            counts['registered' if uap['register_status'] == REGISTERED else 'not_registered'] += 1

    def summary(self, missing: t.Collection[str] = (), unknown: t.Collection[str] = ()) -> dict:
        """The summary of every record added; ``missing`` and ``unknown`` as in ``summarize``."""
        return {
            'total': self.total,
            'registered': self.registered,
            'not_registered': self.total - self.registered,
            'missing': len(missing),
            'unknown': len(unknown),
            'by_socket_status': dict(sorted(self.by_socket_status.items())),
            'by_uap': {uap: dict(counts) for uap, counts in sorted(self.by_uap.items())},
        }


def summarize(terminals: dict[str, dict], missing: t.Collection[str] = (), unknown: t.Collection[str] = ()) -> dict:
    """Count terminals and UAP rows.

    ``total`` = terminals found (``registered + not_registered``); ``missing`` and ``unknown`` are
    counts of IDs absent from the answers / not queried successfully; ``by_socket_status`` counts
    UAP rows per socket status; ``by_uap`` counts rows per UAP (``total``, ``registered``,
    ``not_registered``).
    """
    tally = Tally()
    for record in terminals.values():
        tally.add(record)
    return tally.summary(missing, unknown)
