# Copyright (c) 2026 aicc.cms contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Validate queryterminalstatus answers and turn them into terminal records and a summary (pure)."""

from __future__ import annotations

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
    """One decoded answer: the total the server reports (None when absent) and its rows."""

    count: int | None
    rows: tuple[Row, ...]


def _shape_error(detail: str) -> UnexpectedResponseError:
    error = UnexpectedResponseError('unexpected response from CC-CMS: %s' % detail)
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
    raise _shape_error('resultDesc.%s is %r, not a non-negative integer' % (name, value))


def _parse_row(uap: str | None, item: object) -> Row:
    if not isinstance(item, dict):
        raise _shape_error('a row of resultDesc.data is %s, not an object' % type(item).__name__)
    values = {}
    for api_name, field in ROW_FIELDS:
        value = item.get(api_name)
        if value is not None and not isinstance(value, str):
            raise _shape_error('field %s of a row is %s, not a string' % (api_name, type(value).__name__))
        values[field] = value
    if not values['equipment_id']:
        raise _shape_error('a row of resultDesc.data has no equipmentId')
    return Row(uap=uap, **values)


def parse_page(payload: object) -> Page:
    """Validate one decoded answer and return its count and rows.

    Raises ResultCodeError for a business failure and UnexpectedResponseError for a shape that is
    not as documented.
    """
    if not isinstance(payload, dict):
        raise _shape_error('the answer is %s, not a JSON object' % type(payload).__name__)
    code = payload.get('resultCode')
    if not isinstance(code, str):
        raise _shape_error('resultCode is %r, not a string' % (code,))
    desc = payload.get('resultDesc')
    if code != SUCCESS_CODE:
        raise result_code_error(code, desc)
    if not isinstance(desc, dict):
        raise _shape_error('resultDesc of a successful answer is %s, not an object' % type(desc).__name__)
    count = parse_count(desc.get('count'))
    data = desc.get('data')
    rows: list[Row] = []
    if data is None:
        pass
    elif isinstance(data, dict):
        for uap, items in data.items():
            if not isinstance(items, list):
                raise _shape_error('resultDesc.data[%r] is %s, not a list' % (uap, type(items).__name__))
            rows.extend(_parse_row(uap, item) for item in items)
    elif isinstance(data, list):
        # Rows without their UAP key: still keyed by equipmentId, and by "uap" when a row carries it.
        for item in data:
            uap = item.get('uap') if isinstance(item, dict) else None
            if uap is not None and not isinstance(uap, str):
                raise _shape_error('field uap of a row is %s, not a string' % type(uap).__name__)
            rows.append(_parse_row(uap, item))
    else:
        raise _shape_error('resultDesc.data is %s, not an object' % type(data).__name__)
    return Page(count, tuple(rows))


def result_code_error(code: str, desc: object) -> ResultCodeError:
    """Return the ResultCodeError for a failed answer."""
    meaning = RESULT_CODES.get(code, 'undocumented result code')
    text = desc if isinstance(desc, str) else repr(desc)
    message = 'CC-CMS returned %s (%s): %s' % (code, meaning, text[:200])
    if code in RESULT_CODE_HINTS:
        message += '; %s' % RESULT_CODE_HINTS[code]
    return ResultCodeError(message, code, desc)


def split_uap(uap: str | None) -> tuple[str | None, int | str | None]:
    """Split ``"10.1.1.1#1"`` into ``("10.1.1.1", 1)``; the ID stays a string when not digits."""
    if uap is None:
        return None, None
    ip, sep, number = uap.rpartition('#')
    if not sep:
        return uap, None
    return ip, int(number) if number.isdigit() and number.isascii() else number


def _uap_record(row: Row) -> dict:
    uap_ip, uap_id = split_uap(row.uap)
    record = {'uap': row.uap, 'uap_ip': uap_ip, 'uap_id': uap_id}
    for _api_name, field in ROW_FIELDS[1:]:
        record[field] = getattr(row, field)
    record['unrecognized'] = sorted(field for field, known in KNOWN_VALUES.items()
                                    if record[field] is not None and record[field] not in known)
    return record


def _row_order(row: Row) -> tuple:
    return tuple('' if value is None else value for value in row)


def build_terminals(rows: t.Iterable[Row], wanted: t.Collection[str] | None = None) -> dict[str, dict]:
    """Return ``{equipment_id: record}`` sorted by ID, keeping every distinct (UAP, terminal) row.

    With ``wanted``, rows of other IDs are dropped. A terminal is registered when at least one of
    its UAP rows says ``registered``.
    """
    by_id: dict[str, set[Row]] = {}
    for row in rows:
        if wanted is None or row.equipment_id in wanted:
            by_id.setdefault(row.equipment_id, set()).add(row)
    terminals = {}
    for equipment_id in sorted(by_id):
        uap_rows = sorted(by_id[equipment_id], key=_row_order)
        terminals[equipment_id] = {
            'equipment_id': equipment_id,
            'registered': any(row.register_status == REGISTERED for row in uap_rows),
            'uaps': [_uap_record(row) for row in uap_rows],
        }
    return terminals


def summarize(terminals: dict[str, dict], missing: t.Collection[str] = (), unknown: t.Collection[str] = ()) -> dict:
    """Count terminals and UAP rows.

    ``total`` = terminals found (``registered + not_registered``); ``missing`` and ``unknown`` are
    counts of IDs absent from the answers / not queried successfully; ``by_socket_status`` counts
    UAP rows per socket status; ``by_uap`` counts rows per UAP (``total``, ``registered``,
    ``not_registered``).
    """
    registered = sum(1 for record in terminals.values() if record['registered'])
    by_socket_status: dict[str, int] = {}
    by_uap: dict[str, dict[str, int]] = {}
    for record in terminals.values():
        for uap in record['uaps']:
            status = uap['socket_status'] if uap['socket_status'] is not None else 'unknown'
            by_socket_status[status] = by_socket_status.get(status, 0) + 1
            counts = by_uap.setdefault(uap['uap'] if uap['uap'] is not None else 'unknown',
                                       {'total': 0, 'registered': 0, 'not_registered': 0})
            counts['total'] += 1
            counts['registered' if uap['register_status'] == REGISTERED else 'not_registered'] += 1
    return {
        'total': len(terminals),
        'registered': registered,
        'not_registered': len(terminals) - registered,
        'missing': len(missing),
        'unknown': len(unknown),
        'by_socket_status': dict(sorted(by_socket_status.items())),
        'by_uap': dict(sorted(by_uap.items())),
    }
