# Copyright (c) 2026 aicc.cms contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Baseline versus current registration state: which terminals regressed, recovered, vanished.

Pure: no Ansible, no I/O. Inputs are the ``terminals`` dicts the module returns, or whole module
results (then their ``missing`` and ``unknown`` lists count too). An ID whose state could not be
queried, before or after, is ``unknown``: never counted as fine.
"""

from __future__ import annotations

from ansible_collections.aicc.cms.plugins.module_utils._errors import OptionError

# Every ID of the compared scope lands in exactly one of these.
CATEGORIES = (
    'regressed',  # registered before, not registered now
    'recovered',  # not registered before, registered now
    'missing',  # known before, absent now (the server no longer knows it)
    'new',  # absent before, known now
    'still_unregistered',  # not registered before, not registered now
    'unchanged_registered',  # registered before and now
    'still_missing',  # asked for both times, the server knew it neither time
    'unknown',  # a query failed before or now: the state cannot be judged
)
# Categories whose terminals get per-UAP detail (the others are the quiet majority).
DETAILED = ('regressed', 'recovered', 'missing', 'new', 'unknown')


class DiffInputError(OptionError):
    """The baseline or current state is not what aicc_terminal_status returns."""


def _is_module_result(value: dict) -> bool:
    terminals = value.get('terminals')
    if not isinstance(terminals, dict):
        return False
    # A terminals dict whose ID is literally "terminals" holds a record, not a dict of records.
    return 'registered' not in terminals or any(key in value for key in ('missing', 'unknown', 'summary', 'queries'))


def _id_list(value: object, role: str, key: str) -> set[str]:
    if value is None:
        return set()
    if isinstance(value, (str, bytes)) or not isinstance(value, (list, tuple, set, frozenset)):
        raise DiffInputError(
            f"The {role} '{key}' must be a list of equipment IDs; pass the result of aicc.cms.aicc_terminal_status."
        )
    return {str(eid) for eid in value}


def coerce_state(value: object, role: str) -> tuple[dict, set[str], set[str]]:
    """Return ``(terminals, missing, unknown)`` from a terminals dict or a module result."""
    if not isinstance(value, dict):
        raise DiffInputError(
            f'The {role} must be a dict of terminals or a result of aicc.cms.aicc_terminal_status, not'
            f" {type(value).__name__}; register the module result and pass it (or its 'terminals')."
        )
    missing: set[str] = set()
    unknown: set[str] = set()
    terminals = value
    if _is_module_result(value):
        terminals = value['terminals']
        missing = _id_list(value.get('missing'), role, 'missing')
        unknown = _id_list(value.get('unknown'), role, 'unknown')
    checked = {}
    for eid, record in terminals.items():
        if not isinstance(record, dict) or not isinstance(record.get('registered'), bool):
            raise DiffInputError(
                f"The {role} terminal '{eid}' has no true/false 'registered' field; "
                "pass the 'terminals' returned by aicc.cms.aicc_terminal_status."
            )
        checked[str(eid)] = record
    return checked, missing, unknown


def _uap_statuses(record: dict | None) -> dict[str, str]:
    """Map UAP name -> register status of one terminal record (empty when absent)."""
    if not record:
        return {}
    statuses = {}
    for row in record.get('uaps') or ():
        if isinstance(row, dict):
            statuses[str(row.get('uap', '?'))] = str(row.get('register_status', '?'))
    return statuses


def _state(record: dict | None, in_missing: bool, in_unknown: bool) -> str:
    if in_unknown:
        return 'unknown'
    if record is not None:
        return 'registered' if record['registered'] else 'not registered'
    return 'missing' if in_missing else 'absent'


def registration_diff(baseline: object, current: object) -> dict:
    """Compare two registration states; see CATEGORIES for what each list holds."""
    before, before_missing, before_unknown = coerce_state(baseline, 'baseline')
    after, after_missing, after_unknown = coerce_state(current, 'current state')

    unknown = before_unknown | after_unknown
    scope = set(before) | set(after) | before_missing | after_missing | unknown
    before_registered = {eid for eid, rec in before.items() if rec['registered']} - unknown
    before_unregistered = set(before) - before_registered - unknown
    after_registered = {eid for eid, rec in after.items() if rec['registered']} - unknown
    after_unregistered = set(after) - after_registered - unknown
    before_known = before_registered | before_unregistered
    after_known = after_registered | after_unregistered

    groups = {
        'regressed': before_registered & after_unregistered,
        'recovered': before_unregistered & after_registered,
        'missing': before_known - after_known - unknown,
        'new': after_known - before_known - unknown,
        'still_unregistered': before_unregistered & after_unregistered,
        'unchanged_registered': before_registered & after_registered,
        'unknown': unknown,
    }
    groups['still_missing'] = scope - set().union(*groups.values())

    result: dict = {name: sorted(groups[name]) for name in CATEGORIES}
    counts = {name: len(groups[name]) for name in CATEGORIES}
    counts.update(
        scope=len(scope),
        registered_before=len(before_registered),
        registered_now=len(after_registered),
    )
    result['counts'] = counts

    details: dict = {}
    by_uap: dict = {}
    for category in DETAILED:
        for eid in result[category]:
            uaps_before = _uap_statuses(before.get(eid))
            uaps_after = {} if eid in after_unknown else _uap_statuses(after.get(eid))
            details[eid] = {
                'category': category,
                'before': _state(before.get(eid), eid in before_missing, eid in before_unknown),
                'after': _state(
                    None if eid in after_unknown else after.get(eid), eid in after_missing, eid in after_unknown
                ),
                'uaps': [
                    {'uap': uap, 'before': uaps_before.get(uap), 'after': uaps_after.get(uap)}
                    for uap in sorted(set(uaps_before) | set(uaps_after))
                ],
            }
            for uap in sorted(set(uaps_before) | set(uaps_after)):
                by_uap.setdefault(uap, {name: [] for name in DETAILED})[category].append(eid)
    result['details'] = details
    result['by_uap'] = by_uap
    return result
