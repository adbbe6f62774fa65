# Copyright (c) 2026 aicc.cms contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Gate policy beyond registered before and after: exceptions, UAP policy, stability, blast radius.

Pure: no Ansible, no I/O, no clock (the moment of the check is passed in). ``verdict`` calls these
and owns the verdict; each function here answers one question about terminals.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta, timezone

from ansible_collections.aicc.cms.plugins.module_utils._errors import OptionError
from ansible_collections.aicc.cms.plugins.module_utils._query.normalizer import REGISTERED

UAP_POLICIES = ('any', 'all', 'same')
EXCEPTION_KINDS = ('eid', 'range', 'pattern')
TRUE_WORDS = ('true', 'yes', 'on', '1')
FALSE_WORDS = ('false', 'no', 'off', '0')
_RANGE = re.compile(r'^\s*([0-9]+)\s*-\s*([0-9]+)\s*$')
_DIGITS = re.compile(r'^[0-9]+$')


def flag(value, name: str, default: bool) -> bool:
    """A true/false variable; extra vars given as key=value arrive as text."""
    if value is None:
        return default
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in TRUE_WORDS + FALSE_WORDS:
        return value.strip().lower() in TRUE_WORDS
    raise OptionError(f'{name} must be true or false, not {value!r}.')


def uap_policy(value) -> str:
    if value is None:
        return 'any'
    if value not in UAP_POLICIES:
        raise OptionError(f'aicc_gate_uap_policy must be one of {", ".join(UAP_POLICIES)}, not {value!r}.')
    return value


# --- exceptions ------------------------------------------------------------------------------


def _until(value, name: str) -> tuple[datetime, str]:
    """The end of an exception: a date covers that whole day; a date-time without zone is UTC."""
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, date):
        moment = datetime.combine(value + timedelta(days=1), time(), timezone.utc)
    elif isinstance(value, str) and value.strip():
        text = value.strip()
        try:
            if len(text) == 10:
                moment = datetime.combine(date.fromisoformat(text) + timedelta(days=1), time(), timezone.utc)
            else:
                moment = datetime.fromisoformat(text[:-1] + '+00:00' if text.endswith(('Z', 'z')) else text)
        except ValueError:
            moment = None
        if moment is None:
            raise OptionError(
                f'{name}.until must be an ISO date (2026-12-31) or date-time (2026-12-31T18:00:00Z), not {value!r}.'
            )
    else:
        raise OptionError(
            f'{name}.until must be an ISO date (2026-12-31) or date-time (2026-12-31T18:00:00Z), not {value!r}.'
        )
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    moment = moment.astimezone(timezone.utc)
    if moment.time() == time() and (
        isinstance(value, date)
        and not isinstance(value, datetime)
        or isinstance(value, str)
        and len(value.strip()) == 10
    ):
        # A date is shown as given: the exception holds through that day.
        return moment, (moment - timedelta(days=1)).strftime('%Y-%m-%d') + ' (UTC, through that day)'
    return moment, moment.strftime('%Y-%m-%dT%H:%M:%SZ')


def check_exceptions(value) -> list[dict]:
    """aicc_gate_exceptions checked: each entry has exactly one of eid, range or pattern, a reason and an until."""
    if value is None:
        return []
    if not isinstance(value, (list, tuple)):
        raise OptionError(
            f'aicc_gate_exceptions must be a list of {{eid or range or pattern, reason, until}} entries, not {value!r}.'
        )
    checked = []
    for index, entry in enumerate(value):
        name = f'aicc_gate_exceptions[{index}]'
        if not isinstance(entry, dict):
            raise OptionError(
                f'{name} must be a dict with one of eid, range or pattern, a reason and an until, not {entry!r}.'
            )
        extra = sorted(str(key) for key in entry if key not in EXCEPTION_KINDS + ('reason', 'until'))
        if extra:
            raise OptionError(
                f'{name} has unknown keys {", ".join(extra)}; it takes one of eid, range or pattern, reason and until.'
            )
        kinds = [kind for kind in EXCEPTION_KINDS if entry.get(kind) not in (None, '')]
        if len(kinds) != 1:
            raise OptionError(f'{name} must name exactly one of eid, range or pattern, not {len(kinds)}.')
        kind = kinds[0]
        target = entry[kind]
        if isinstance(target, bool) or not isinstance(target, (str, int)) or not str(target).strip():
            raise OptionError(f'{name}.{kind} must be a non-empty string, not {target!r}.')
        target = str(target).strip()
        bounds = None
        if kind == 'range':
            match = _RANGE.match(target)
            if not match or len(match.group(1)) != len(match.group(2)) or int(match.group(1)) > int(match.group(2)):
                raise OptionError(
                    f'{name}.range must be START-END with digits of the same length, the lower first '
                    f'(for example 88880000-88880999), not {target!r}.'
                )
            bounds = (int(match.group(1)), int(match.group(2)), len(match.group(1)))
        reason = entry.get('reason')
        if not isinstance(reason, str) or not reason.strip():
            raise OptionError(f'{name}.reason must be a non-empty sentence saying why the terminals are excepted.')
        until, until_text = _until(entry.get('until'), name)
        checked.append(
            {
                'index': index,
                'kind': kind,
                'target': target,
                'bounds': bounds,
                'reason': reason.strip(),
                'until': until,
                'until_text': until_text,
            }
        )
    return checked


def _pattern_matches(pattern: str, eid: str) -> bool:
    """``?`` is one character, ``*`` or ``%`` any run, as in the EID patterns CC-CMS takes."""
    expression = ''.join('.' if char == '?' else '.*' if char in '*%' else re.escape(char) for char in pattern)
    return re.fullmatch(expression, eid) is not None


def exception_covers(entry: dict, eid: str) -> bool:
    if entry['kind'] == 'eid':
        return eid == entry['target']
    if entry['kind'] == 'range':
        start, end, length = entry['bounds']
        return bool(_DIGITS.match(eid)) and len(eid) == length and start <= int(eid) <= end
    return _pattern_matches(entry['target'], eid)


def describe_exception(entry: dict) -> str:
    return f'aicc_gate_exceptions[{entry["index"]}] ({entry["kind"]} {entry["target"]})'


def split_exceptions(exceptions: list[dict], now: datetime) -> tuple[list[dict], list[str]]:
    """(the exceptions in force at ``now``, one warning sentence per expired one)."""
    active, warnings = [], []
    for entry in exceptions:
        if now >= entry['until']:
            warnings.append(
                f'{describe_exception(entry)} expired: its until {entry["until_text"]} has passed, so it no longer '
                'applies; remove it or give it a later until.'
            )
        else:
            active.append(entry)
    return active, warnings


def excepted(eids, active: list[dict]) -> dict[str, dict]:
    """Equipment ID -> the first exception in force that covers it (list order decides an overlap)."""
    found = {}
    for eid in eids:
        for entry in active:
            if exception_covers(entry, eid):
                found[eid] = {
                    'exception': f'aicc_gate_exceptions[{entry["index"]}]',
                    'rule': f'{entry["kind"]} {entry["target"]}',
                    'reason': entry['reason'],
                    'until': entry['until_text'],
                }
                break
    return found


# --- UAP policy ------------------------------------------------------------------------------


def registered_uaps(record: dict | None) -> set[str]:
    """The UAPs a terminal record is registered on."""
    if not record:
        return set()
    return {
        str(row.get('uap', '?'))
        for row in record.get('uaps') or ()
        if isinstance(row, dict) and row.get('register_status') == REGISTERED
    }


def move(before: dict | None, after: dict | None) -> str | None:
    """How a terminal registered before and now changed UAPs (None when it did not)."""
    then, now = registered_uaps(before), registered_uaps(after)
    if not then or not now or then == now:
        return None
    parts = []
    if then - now:
        parts.append(f'no longer on {", ".join(sorted(then - now))}')
    if now - then:
        parts.append(
            f'now also on {", ".join(sorted(now - then))}' if then & now else f'now on {", ".join(sorted(now - then))}'
        )
    return f'registered on {", ".join(sorted(then))} before: ' + ', '.join(parts)


def keeps_policy(before: dict | None, policy: str):
    """``accept(equipment_id, record)`` for the wait: the record keeps ``policy`` against ``before`` (ID -> record)."""
    return lambda eid, record: policy_break(before.get(eid), record, policy) is None


def policy_break(before: dict | None, after: dict | None, policy: str) -> str | None:
    """Why a terminal registered before and now breaks ``policy`` (None when it keeps it)."""
    then, now = registered_uaps(before), registered_uaps(after)
    if policy == 'all' and then - now:
        return f'aicc_gate_uap_policy all: lost {", ".join(sorted(then - now))}, registered before' + (
            f'; now on {", ".join(sorted(now))}' if now else ''
        )
    if policy == 'same' and then != now:
        return (
            f'aicc_gate_uap_policy same: registered on {", ".join(sorted(then))} before, on'
            f' {", ".join(sorted(now))} now'
        )
    return None


# --- blast radius ----------------------------------------------------------------------------


def id_block(eid: str, wildcards: int) -> str:
    """The planner's block of a digit ID (``888012??`` for two wildcards); other IDs are their own block."""
    if not _DIGITS.match(eid) or wildcards <= 0:
        return eid
    keep = max(0, len(eid) - wildcards)
    return eid[:keep] + '?' * (len(eid) - keep)


def blast_radius(regressions: dict[str, set[str]], before: dict, after: dict, wildcards: int) -> dict:
    """Regressions grouped by UAP and by ID block, largest first, with registered counts before and now.

    ``regressions``: equipment ID -> the UAPs it was lost on (registered before, not now).
    """

    def registered(terminals: dict) -> set[str]:
        return {eid for eid, record in terminals.items() if record.get('registered')}

    by_uap: dict[str, dict] = {}
    for terminals, key in ((before, 'registered_before'), (after, 'registered_now')):
        for record in terminals.values():
            for uap in registered_uaps(record):
                group = by_uap.setdefault(
                    uap, {'uap': uap, 'registered_before': 0, 'registered_now': 0, 'regressions': []}
                )
                group[key] += 1
    for eid, uaps in regressions.items():
        for uap in uaps or {'-'}:
            by_uap.setdefault(uap, {'uap': uap, 'registered_before': 0, 'registered_now': 0, 'regressions': []})[
                'regressions'
            ].append(eid)

    by_block: dict[str, dict] = {}
    for terminals, key in ((before, 'registered_before'), (after, 'registered_now')):
        for eid in registered(terminals):
            block = id_block(eid, wildcards)
            by_block.setdefault(
                block, {'block': block, 'registered_before': 0, 'registered_now': 0, 'regressions': []}
            )[key] += 1
    for eid in regressions:
        block = id_block(eid, wildcards)
        by_block.setdefault(block, {'block': block, 'registered_before': 0, 'registered_now': 0, 'regressions': []})[
            'regressions'
        ].append(eid)

    def ordered(groups: dict, name: str) -> list[dict]:
        rows = [
            dict(row, regressions=sorted(row['regressions']), regressed=len(row['regressions']))
            for row in groups.values()
            if row['regressions']
        ]
        return sorted(rows, key=lambda row: (-row['regressed'], row[name]))

    return {'by_uap': ordered(by_uap, 'uap'), 'by_block': ordered(by_block, 'block')}
