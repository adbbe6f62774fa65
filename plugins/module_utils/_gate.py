# Copyright (c) 2026 aicc.cms contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Change-window gate decisions: may the change start (pre), may the window close (post)?

Pure: takes module results, returns a verdict dict the role publishes and the reports render.
Unknown is never a pass: a failed query, or a terminal that could not be queried, fails the gate.
"""

from __future__ import annotations

import math
import re

from ansible_collections.aicc.cms.plugins.module_utils._diff import DiffInputError, coerce_state, registration_diff
from ansible_collections.aicc.cms.plugins.module_utils._errors import OptionError
from ansible_collections.aicc.cms.plugins.module_utils import _policy

SHOWN_IDS = 20
MAX_REGRESSIONS = 10 ** 6
DEFAULT_STABLE_POLLS = 2
MAX_STABLE_POLLS = 100
PRE_LISTS = ("not_registered", "missing", "unknown", "required_not_registered", "registered")
POST_LISTS = ("regressed", "missing", "unknown", "required_not_registered", "recovered", "new",
              "still_unregistered", "still_missing", "unchanged_registered")


def first_ids(ids, limit: int = SHOWN_IDS) -> str:
    """'a, b, c' with at most ``limit`` IDs, then how many more."""
    ids = list(ids)
    shown = ", ".join(ids[:limit])
    return shown + (f" and {len(ids) - limit} more" if len(ids) > limit else "")


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" + ("" if count == 1 else "s")


def _required(required_eids) -> list[str]:
    if required_eids is None:
        return []
    if isinstance(required_eids, (str, bytes)) or not isinstance(required_eids, (list, tuple, set, frozenset)):
        raise OptionError("aicc_gate_required_eids must be a list of exact equipment IDs.")
    return sorted({str(eid) for eid in required_eids})


def _finite(value, name: str) -> float:
    """A real number from an int, a float or a numeric string (extra vars given as key=value are strings)."""
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise OptionError(f"{name} must be a number, not {value!r}.")
    try:
        number = float(value)
    except (ValueError, OverflowError):
        raise OptionError(f"{name} must be a number, not {value!r}.") from None
    if not math.isfinite(number):
        raise OptionError(f"{name} must be a finite number, not {value!r}.")
    return number


def _shown(number: float) -> str:
    return str(int(number)) if float(number).is_integer() else f"{number:g}"


def _number(value, name: str, minimum: float, maximum: float | None = None, whole: bool = False) -> float:
    """``value`` checked: a finite number (a whole one when ``whole``) within [minimum, maximum]."""
    kind = "a whole number" if whole else "a number"
    allowed = f"from {_shown(minimum)} to {_shown(maximum)}" if maximum is not None else f"of {_shown(minimum)} or more"
    try:
        number = _finite(value, name)
    except OptionError:
        raise OptionError(f"{name} must be {kind} {allowed}, not {value!r}.") from None
    if (whole and not number.is_integer()) or number < minimum or (maximum is not None and number > maximum):
        raise OptionError(f"{name} must be {kind} {allowed}, not {value!r}.")
    return number


def _query_errors(result: dict) -> list[str]:
    errors = [str(error) for error in result.get("errors") or ()]
    if result.get("failed") and not errors:
        errors.append(str(result.get("msg") or "the query failed without a message"))
    return errors


def _current_state(result: object, fallback_unknown) -> tuple[dict, list[str]]:
    """A module result as a state for the diff; a result without terminals makes everything unknown."""
    if not isinstance(result, dict):
        raise DiffInputError("The current state must be the registered result of aicc.cms.aicc_terminal_status.")
    errors = _query_errors(result)
    if isinstance(result.get("terminals"), dict):
        return result, errors
    if not errors:
        # The role registers the module with failed_when: false, which clears "failed" but keeps "msg".
        errors.append(str(result.get("msg") or "the query returned no terminals"))
    return {"terminals": {}, "missing": [], "unknown": sorted(set(fallback_unknown))}, errors


def _joined(errors: list[str]) -> str:
    """Error sentences inside one reason sentence: no doubled full stops."""
    return "; ".join(error.rstrip(". ") for error in errors)


def _baseline_unknown_reason(unknown: list[str]) -> str:
    return (f"{_plural(len(unknown), 'terminal')} {'was' if len(unknown) == 1 else 'were'} unknown in the baseline "
            f"(the precheck could not query {'it' if len(unknown) == 1 else 'them'}), "
            f"so whether the change broke {'it' if len(unknown) == 1 else 'them'} is unknown: {first_ids(unknown)}.")


def _unknown_reason(unknown: list[str], errors: list[str], what: str) -> str:
    cause = _joined(errors) if errors else "the query for them failed"
    return f"{_plural(len(unknown), 'terminal')} could not be queried, so {what}: {first_ids(unknown)} (cause: {cause})."


def _baseline_problem(baseline: dict, terminals: dict, missing: set, unknown: set) -> str | None:
    """Why this baseline cannot vouch for anything (None when it can): a failed or empty precheck.

    ``precheck_passed`` is a strict boolean: the text "false", 0 or "off" never reads as a pass.
    """
    if "precheck_passed" in baseline and baseline["precheck_passed"] is not True:
        if baseline["precheck_passed"] is False:
            return ("The baseline was taken by a precheck that failed; "
                    "the precheck must pass before the change can be checked against its baseline.")
        return f"The baseline's precheck_passed is {baseline['precheck_passed']!r}, not true or false; run the precheck again."
    if not terminals and not missing and not unknown:
        return "The baseline holds no terminal; run the precheck again with the scope of the change."
    return None


def evaluate_precheck(result: object, required_eids=None, min_registered_ratio=0, checked_at: str | None = None) -> dict:
    """Decide whether the change may start, from the module result taken before it."""
    required = _required(required_eids)
    min_ratio = _number(min_registered_ratio, "aicc_gate_min_registered_ratio", 0, 1)
    state, errors = _current_state(result, required)
    terminals, missing, unknown_set = coerce_state(state, "current state")
    unknown = sorted(unknown_set)
    registered = sorted(eid for eid, rec in terminals.items() if rec["registered"] and eid not in unknown_set)
    not_registered = sorted(eid for eid, rec in terminals.items() if not rec["registered"] and eid not in unknown_set)
    known = len(registered) + len(not_registered)
    ratio = len(registered) / known if known else 0.0
    required_not_registered = [eid for eid in required if eid not in set(registered)]

    reasons = []
    general = []  # reasons that no single terminal carries
    if unknown:
        reasons.append(_unknown_reason(unknown, errors, "the baseline would be incomplete"))
    elif errors:
        general.append(f"The query failed, so no baseline could be taken: {_joined(errors)}.")
    elif not known:
        general.append("The scope matched no terminal on CC-CMS; check aicc_gate_eids and aicc_gate_eid_ranges.")
    if known and ratio < min_ratio:
        general.append(
            f"Only {ratio:.1%} of the {known} terminals found are registered ({len(registered)}), "
            f"below aicc_gate_min_registered_ratio {min_ratio:.1%}."
        )
    reasons += general
    if required_not_registered:
        reasons.append(
            f"{_plural(len(required_not_registered), 'required terminal')} not registered before the change: "
            f"{first_ids(required_not_registered)}."
        )

    counts = {
        "scope": known + len(set(missing) - unknown_set) + len(unknown),
        "registered": len(registered),
        "not_registered": len(not_registered),
        "missing": len(set(missing) - unknown_set),
        "unknown": len(unknown),
        "required_not_registered": len(required_not_registered),
    }
    passed = not reasons
    if passed:
        headline = f"Baseline taken: {len(registered)} of {known} terminals registered ({ratio:.1%}); the change may start."
    else:
        parts = [f"{len(unknown)} unknown"] if unknown else []
        if errors and not unknown:
            parts.append("the query failed")
        elif not known and not unknown:
            parts.append("the scope matched no terminal")
        if known and ratio < min_ratio:
            parts.append(f"{ratio:.1%} registered, below the {min_ratio:.1%} required")
        if required_not_registered:
            parts.append(f"{len(required_not_registered)} required not registered")
        headline = "Do not start the change: " + ", ".join(parts) + "."
    return _verdict(
        "pre", headline, reasons, general, errors, counts,
        registered_ratio=round(ratio, 4),
        min_registered_ratio=min_ratio,
        required_eids=required,
        checked_at=checked_at,
        registered=registered,
        not_registered=not_registered,
        missing=sorted(set(missing) - unknown_set),
        unknown=unknown,
        required_not_registered=required_not_registered,
        details={eid: {"category": "registered" if terminals[eid]["registered"] else "not registered",
                       "uaps": [{"uap": row.get("uap"), "before": None, "after": row.get("register_status")}
                                for row in terminals[eid].get("uaps") or () if isinstance(row, dict)]}
                 for eid in not_registered},
    )


def evaluate_postcheck(baseline: object, result: object, required_eids=None, max_regressions=0,
                       waited=None, checked_at: str | None = None, refused: str | None = None) -> dict:
    """Decide whether the change window may close, from the baseline and the final query.

    ``refused``: why the baseline must not be compared with (site, age, digest, scope...); the
    verdict then fails with that one sentence whatever the query says.
    """
    required = _required(required_eids)
    allowed = int(_number(max_regressions, "aicc_gate_max_regressions", 0, MAX_REGRESSIONS, whole=True))
    before, before_missing, before_unknown = coerce_state(baseline, "baseline")
    state, errors = _current_state(result, set(before) | before_missing | before_unknown | set(required))
    diff = registration_diff(baseline, state)
    now_registered = set(diff["unchanged_registered"]) | set(diff["recovered"]) | {
        eid for eid in diff["new"] if state["terminals"][eid]["registered"]}
    required_not_registered = [eid for eid in required if eid not in now_registered]
    counts = dict(diff["counts"], required_not_registered=len(required_not_registered))
    baseline_problem = refused or _baseline_problem(baseline, before, before_missing, before_unknown)

    general = [baseline_problem] if baseline_problem else []  # reasons that no single terminal carries
    reasons = []
    lost = diff["regressed"] + diff["missing"]
    if len(lost) > allowed:
        reasons.append(
            f"{_plural(len(lost), 'terminal')} registered or known before the change "
            f"{'is' if len(lost) == 1 else 'are'} not registered now ({len(diff['regressed'])} regressed, "
            f"{len(diff['missing'])} missing), more than the {allowed} allowed by aicc_gate_max_regressions: {first_ids(lost)}."
        )
    if required_not_registered:
        reasons.append(
            f"{_plural(len(required_not_registered), 'required terminal')} not registered after the change: "
            f"{first_ids(required_not_registered)}."
        )
    unknown_now = sorted(set(diff["unknown"]) & set(state.get("unknown") or ()))
    unknown_then_only = sorted(set(diff["unknown"]) - set(unknown_now))
    if unknown_now:
        them = "it" if len(unknown_now) == 1 else "them"
        reasons.append(_unknown_reason(unknown_now, errors, f"whether the change broke {them} is unknown"))
    if unknown_then_only:
        reasons.append(_baseline_unknown_reason(unknown_then_only))
    if errors and not unknown_now:
        general.append(f"A query failed, so the result is incomplete: {_joined(errors)}.")
    reasons = general + reasons

    passed = not reasons
    if passed:
        headline = (
            f"The window may close: {counts['registered_now']} terminals registered now; "
            f"{counts['unchanged_registered']} of {counts['registered_before']} registered before are registered again"
            f", {counts['recovered']} recovered, {counts['new']} new"
        )
        if lost:
            headline += f", {len(lost)} lost within the {allowed} allowed"
        headline += "."
    else:
        parts = [f"{counts[name]} {name.replace('_', ' ')}" for name in ("regressed", "missing", "unknown", "required_not_registered")
                 if counts[name]]
        if baseline_problem:
            # Nothing was compared: the fix is a usable baseline, not a roll-back.
            headline = "Do not close the window: " + baseline_problem[0].lower() + baseline_problem[1:]
        else:
            headline = "Do not close the window: " + (", ".join(parts) if parts else reasons[0].rstrip(".")) + "; roll back or fix."

    verdict = _verdict(
        "post", headline, reasons, general, errors, counts,
        max_regressions=allowed,
        required_eids=required,
        required_not_registered=required_not_registered,
        waited=waited,
        checked_at=checked_at,
        baseline_taken_at=baseline.get("taken_at") if isinstance(baseline.get("taken_at"), str) else None,
    )
    verdict.update({name: diff[name] for name in POST_LISTS if name in diff})
    verdict["details"] = diff["details"]
    verdict["by_uap"] = diff["by_uap"]
    return verdict


def _verdict(phase: str, headline: str, reasons: list, general: list, errors: list, counts: dict, **fields) -> dict:
    """The keys every verdict starts with; it passes when there is no reason to fail."""
    passed = not reasons
    return dict(phase=phase, passed=passed, verdict="PASS" if passed else "FAIL", headline=headline, reasons=reasons,
                general_reasons=general, errors=errors, counts=counts, **fields)


def summary_lines(verdict: dict) -> list[str]:
    """What the task output shows: the verdict, the counts, the first IDs of each list that matters."""
    lines = [f"{verdict['verdict']}: {verdict['headline']}"]
    if verdict["phase"] == "post":
        lines.append(f"baseline taken at {verdict.get('baseline_taken_at') or 'an unknown time'}, compared at {verdict.get('checked_at')}")
    lines.extend(f"- {reason}" for reason in verdict["reasons"])
    if verdict.get("waited"):
        lines.append(f"waited {verdict['waited']} s for the terminals registered before to register again")
    lines.append("counts: " + ", ".join(f"{name}={value}" for name, value in verdict["counts"].items()))
    names = PRE_LISTS[:4] if verdict["phase"] == "pre" else ("regressed", "missing", "unknown", "required_not_registered", "recovered")
    for name in names:
        if verdict.get(name):
            lines.append(f"{name}: {first_ids(verdict[name])}")
    return lines


def evaluate(current: object, phase: str, baseline: object = None, required_eids=None, max_regressions=0,
             min_registered_ratio=0, waited=None, checked_at: str | None = None, refused: str | None = None) -> dict:
    """One entry point for both phases; the verdict carries the lines the task output shows."""
    if phase == "pre":
        verdict = evaluate_precheck(current, required_eids, min_registered_ratio, checked_at)
    elif phase == "post":
        if baseline is None:
            raise OptionError("The postcheck needs the baseline taken by the precheck (aicc_gate_baseline).")
        verdict = evaluate_postcheck(baseline, current, required_eids, max_regressions, waited, checked_at, refused)
    else:
        raise OptionError(f"The gate phase must be 'pre' or 'post', not {phase!r}.")
    verdict["summary_lines"] = summary_lines(verdict)
    return verdict


# --- role variables --------------------------------------------------------------------------

SITE_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")
CONNECTION_KEYS = ("url", "access_key", "secret_key", "cc_id", "validate_certs", "ca_path", "timeout", "retries", "max_concurrency")
# Numeric variable (without the aicc_gate_ prefix) -> (minimum, maximum, whole number). Stated once here.
NUMBERS = {
    "min_registered_ratio": (0, 1, False),
    "max_regressions": (0, MAX_REGRESSIONS, True),
    "wait_timeout": (0, 86400, True),
    "wait_interval": (1, 3600, True),
    "max_baseline_age": (1, 366 * 86400, True),
    "stable_polls": (1, MAX_STABLE_POLLS, True),
}
DEFAULTS = {"min_registered_ratio": 0, "max_regressions": 0, "wait_timeout": 600, "wait_interval": 10, "max_baseline_age": 86400,
            "stable_polls": DEFAULT_STABLE_POLLS}
# Levels that are off when unset (None): (minimum, maximum, whole number).
OPTIONAL_NUMBERS = {
    "max_regressions_ratio": (0, 1, False),
    "warn_regressions": (0, MAX_REGRESSIONS, True),
    "warn_regressions_ratio": (0, 1, False),
}
FLAGS = {"warn_fails": False, "flapping_fails": True}


def _id_list(value, name: str) -> list[str]:
    """A list of equipment IDs or ranges: strings (YAML may give numbers), none empty."""
    if value is None:
        return []
    if isinstance(value, (str, bytes, dict)) or not isinstance(value, (list, tuple)):
        raise OptionError(f"{name} must be a list of equipment IDs or ranges (strings), not {value!r}.")
    items = []
    for item in value:
        if isinstance(item, bool) or not isinstance(item, (str, int)) or not str(item).strip():
            raise OptionError(f"{name} must be a list of non-empty equipment IDs or ranges (strings); {item!r} is not one.")
        items.append(str(item).strip())
    return items


def _path(value, name: str, required: bool) -> str | None:
    """A path; an optional one may be unset or empty (then its default applies)."""
    if not required and value in (None, ""):
        return None
    if not isinstance(value, str) or not value.strip():
        raise OptionError(f"{name} must be a path (a non-empty string), not {value!r}.")
    return value


def check_levels(levels: dict) -> None:
    """A warn level at or above its fail level could never warn: refuse it rather than ignore it."""
    for warn, fail in (("warn_regressions", "max_regressions"), ("warn_regressions_ratio", "max_regressions_ratio")):
        if levels.get(warn) is not None and levels.get(fail) is not None and levels[warn] >= levels[fail]:
            raise OptionError(f"aicc_gate_{warn} ({_shown(levels[warn])}) must be below aicc_gate_{fail} ({_shown(levels[fail])}), "
                              "or the gate fails before it could warn; lower it or raise the fail level.")


def _exclude_when(value) -> str | None:
    """The JMESPath expression of aicc_gate_exclude_when (None when unset)."""
    if value in (None, ""):
        return None
    if not isinstance(value, str) or not value.strip():
        raise OptionError(f"aicc_gate_exclude_when must be a JMESPath expression over a terminal record (a string), not {value!r}.")
    return value.strip()


def check_settings(values: dict) -> dict:
    """The role's variables (keys without the ``aicc_gate_`` prefix) checked and typed.

    Each problem is one sentence naming the variable and what it accepts; nothing is dropped silently.
    """
    settings = {}
    site = values.get("site")
    if not isinstance(site, str) or not SITE_PATTERN.match(site):
        raise OptionError(f"aicc_gate_site must be 1 to 100 letters, digits, '.', '_' or '-' (starting with a letter or digit), "
                          f"not {site!r}; it names the site's report folder.")
    settings["site"] = site
    for name in ("eids", "eid_ranges", "required_eids"):
        settings[name] = _id_list(values.get(name), "aicc_gate_" + name)
    for name, (minimum, maximum, whole) in NUMBERS.items():
        value = values.get(name)
        number = _number(DEFAULTS[name] if value is None else value, "aicc_gate_" + name, minimum, maximum, whole)
        settings[name] = int(number) if whole else number
    for name, (minimum, maximum, whole) in OPTIONAL_NUMBERS.items():
        value = values.get(name)
        if value in (None, ""):
            settings[name] = None
        else:
            number = _number(value, "aicc_gate_" + name, minimum, maximum, whole)
            settings[name] = int(number) if whole else number
    check_levels(settings)
    for name, default in FLAGS.items():
        settings[name] = _policy.flag(values.get(name), "aicc_gate_" + name, default)
    settings["uap_policy"] = _policy.uap_policy(values.get("uap_policy"))
    _policy.check_exceptions(values.get("exceptions"))
    settings["exceptions"] = list(values.get("exceptions") or [])
    settings["exclude_when"] = _exclude_when(values.get("exclude_when"))
    connection = values.get("connection")
    if connection is None:
        connection = {}
    if not isinstance(connection, dict):
        raise OptionError(f"aicc_gate_connection must be a dict of connection options ({', '.join(CONNECTION_KEYS)}), not {connection!r}.")
    unknown = sorted(str(key) for key in connection if key not in CONNECTION_KEYS)
    if unknown:
        raise OptionError(f"aicc_gate_connection has unknown keys {', '.join(unknown)}; it takes {', '.join(CONNECTION_KEYS)}.")
    settings["connection"] = dict(connection)
    settings["report_dir"] = _path(values.get("report_dir"), "aicc_gate_report_dir", True)
    settings["baseline_file"] = _path(values.get("baseline_file"), "aicc_gate_baseline_file", False)
    baseline = values.get("baseline")
    if baseline is not None and not isinstance(baseline, (dict, str)):
        raise OptionError(f"aicc_gate_baseline must be the baseline the precheck published (a dict or its JSON text), not {type(baseline).__name__}.")
    settings["baseline"] = baseline if baseline not in ("", {}) else None
    return settings
