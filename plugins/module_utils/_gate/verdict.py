# Copyright (c) 2026 aicc.cms contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Change-window gate decisions: may the change start (pre), may the window close (post)?

Pure: takes module results, returns a verdict dict the role publishes and the reports render.
Unknown is never a pass: a failed query, or a terminal that could not be queried, fails the gate.
"""

from __future__ import annotations

import re
from datetime import datetime, timezone

from ansible_collections.aicc.cms.plugins.module_utils._errors import OptionError, first_ids
from ansible_collections.aicc.cms.plugins.module_utils._gate import policy as _policy
from ansible_collections.aicc.cms.plugins.module_utils._gate.diff import (
    CATEGORIES,
    DETAILED,
    DiffInputError,
    coerce_state,
    registration_diff,
)
from ansible_collections.aicc.cms.plugins.module_utils._limits import NUMBERS, Number, check_number
from ansible_collections.aicc.cms.plugins.module_utils._query.planner import wildcards_per_block
from ansible_collections.aicc.cms.plugins.module_utils._query.selection import compile_selection

MAX_REGRESSIONS = 10**6
PRE_LISTS = ('not_registered', 'missing', 'unknown', 'required_not_registered', 'registered')
POST_LISTS = (
    'regressed',
    'missing',
    'unknown',
    'required_not_registered',
    'recovered',
    'new',
    'still_unregistered',
    'still_missing',
    'unchanged_registered',
)


def _plural(count: int, word: str) -> str:
    return f'{count} {word}' + ('' if count == 1 else 's')


def _required(required_eids) -> list[str]:
    if required_eids is None:
        return []
    if isinstance(required_eids, (str, bytes)) or not isinstance(required_eids, (list, tuple, set, frozenset)):
        raise OptionError('aicc_gate_required_eids must be a list of exact equipment IDs.')
    return sorted({str(eid) for eid in required_eids})


def _number(name: str, value) -> int | float:
    """Role variable ``name`` (without the prefix) checked against ROLE_NUMBERS; its default when unset."""
    number = ROLE_NUMBERS[name]
    try:
        return check_number('aicc_gate_' + name, value, number, text=True)
    except OptionError as error:
        raise OptionError(f'{error}.') from None  # the role's sentences end with a full stop


def _query_errors(result: dict) -> list[str]:
    errors = [str(error) for error in result.get('errors') or ()]
    if result.get('failed') and not errors:
        errors.append(str(result.get('msg') or 'the query failed without a message'))
    return errors


def _current_state(result: object, fallback_unknown) -> tuple[dict, list[str]]:
    """A module result as a state for the diff; a result without terminals makes everything unknown."""
    if not isinstance(result, dict):
        raise DiffInputError('The current state must be the registered result of aicc.cms.aicc_terminal_status.')
    errors = _query_errors(result)
    if isinstance(result.get('terminals'), dict):
        return result, errors
    if not errors:
        # The role registers the module with failed_when: false, which clears "failed" but keeps "msg".
        errors.append(str(result.get('msg') or 'the query returned no terminals'))
    return {'terminals': {}, 'missing': [], 'unknown': sorted(set(fallback_unknown))}, errors


def _joined(errors: list[str]) -> str:
    """Error sentences inside one reason sentence: no doubled full stops."""
    return '; '.join(error.rstrip('. ') for error in errors)


def _baseline_unknown_reason(unknown: list[str]) -> str:
    return (
        f'{_plural(len(unknown), "terminal")} {"was" if len(unknown) == 1 else "were"} unknown in the baseline '
        f'(the precheck could not query {"it" if len(unknown) == 1 else "them"}), '
        f'so whether the change broke {"it" if len(unknown) == 1 else "them"} is unknown: {first_ids(unknown)}.'
    )


def _unknown_reason(unknown: list[str], errors: list[str], what: str) -> str:
    cause = _joined(errors) if errors else 'the query for them failed'
    return (
        f'{_plural(len(unknown), "terminal")} could not be queried, so {what}: {first_ids(unknown)} (cause: {cause}).'
    )


def _baseline_problem(baseline: dict, terminals: dict, missing: set, unknown: set) -> str | None:
    """Why this baseline cannot vouch for anything (None when it can): a failed or empty precheck.

    ``precheck_passed`` is a strict boolean: the text "false", 0 or "off" never reads as a pass.
    """
    if 'precheck_passed' in baseline and baseline['precheck_passed'] is not True:
        if baseline['precheck_passed'] is False:
            return (
                'The baseline was taken by a precheck that failed; '
                'the precheck must pass before the change can be checked against its baseline.'
            )
        return (
            f"The baseline's precheck_passed is {baseline['precheck_passed']!r}, not true or false; run the precheck"
            ' again.'
        )
    if not terminals and not missing and not unknown:
        return 'The baseline holds no terminal; run the precheck again with the scope of the change.'
    return None


def policy_settings(values: dict | None) -> dict:
    """The policy variables (keys without the ``aicc_gate_`` prefix) checked, with their defaults.

    ``exceptions`` come back parsed (see _policy.check_exceptions); ``exclude`` is the predicate of
    ``exclude_when`` over a terminal record, or None.
    """
    values = dict(values or {})
    settings = {}
    for name in LEVELS:
        settings[name] = None if values.get(name) in (None, '') else _number(name, values[name])
    check_levels(dict(settings, max_regressions=_number('max_regressions', values.get('max_regressions'))))
    settings['stable_polls'] = _number('stable_polls', values.get('stable_polls'))
    for name, default in FLAGS.items():
        settings[name] = _policy.flag(values.get(name), 'aicc_gate_' + name, default)
    settings['uap_policy'] = _policy.uap_policy(values.get('uap_policy'))
    settings['exceptions'] = _policy.check_exceptions(values.get('exceptions'))
    settings['exclude_when'] = _exclude_when(values.get('exclude_when'))
    settings['exclude'] = (
        values.get('exclude') if callable(values.get('exclude')) else _compile_exclusion(settings['exclude_when'])
    )
    wildcards = values.get('block_wildcards')
    settings['block_wildcards'] = (
        wildcards_per_block(NUMBERS['max_matches_per_query'].default) if wildcards is None else int(wildcards)
    )
    return settings


def _compile_exclusion(expression: str | None):
    """The predicate of aicc_gate_exclude_when, compiled once (a bad expression is one sentence)."""
    if expression is None:
        return None
    return compile_selection(expression, 'aicc_gate_exclude_when').matches


def _moment(checked_at: str | None) -> datetime:
    """The moment of the check, which decides whether an exception has expired."""
    if isinstance(checked_at, str):
        try:
            moment = datetime.fromisoformat(checked_at[:-1] + '+00:00' if checked_at.endswith('Z') else checked_at)
            return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)
        except ValueError:
            pass
    return datetime.now(timezone.utc)


def _exclusions(terminals: dict, exclude, required: list[str], unknown: set) -> list[str]:
    """IDs whose record the exclude_when expression matches; a required or unknown terminal is never excluded."""
    if exclude is None:
        return []
    required_set = set(required)
    # A baseline's records do not repeat their ID: the expression sees it all the same.
    return sorted(
        eid
        for eid, record in terminals.items()
        if eid not in required_set and eid not in unknown and exclude(dict(record, equipment_id=eid))
    )


def _without(state: dict, excluded: set) -> dict:
    """A module result (or terminals dict) without the excluded IDs."""
    terminals, missing, unknown = coerce_state(state, 'state')
    return {
        'terminals': {eid: rec for eid, rec in terminals.items() if eid not in excluded},
        'missing': sorted(set(missing) - excluded),
        'unknown': sorted(set(unknown) - excluded),
    }


def _exception_notes(scope_ids, categories: dict, active: list, required: list[str]) -> tuple[dict, list[str]]:
    """The excepted terminals with their exception and category, and warnings for required ones under one."""
    found = _policy.excepted(sorted(scope_ids), active)
    for eid, note in found.items():
        note['category'] = categories.get(eid, 'in scope')
    warnings = [
        f'Required terminal {eid} is under {found[eid]["exception"]}, but a required terminal must still be registered:'
        ' the exception does not excuse it.'
        for eid in required
        if eid in found
    ]
    return found, warnings


def evaluate_precheck(
    result: object,
    required_eids=None,
    min_registered_ratio=0,
    checked_at: str | None = None,
    policy: dict | None = None,
) -> dict:
    """Decide whether the change may start, from the module result taken before it.

    ``policy``: see policy_settings; the precheck applies exclude_when to the current records and
    lists the terminals under an exception (nothing regresses before the change).
    """
    required = _required(required_eids)
    min_ratio = _number('min_registered_ratio', min_registered_ratio)
    rules = policy_settings(policy)
    state, errors = _current_state(result, required)
    terminals, missing, unknown_set = coerce_state(state, 'current state')
    excluded = _exclusions(terminals, rules['exclude'], required, unknown_set)
    if excluded:
        state = dict(state, **_without(state, set(excluded)))
        terminals, missing, unknown_set = coerce_state(state, 'current state')
    unknown = sorted(unknown_set)
    registered = sorted(eid for eid, rec in terminals.items() if rec['registered'] and eid not in unknown_set)
    not_registered = sorted(eid for eid, rec in terminals.items() if not rec['registered'] and eid not in unknown_set)
    known = len(registered) + len(not_registered)
    ratio = len(registered) / known if known else 0.0
    required_not_registered = [eid for eid in required if eid not in set(registered)]

    reasons = []
    general = []  # reasons that no single terminal carries
    if unknown:
        reasons.append(_unknown_reason(unknown, errors, 'the baseline would be incomplete'))
    elif errors:
        general.append(f'The query failed, so no baseline could be taken: {_joined(errors)}.')
    elif not known:
        general.append('The scope matched no terminal on CC-CMS; check aicc_gate_eids and aicc_gate_eid_ranges.')
    if known and ratio < min_ratio:
        general.append(
            f'Only {ratio:.1%} of the {known} terminals found are registered ({len(registered)}), '
            f'below aicc_gate_min_registered_ratio {min_ratio:.1%}.'
        )
    reasons += general
    if required_not_registered:
        reasons.append(
            f'{_plural(len(required_not_registered), "required terminal")} not registered before the change: '
            f'{first_ids(required_not_registered)}.'
        )

    counts = {
        'scope': known + len(set(missing) - unknown_set) + len(unknown),
        'registered': len(registered),
        'not_registered': len(not_registered),
        'missing': len(set(missing) - unknown_set),
        'unknown': len(unknown),
        'required_not_registered': len(required_not_registered),
    }
    active, warnings = _policy.split_exceptions(rules['exceptions'], _moment(checked_at))
    categories = {eid: 'registered' for eid in registered}
    categories.update({eid: 'not registered' for eid in not_registered})
    categories.update({eid: 'missing' for eid in set(missing) - unknown_set})
    categories.update({eid: 'unknown' for eid in unknown})
    exceptions, overlap = _exception_notes(categories, categories, active, required)
    warnings += overlap
    counts.update(excepted=len(exceptions), excluded=len(excluded))
    passed = not reasons
    if passed:
        headline = (
            f'Baseline taken: {len(registered)} of {known} terminals registered ({ratio:.1%}); the change may start.'
        )
    else:
        parts = [f'{len(unknown)} unknown'] if unknown else []
        if errors and not unknown:
            parts.append('the query failed')
        elif not known and not unknown:
            parts.append('the scope matched no terminal')
        if known and ratio < min_ratio:
            parts.append(f'{ratio:.1%} registered, below the {min_ratio:.1%} required')
        if required_not_registered:
            parts.append(f'{len(required_not_registered)} required not registered')
        headline = 'Do not start the change: ' + ', '.join(parts) + '.'
    return _verdict(
        'pre',
        headline,
        reasons,
        general,
        errors,
        counts,
        registered_ratio=round(ratio, 4),
        min_registered_ratio=min_ratio,
        required_eids=required,
        checked_at=checked_at,
        registered=registered,
        not_registered=not_registered,
        missing=sorted(set(missing) - unknown_set),
        unknown=unknown,
        required_not_registered=required_not_registered,
        warnings=warnings,
        excepted=sorted(exceptions),
        exceptions=exceptions,
        excluded=excluded,
        exclude_when=rules['exclude_when'],
        details={
            eid: {
                'category': 'registered' if terminals[eid]['registered'] else 'not registered',
                'uaps': [
                    {'uap': row.get('uap'), 'before': None, 'after': row.get('register_status')}
                    for row in terminals[eid].get('uaps') or ()
                    if isinstance(row, dict)
                ],
            }
            for eid in not_registered
        },
    )


def _reclassify_regressed(diff: dict, eid: str, why: str, before: dict, after: dict) -> None:
    """Count a terminal registered before and now as regressed, ``why`` saying which rule it broke."""
    for category in ('unchanged_registered', 'recovered', 'new'):
        if eid in diff[category]:
            diff[category].remove(eid)
            diff['counts'][category] -= 1
    diff['regressed'] = sorted(set(diff['regressed']) | {eid})
    diff['counts']['regressed'] = len(diff['regressed'])
    then, now = _policy.registered_uaps(before.get(eid)), _policy.registered_uaps(after.get(eid))
    uaps = sorted(
        then
        | now
        | {
            str(row.get('uap', '?'))
            for record in (before.get(eid), after.get(eid))
            if record
            for row in record.get('uaps') or ()
            if isinstance(row, dict)
        }
    )
    statuses = [
        {
            str(row.get('uap', '?')): str(row.get('register_status', '?'))
            for row in (record or {}).get('uaps') or ()
            if isinstance(row, dict)
        }
        for record in (before.get(eid), after.get(eid))
    ]
    diff['details'][eid] = {
        'category': 'regressed',
        'before': 'registered',
        'after': 'registered',
        'why': why,
        'uaps': [{'uap': uap, 'before': statuses[0].get(uap), 'after': statuses[1].get(uap)} for uap in uaps],
    }
    for uap in uaps:
        diff['by_uap'].setdefault(uap, {name: [] for name in DETAILED})['regressed'].append(eid)


def _level_sentences(
    lost: list[str], registered_before: int, allowed: int, rules: dict
) -> tuple[list[str], list[str], float]:
    """(fail sentences, warn sentences, ratio) of the regression levels; the ratio is lost / registered before."""
    ratio = len(lost) / max(registered_before, 1)
    share = (
        f'{_plural(len(lost), "regression")} {"is" if len(lost) == 1 else "are"} {ratio:.1%} of the {registered_before}'
        ' terminals registered before'
    )
    fail, warn = [], []
    if rules['max_regressions_ratio'] is not None and ratio > rules['max_regressions_ratio']:
        fail.append(
            f'{share}, more than aicc_gate_max_regressions_ratio {rules["max_regressions_ratio"]:.1%}:'
            f' {first_ids(lost)}.'
        )
    if len(lost) <= allowed and not fail:
        if rules['warn_regressions'] is not None and len(lost) > rules['warn_regressions']:
            warn.append(
                f'{_plural(len(lost), "regression")}, more than the {rules["warn_regressions"]} of '
                f'aicc_gate_warn_regressions (the gate fails above {allowed}): {first_ids(lost)}.'
            )
        if rules['warn_regressions_ratio'] is not None and ratio > rules['warn_regressions_ratio']:
            warn.append(
                f'{share}, more than aicc_gate_warn_regressions_ratio {rules["warn_regressions_ratio"]:.1%}:'
                f' {first_ids(lost)}.'
            )
    return fail, warn, ratio


def evaluate_postcheck(
    baseline: object,
    result: object,
    required_eids=None,
    max_regressions=0,
    waited=None,
    checked_at: str | None = None,
    refused: str | None = None,
    policy: dict | None = None,
    stability: dict | None = None,
) -> dict:
    """Decide whether the change window may close, from the baseline and the final query.

    ``refused``: why the baseline must not be compared with (site, age, digest, scope...); the
    verdict then fails with that one sentence whatever the query says.
    ``policy``: see policy_settings. ``stability``: what the wait saw, ``flapping`` (IDs registered in
    one poll and not in a later one) and ``unstable`` (ID -> its poll history, registered at the end
    but not for stable_polls polls in a row).
    """
    required = _required(required_eids)
    allowed = _number('max_regressions', max_regressions)
    rules = policy_settings(dict(policy or {}, max_regressions=allowed))
    stability = stability or {}
    before, before_missing, before_unknown = coerce_state(baseline, 'baseline')
    state, errors = _current_state(result, set(before) | before_missing | before_unknown | set(required))
    # Excluded by the baseline's record: what the terminal was when the change started.
    excluded = _exclusions(before, rules['exclude'], required, before_unknown)
    compared = baseline
    if excluded:
        compared = _without(baseline, set(excluded))
        state = dict(state, **_without(state, set(excluded)))
        before, before_missing, before_unknown = coerce_state(compared, 'baseline')
    after = state['terminals']
    diff = registration_diff(compared, state)

    moved = {}
    for eid in list(diff['unchanged_registered']):
        where = _policy.move(before.get(eid), after.get(eid))
        if where:
            moved[eid] = where
        why = _policy.policy_break(before.get(eid), after.get(eid), rules['uap_policy'])
        if why:
            _reclassify_regressed(diff, eid, why, before, after)
    unstable = {
        str(eid): list(history)
        for eid, history in (stability.get('unstable') or {}).items()
        if str(eid) not in excluded
    }
    for eid, history in sorted(unstable.items()):
        if eid in diff['unchanged_registered']:
            _reclassify_regressed(
                diff,
                eid,
                f'registered in only the last {_trailing_registered(history)} of {len(history)} polls, '
                f'not {rules["stable_polls"]} in a row (aicc_gate_stable_polls)',
                before,
                after,
            )
    flapping = sorted(set(map(str, stability.get('flapping') or ())) - set(excluded))

    active, warnings = _policy.split_exceptions(rules['exceptions'], _moment(checked_at))
    categories = {eid: name for name in CATEGORIES for eid in diff[name]}
    exceptions, overlap = _exception_notes(categories, categories, active, required)
    warnings += overlap
    for name in ('regressed', 'missing'):
        kept = [eid for eid in diff[name] if eid not in exceptions]
        diff['counts'][name] -= len(diff[name]) - len(kept)
        diff[name] = kept
        for lists in diff['by_uap'].values():
            lists[name] = [eid for eid in lists[name] if eid not in exceptions]
    flapping_counted = [eid for eid in flapping if eid not in exceptions]

    now_registered = (
        set(diff['unchanged_registered'])
        | set(diff['recovered'])
        | {eid for eid in diff['new'] if state['terminals'][eid]['registered']}
    )
    now_registered |= {eid for eid in diff['regressed'] if after.get(eid, {}).get('registered')}
    required_not_registered = [eid for eid in required if eid not in now_registered]
    counts = dict(
        diff['counts'],
        required_not_registered=len(required_not_registered),
        excepted=len(exceptions),
        excluded=len(excluded),
        flapping=len(flapping),
        moved=len(moved),
    )
    baseline_problem = refused or _baseline_problem(baseline, before, before_missing, before_unknown)

    general = [baseline_problem] if baseline_problem else []  # reasons that no single terminal carries
    reasons = []
    lost = sorted(diff['regressed'] + diff['missing'])
    if len(lost) > allowed:
        policy_lost = [eid for eid in diff['regressed'] if diff['details'].get(eid, {}).get('why')]
        extra = f', {len(policy_lost)} by the UAP or stability policy' if policy_lost else ''
        reasons.append(
            f'{_plural(len(lost), "terminal")} registered or known before the change'
            f' {"is" if len(lost) == 1 else "are"} not registered now ({len(diff["regressed"])} regressed{extra},'
            f' {len(diff["missing"])} missing), more than the {allowed} allowed by aicc_gate_max_regressions:'
            f' {first_ids(lost)}.'
        )
    level_fail, level_warn, ratio = _level_sentences(lost, counts['registered_before'], allowed, rules)
    reasons += level_fail
    if flapping_counted:
        sentence = (
            f'{_plural(len(flapping_counted), "terminal")} went back and forth between registered and not registered '
            f'while the gate waited (flapping): {first_ids(flapping_counted)}'
        )
        if rules['flapping_fails']:
            reasons.append(sentence + '; aicc_gate_flapping_fails is true.')
        else:
            level_warn.append(sentence + '.')
    if required_not_registered:
        reasons.append(
            f'{_plural(len(required_not_registered), "required terminal")} not registered after the change: '
            f'{first_ids(required_not_registered)}.'
        )
    unknown_now = sorted(set(diff['unknown']) & set(state.get('unknown') or ()))
    unknown_then_only = sorted(set(diff['unknown']) - set(unknown_now))
    if unknown_now:
        them = 'it' if len(unknown_now) == 1 else 'them'
        reasons.append(_unknown_reason(unknown_now, errors, f'whether the change broke {them} is unknown'))
    if unknown_then_only:
        reasons.append(_baseline_unknown_reason(unknown_then_only))
    if errors and not unknown_now:
        general.append(f'A query failed, so the result is incomplete: {_joined(errors)}.')
    if level_warn and rules['warn_fails']:
        reasons += [sentence.rstrip('.') + '; aicc_gate_warn_fails is true.' for sentence in level_warn]
    reasons = general + reasons

    passed = not reasons
    warned = passed and bool(level_warn)
    if warned:
        warnings = level_warn + warnings
    if passed:
        headline = (
            f'The window may close: {counts["registered_now"]} terminals registered now; '
            f'{counts["unchanged_registered"]} of {counts["registered_before"]} registered before are registered again'
            f', {counts["recovered"]} recovered, {counts["new"]} new'
        )
        if lost:
            headline += f', {len(lost)} lost within the {allowed} allowed'
        headline += '.'
        if warned:
            headline = 'The window may close, with a warning: ' + level_warn[0][0].lower() + level_warn[0][1:]
    else:
        parts = [
            f'{counts[name]} {name.replace("_", " ")}'
            for name in ('regressed', 'missing', 'unknown', 'required_not_registered', 'flapping')
            if counts[name]
        ]
        if baseline_problem:
            # Nothing was compared: the fix is a usable baseline, not a roll-back.
            headline = 'Do not close the window: ' + baseline_problem[0].lower() + baseline_problem[1:]
        else:
            headline = (
                'Do not close the window: '
                + (', '.join(parts) if parts else reasons[0].rstrip('.'))
                + '; roll back or fix.'
            )

    regressions = {}
    for eid in lost:
        then, now = _policy.registered_uaps(before.get(eid)), _policy.registered_uaps(after.get(eid))
        regressions[eid] = (then - now) or (now - then) or then
    verdict = _verdict(
        'post',
        headline,
        reasons,
        general,
        errors,
        counts,
        warned=warned,
        warnings=warnings,
        max_regressions=allowed,
        max_regressions_ratio=rules['max_regressions_ratio'],
        warn_regressions=rules['warn_regressions'],
        warn_regressions_ratio=rules['warn_regressions_ratio'],
        warn_fails=rules['warn_fails'],
        regression_ratio=round(ratio, 4),
        uap_policy=rules['uap_policy'],
        stable_polls=rules['stable_polls'],
        flapping_fails=rules['flapping_fails'],
        exclude_when=rules['exclude_when'],
        required_eids=required,
        required_not_registered=required_not_registered,
        waited=waited,
        checked_at=checked_at,
        baseline_taken_at=baseline.get('taken_at') if isinstance(baseline.get('taken_at'), str) else None,
    )
    verdict.update({name: diff[name] for name in POST_LISTS if name in diff})
    verdict.update(
        excepted=sorted(exceptions),
        exceptions=exceptions,
        excluded=excluded,
        flapping=flapping,
        history={
            eid: list(history)
            for eid, history in (stability.get('history') or {}).items()
            if eid in set(flapping) | set(unstable)
        },
        moved=sorted(moved),
        moves=moved,
        blast_radius=_policy.blast_radius(regressions, before, after, rules['block_wildcards']),
    )
    verdict['details'] = diff['details']
    verdict['by_uap'] = diff['by_uap']
    return verdict


def _trailing_registered(history: list) -> int:
    count = 0
    for state in reversed(history):
        if state != 'registered':
            break
        count += 1
    return count


def _verdict(
    phase: str, headline: str, reasons: list, general: list, errors: list, counts: dict, warned: bool = False, **fields
) -> dict:
    """The keys every verdict starts with; it passes when there is no reason to fail, a warned pass is a WARN."""
    passed = not reasons
    warned = passed and warned
    return dict(
        phase=phase,
        passed=passed,
        warned=warned,
        verdict='FAIL' if not passed else 'WARN' if warned else 'PASS',
        headline=headline,
        reasons=reasons,
        general_reasons=general,
        errors=errors,
        counts=counts,
        **fields,
    )


def summary_lines(verdict: dict) -> list[str]:
    """What the task output shows: the verdict, the counts, the first IDs of each list that matters."""
    lines = [f'{verdict["verdict"]}: {verdict["headline"]}']
    if verdict['phase'] == 'post':
        lines.append(
            f'baseline taken at {verdict.get("baseline_taken_at") or "an unknown time"}, compared at'
            f' {verdict.get("checked_at")}'
        )
    lines.extend(f'- {reason}' for reason in verdict['reasons'])
    lines.extend(f'warning: {warning}' for warning in verdict.get('warnings') or ())
    if verdict.get('waited'):
        lines.append(f'waited {verdict["waited"]} s for the terminals registered before to register again')
    lines.append('counts: ' + ', '.join(f'{name}={value}' for name, value in verdict['counts'].items()))
    names = (
        PRE_LISTS[:4]
        if verdict['phase'] == 'pre'
        else ('regressed', 'missing', 'unknown', 'required_not_registered', 'recovered', 'flapping', 'moved')
    )
    for name in names + ('excepted', 'excluded'):
        if verdict.get(name):
            lines.append(f'{name}: {first_ids(verdict[name])}')
    for group in (verdict.get('blast_radius') or {}).get('by_block', [])[:5]:
        lines.append(
            f'block {group["block"]}: {group["regressed"]} regressed ({group["registered_before"]} registered before, '
            f'{group["registered_now"]} now)'
        )
    return lines


def evaluate(
    current: object,
    phase: str,
    baseline: object = None,
    required_eids=None,
    max_regressions=0,
    min_registered_ratio=0,
    waited=None,
    checked_at: str | None = None,
    refused: str | None = None,
    policy: dict | None = None,
    stability: dict | None = None,
) -> dict:
    """One entry point for both phases; the verdict carries the lines the task output shows."""
    if phase == 'pre':
        verdict = evaluate_precheck(
            current,
            required_eids,
            min_registered_ratio,
            checked_at,
            policy=dict(policy or {}, max_regressions=max_regressions),
        )
    elif phase == 'post':
        if baseline is None:
            raise OptionError('The postcheck needs the baseline taken by the precheck (aicc_gate_baseline).')
        verdict = evaluate_postcheck(
            baseline,
            current,
            required_eids,
            max_regressions,
            waited,
            checked_at,
            refused,
            policy=policy,
            stability=stability,
        )
    else:
        raise OptionError(f"The gate phase must be 'pre' or 'post', not {phase!r}.")
    verdict['summary_lines'] = summary_lines(verdict)
    return verdict


# --- role variables --------------------------------------------------------------------------

SITE_PATTERN = re.compile(r'^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$')
CONNECTION_KEYS = (
    'url',
    'access_key',
    'secret_key',
    'cc_id',
    'validate_certs',
    'ca_path',
    'timeout',
    'retries',
    'max_concurrency',
)
# Numeric variable (without the aicc_gate_ prefix) -> its range and default, stated once here; the role's
# defaults and argument specs are held against it. A level without a default is off when unset.
ROLE_NUMBERS = {
    'min_registered_ratio': Number(0, 1, 0, whole=False),
    'max_regressions': Number(0, MAX_REGRESSIONS, 0),
    'wait_timeout': Number(0, 86400, 600, seconds=True),
    'wait_interval': Number(1, 3600, 10, seconds=True),
    'max_baseline_age': Number(1, 366 * 86400, 86400, seconds=True),
    'stable_polls': Number(1, 100, 2),
    'max_regressions_ratio': Number(0, 1, whole=False),
    'warn_regressions': Number(0, MAX_REGRESSIONS),
    'warn_regressions_ratio': Number(0, 1, whole=False),
}
LEVELS = ('max_regressions_ratio', 'warn_regressions', 'warn_regressions_ratio')
FLAGS = {'warn_fails': False, 'flapping_fails': True}
POLICY_NAMES = (
    'max_regressions_ratio',
    'warn_regressions',
    'warn_regressions_ratio',
    'warn_fails',
    'exceptions',
    'stable_polls',
    'flapping_fails',
    'uap_policy',
    'exclude_when',
)

# Every variable of the role the action accepts (without the aicc_gate_ prefix).
SETTING_NAMES = (
    'site',
    'eids',
    'eid_ranges',
    'required_eids',
    'min_registered_ratio',
    'max_regressions',
    'wait_timeout',
    'wait_interval',
    'max_baseline_age',
    'connection',
    'report_dir',
    'baseline_file',
    'baseline',
) + POLICY_NAMES


def _id_list(value, name: str) -> list[str]:
    """A list of equipment IDs or ranges: strings (YAML may give numbers), none empty."""
    if value is None:
        return []
    if isinstance(value, (str, bytes, dict)) or not isinstance(value, (list, tuple)):
        raise OptionError(f'{name} must be a list of equipment IDs or ranges (strings), not {value!r}.')
    items = []
    for item in value:
        if isinstance(item, bool) or not isinstance(item, (str, int)) or not str(item).strip():
            raise OptionError(
                f'{name} must be a list of non-empty equipment IDs or ranges (strings); {item!r} is not one.'
            )
        items.append(str(item).strip())
    return items


def _path(value, name: str, required: bool) -> str | None:
    """A path; an optional one may be unset or empty (then its default applies)."""
    if not required and value in (None, ''):
        return None
    if not isinstance(value, str) or not value.strip():
        raise OptionError(f'{name} must be a path (a non-empty string), not {value!r}.')
    return value


def check_levels(levels: dict) -> None:
    """A warn level at or above its fail level could never warn: refuse it rather than ignore it."""
    for warn, fail in (('warn_regressions', 'max_regressions'), ('warn_regressions_ratio', 'max_regressions_ratio')):
        if levels.get(warn) is not None and levels.get(fail) is not None and levels[warn] >= levels[fail]:
            raise OptionError(
                f'aicc_gate_{warn} ({levels[warn]:g}) must be below aicc_gate_{fail} ({levels[fail]:g}), '
                'or the gate fails before it could warn; lower it or raise the fail level.'
            )


def _exclude_when(value) -> str | None:
    """The JMESPath expression of aicc_gate_exclude_when (None when unset)."""
    if value in (None, ''):
        return None
    if not isinstance(value, str) or not value.strip():
        raise OptionError(
            f'aicc_gate_exclude_when must be a JMESPath expression over a terminal record (a string), not {value!r}.'
        )
    return value.strip()


def check_settings(values: dict) -> dict:
    """The role's variables (keys without the ``aicc_gate_`` prefix) checked and typed.

    Each problem is one sentence naming the variable and what it accepts; nothing is dropped silently.
    """
    settings = {}
    site = values.get('site')
    if not isinstance(site, str) or not SITE_PATTERN.match(site):
        raise OptionError(
            "aicc_gate_site must be 1 to 100 letters, digits, '.', '_' or '-' (starting with a letter or digit), "
            f"not {site!r}; it names the site's report folder."
        )
    settings['site'] = site
    for name in ('eids', 'eid_ranges', 'required_eids'):
        settings[name] = _id_list(values.get(name), 'aicc_gate_' + name)
    for name in ('min_registered_ratio', 'max_regressions', 'wait_timeout', 'wait_interval', 'max_baseline_age'):
        settings[name] = _number(name, values.get(name))
    checked = policy_settings(dict(values, max_regressions=settings['max_regressions']))
    settings.update((name, checked[name]) for name in POLICY_NAMES if name != 'exceptions')
    # As given: the gate parses them again at the moment of the check (expiry).
    settings['policy'] = {name: values.get(name) for name in POLICY_NAMES}
    connection = values.get('connection')
    if connection is None:
        connection = {}
    if not isinstance(connection, dict):
        raise OptionError(
            f'aicc_gate_connection must be a dict of connection options ({", ".join(CONNECTION_KEYS)}), not'
            f' {connection!r}.'
        )
    unknown = sorted(str(key) for key in connection if key not in CONNECTION_KEYS)
    if unknown:
        raise OptionError(
            f'aicc_gate_connection has unknown keys {", ".join(unknown)}; it takes {", ".join(CONNECTION_KEYS)}.'
        )
    settings['connection'] = dict(connection)
    settings['report_dir'] = _path(values.get('report_dir'), 'aicc_gate_report_dir', True)
    settings['baseline_file'] = _path(values.get('baseline_file'), 'aicc_gate_baseline_file', False)
    baseline = values.get('baseline')
    if baseline is not None and not isinstance(baseline, (dict, str)):
        raise OptionError(
            'aicc_gate_baseline must be the baseline the precheck published (a dict or its JSON text), not'
            f' {type(baseline).__name__}.'
        )
    settings['baseline'] = baseline if baseline not in ('', {}) else None
    return settings
