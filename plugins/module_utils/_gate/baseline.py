# Copyright (c) 2026 aicc.cms contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The gate's baseline: compact, bound to its site, address, call center and scope, and signed.

Pure: no Ansible, no I/O. The digest is an HMAC-SHA256 over the canonical JSON of every other
field, keyed with a key derived from the site's secret key: a baseline edited by hand, or taken on
another platform, does not verify. The secret itself is never stored, returned or shown.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import math
import typing as t
from datetime import datetime, timezone

from ansible_collections.aicc.cms.plugins.module_utils._errors import first_ids

FORMAT = 'aicc.cms.gate-baseline/2'
_KEY_LABEL = b'aicc.cms registration gate baseline v2'
# A baseline dated this far ahead of the controller's clock is refused (clock skew allowed).
FUTURE_SKEW_SECONDS = 300
# The largest compact baseline published with set_stats; above it only the file path is (AWX slows
# down on artifacts of a few MB). The same number is stated in docs/awx.md.
ARTIFACT_MAX_BYTES = 262144
# Row fields kept besides the register and socket status, so that aicc_gate_exclude_when can judge
# the terminal as it was before the change; each distinct combination is stored once.
ROW_ATTRIBUTES = ('monitor_flag', 'protocol_type', 'tls_status', 'ip_type', 'ccu_module_number', 'termination_type')


def derive_key(secret_key: str) -> bytes:
    """The baseline key: an HMAC of a fixed label under the secret key (the secret is never used directly)."""
    return hmac.new(secret_key.encode('utf-8'), _KEY_LABEL, hashlib.sha256).digest()


def canonical_scope(eids: t.Iterable[str], eid_ranges: t.Iterable[str], required_eids: t.Iterable[str] = ()) -> dict:
    """The scope as recorded: required IDs are part of it (the gate queries them too)."""
    return {'eids': sorted(set(eids) | set(required_eids)), 'eid_ranges': sorted(set(eid_ranges))}


def scope_fingerprint(scope: dict) -> str:
    text = json.dumps(scope, sort_keys=True, separators=(',', ':'))
    return hashlib.sha256(text.encode('utf-8')).hexdigest()[:16]


def compact_terminals(terminals: dict, attributes: dict | None = None) -> tuple[list[str], dict]:
    """(UAP names, {eid: [registered, [[uap index, register status, socket status(, attributes index)], ...]]}).

    With ``attributes`` (a dict, filled here: combination -> index), a row whose ROW_ATTRIBUTES are not
    all empty gets the index of their combination as a fourth item.
    """
    uaps: dict[str, int] = {}
    compact = {}
    for eid, record in terminals.items():
        rows = []
        for row in record.get('uaps') or ():
            name = str(row.get('uap'))
            index = uaps.setdefault(name, len(uaps))
            item = [index, row.get('register_status'), row.get('socket_status')]
            values = tuple(row.get(field) for field in ROW_ATTRIBUTES)
            if attributes is not None and any(value is not None for value in values):
                item.append(attributes.setdefault(values, len(attributes)))
            rows.append(item)
        compact[eid] = [bool(record['registered']), rows]
    return list(uaps), compact


def expand_terminals(baseline: dict) -> dict:
    """The compact terminals as the diff takes them (records with a 'uaps' list)."""
    names = baseline.get('uaps') or []
    attributes = baseline.get('row_attributes') or []
    expanded = {}
    for eid, (registered, rows) in baseline['terminals'].items():
        uaps = []
        for row in rows:
            uap = {'uap': names[row[0]], 'register_status': row[1], 'socket_status': row[2]}
            if len(row) > 3:
                uap.update(zip(ROW_ATTRIBUTES, attributes[row[3]]))
            uaps.append(uap)
        expanded[eid] = {'registered': registered, 'uaps': uaps}
    return expanded


def _digest(baseline: dict, key: bytes) -> str:
    body = {name: value for name, value in baseline.items() if name != 'digest'}
    text = json.dumps(body, sort_keys=True, separators=(',', ':'), ensure_ascii=True)
    return hmac.new(key, text.encode('utf-8'), hashlib.sha256).hexdigest()


def build(
    site: str,
    address: str,
    cc_id: int | None,
    scope: dict,
    result: dict,
    precheck_passed: bool,
    taken_at: datetime,
    collection_version: str,
    key: bytes,
) -> dict:
    """A signed baseline from the precheck's query result."""
    attributes: dict = {}
    uaps, terminals = compact_terminals(result.get('terminals') or {}, attributes)
    baseline = {
        'format': FORMAT,
        'site': site,
        'address': address,
        'cc_id': cc_id,
        'scope': scope,
        'scope_fingerprint': scope_fingerprint(scope),
        'taken_at': taken_at.astimezone(timezone.utc).strftime('%Y-%m-%dT%H:%M:%SZ'),
        'collection_version': collection_version,
        'precheck_passed': bool(precheck_passed),
        'uaps': uaps,
        'terminals': terminals,
        'missing': sorted(result.get('missing') or ()),
        'unknown': sorted(result.get('unknown') or ()),
    }
    if attributes:
        baseline['row_attributes'] = [list(values) for values in attributes]
    baseline['digest'] = _digest(baseline, key)
    return baseline


def as_state(baseline: dict) -> dict:
    """The baseline as a module-result-like state for the diff."""
    return {
        'terminals': expand_terminals(baseline),
        'missing': list(baseline['missing']),
        'unknown': list(baseline['unknown']),
        'taken_at': baseline['taken_at'],
        'precheck_passed': baseline['precheck_passed'],
    }


def _parse_time(text: object) -> datetime | None:
    if not isinstance(text, str):
        return None
    try:
        return datetime.strptime(text, '%Y-%m-%dT%H:%M:%SZ').replace(tzinfo=timezone.utc)
    except ValueError:
        return None


def _well_formed(baseline: object) -> str | None:
    """Why the value is not a baseline of this format (None when it is)."""
    if not isinstance(baseline, dict):
        return (
            'The baseline is not a JSON object; give the file or the aicc_gate_baselines artifact the precheck wrote.'
        )
    if baseline.get('format') != FORMAT:
        return (
            f'The baseline is not of the format {FORMAT} (it has {baseline.get("format")!r}): it was written by another'
            ' version of the collection or by hand; run the precheck again.'
        )
    terminals = baseline.get('terminals')
    shape_ok = (
        isinstance(terminals, dict)
        and isinstance(baseline.get('uaps'), list)
        and isinstance(baseline.get('missing'), list)
        and isinstance(baseline.get('unknown'), list)
        and isinstance(baseline.get('scope'), dict)
        and isinstance(baseline.get('digest'), str)
    )
    attributes = baseline.get('row_attributes', [])
    if not (
        isinstance(attributes, list)
        and all(isinstance(item, list) and len(item) == len(ROW_ATTRIBUTES) for item in attributes)
    ):
        shape_ok = False
    if shape_ok:
        uap_count = len(baseline['uaps'])
        for value in terminals.values():
            if not (
                isinstance(value, list)
                and len(value) == 2
                and isinstance(value[0], bool)
                and isinstance(value[1], list)
                and all(
                    isinstance(row, list)
                    and isinstance(row[0], int)
                    and 0 <= row[0] < uap_count
                    and (len(row) == 3 or len(row) == 4 and isinstance(row[3], int) and 0 <= row[3] < len(attributes))
                    for row in value[1]
                )
            ):
                shape_ok = False
                break
    if not shape_ok:
        return 'The baseline does not have the fields the precheck writes; run the precheck again.'
    return None


def _scope_difference(
    baseline: dict, scope: dict, wanted_now: frozenset[str] | None, wanted_then: frozenset[str] | None
) -> str | None:
    """The sentence for a postcheck scope other than the baseline's, or None when they select the same terminals."""
    if scope == baseline['scope']:
        return None
    if wanted_now is not None and wanted_then is not None:
        never_seen = sorted(wanted_now - wanted_then)
        outside = sorted(wanted_then - wanted_now)
        if not never_seen and not outside:
            return None  # the same terminals written another way
        parts = []
        if never_seen:
            parts.append(
                f'{len(never_seen)} terminals in scope that the baseline never saw ({first_ids(never_seen, 5)})'
            )
        if outside:
            parts.append(f'{len(outside)} terminals of the baseline outside the scope ({first_ids(outside, 5)})')
        how = ' and '.join(parts)
    else:
        how = (
            f'eids {scope["eids"]} and eid_ranges {scope["eid_ranges"]}, the baseline has eids'
            f' {baseline["scope"].get("eids")} and eid_ranges {baseline["scope"].get("eid_ranges")}'
        )
    return (
        f"The postcheck scope differs from the baseline's: {how}; leave aicc_gate_eids and aicc_gate_eid_ranges unset"
        " to check the baseline's scope, or take a new baseline with this scope."
    )


def refusal(
    baseline: object,
    *,
    site: str,
    address: str,
    cc_id: int | None,
    scope: dict | None,
    key: bytes,
    max_age: float,
    now: datetime,
    wanted_now: frozenset[str] | None = None,
    wanted_then: frozenset[str] | None = None,
) -> str | None:
    """Why the postcheck must not compare with this baseline, in one sentence; None when it may.

    ``scope`` is the postcheck's own scope (None: it takes the baseline's). ``wanted_now`` and
    ``wanted_then`` are the exact IDs the two scopes select (None when a pattern makes them open).
    """
    problem = _well_formed(baseline)
    if problem:
        return problem
    # A failed precheck's baseline is refused before its digest is checked: such a baseline can only
    # make the gate fail, and one taken without a usable secret key has no digest.
    if baseline.get('precheck_passed') is False:
        return (
            'The baseline was taken by a precheck that failed; the precheck must pass before the change can be '
            'checked against its baseline.'
        )
    if not hmac.compare_digest(baseline['digest'], _digest(baseline, key)):
        return (
            "The baseline's digest does not verify: the file was edited, or it was signed with another secret key "
            '(another platform); run the precheck again.'
        )
    if baseline.get('site') != site:
        return (
            f'The baseline is of site {baseline.get("site")!r}, not of site {site!r}: give each site its own baseline'
            ' (aicc_gate_site, aicc_gate_baseline_file).'
        )
    if baseline.get('address') != address:
        return (
            f'The baseline was taken on CC-CMS {baseline.get("address")}, not on {address} (the url of site {site});'
            ' run the precheck against this address.'
        )
    if baseline.get('cc_id') != cc_id:
        return (
            f'The baseline was taken for call center {baseline.get("cc_id")}, not {cc_id} (cc_id of site {site}); run'
            ' the precheck for this call center.'
        )
    taken = _parse_time(baseline.get('taken_at'))
    if taken is None:
        return 'The baseline has no valid taken_at time; run the precheck again.'
    age = (now - taken).total_seconds()
    if age < -FUTURE_SKEW_SECONDS:
        return (
            f"The baseline was taken at {baseline['taken_at']}, later than now: check the controller's clock, then run"
            ' the precheck again.'
        )
    if age > max_age:
        return (
            f'The baseline was taken at {baseline["taken_at"]}, {int(age)} seconds ago, older than'
            f' aicc_gate_max_baseline_age ({max_age:g} seconds); run the precheck again at the start of this window.'
        )
    passed = baseline.get('precheck_passed')
    if passed is not True:
        return f"The baseline's precheck_passed is {passed!r}, not true or false; run the precheck again."
    if scope is not None:
        return _scope_difference(baseline, scope, wanted_now, wanted_then)
    return None


def artifact_size(baseline: dict) -> int:
    return len(json.dumps(baseline, separators=(',', ':')).encode('utf-8'))


def load_text(text: str, source: str) -> object:
    """Parse the JSON of a baseline file or string; raises ValueError with one sentence."""
    try:
        value = json.loads(text, parse_constant=lambda name: math.nan)
    except ValueError as error:
        raise ValueError(f'The baseline {source} is not valid JSON ({error}); run the precheck again.') from None
    return value
