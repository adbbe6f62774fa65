# Copyright (c) 2026 aicc.cms contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Gate reports from a verdict of ``verdict.evaluate``: HTML page, Markdown summary, JUnit XML, JSON.

Pure renderers. Every value that came from CC-CMS is escaped for the format it lands in.
"""

from __future__ import annotations

import html
import json
import re
from xml.sax.saxutils import escape as xml_escape
from xml.sax.saxutils import quoteattr

from ansible_collections.aicc.cms.plugins.module_utils._errors import OptionError, first_ids

FORMATS = ('html', 'markdown', 'junit', 'json')
TABLE_ROWS = 500  # per table in the HTML page; the JSON report has everything
PHASE_TITLES = {'pre': 'Precheck (before the change)', 'post': 'Postcheck (after the change)'}
# The lists shown as tables, in order, with why each row is there.
TABLES = {
    'pre': (
        ('required_not_registered', 'Required but not registered'),
        ('not_registered', 'Not registered'),
        ('missing', 'Unknown to CC-CMS (missing)'),
        ('unknown', 'Could not be queried (unknown)'),
    ),
    'post': (
        ('regressed', 'Regressed: registered before, not now'),
        ('missing', 'Missing: known before, absent now'),
        ('unknown', 'Unknown: could not be queried'),
        ('required_not_registered', 'Required but not registered'),
        ('recovered', 'Recovered: registered again or for the first time'),
        ('new', 'New since the baseline'),
    ),
}
# (JUnit outcome, message) per category; categories not listed pass.
POST_OUTCOMES = {
    'regressed': ('failure', 'registered before the change, not registered now'),
    'missing': ('failure', 'known before the change, absent from CC-CMS now'),
    'unknown': ('error', 'could not be queried: registration unknown'),
}


def _validate(verdict: object) -> dict:
    if not isinstance(verdict, dict) or verdict.get('phase') not in PHASE_TITLES or 'passed' not in verdict:
        raise OptionError(
            'A gate report needs the verdict of aicc.cms.registration_gate (aicc_gate_result), not another value.'
        )
    return verdict


def render(verdict: object, report_format: str) -> str:
    """Render one report; ``report_format`` is one of FORMATS."""
    renderers = {'html': render_html, 'markdown': render_markdown, 'junit': render_junit, 'json': render_json}
    if report_format not in renderers:
        raise OptionError(f'Unknown report format {report_format!r}; use one of {", ".join(FORMATS)}.')
    return renderers[report_format](_validate(verdict))


def render_json(verdict: dict) -> str:
    return json.dumps(verdict, indent=2, sort_keys=True) + '\n'


# --- HTML ------------------------------------------------------------------------------------

_STYLE = """
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;margin:0;color:#1d1d1d;background:#fafafa}
main{max-width:1100px;margin:0 auto;padding:1rem 1.5rem}
.banner{padding:1.2rem 1.5rem;color:#fff;font-size:1.1rem}
.banner h1{margin:0 0 .3rem;font-size:2rem;letter-spacing:.05em}
.pass{background:#1b7f3b}.fail{background:#b3261e}.warn{background:#8a5a00}
.reasons li{margin:.3rem 0}
table{border-collapse:collapse;margin:.5rem 0 1.5rem;background:#fff}
th,td{border:1px solid #ccc;padding:.3rem .6rem;text-align:left;vertical-align:top}
th{background:#eee}
.counts td:last-child{text-align:right;font-variant-numeric:tabular-nums}
.bad{color:#b3261e;font-weight:600}.good{color:#1b7f3b;font-weight:600}.warning{color:#8a5a00;font-weight:600}
.meta{color:#555;font-size:.9rem}
"""


def _esc(value: object) -> str:
    return html.escape('' if value is None else str(value), quote=True)


MEANINGS = {
    ('pre', True): 'the change may start',
    ('pre', False): 'do not start the change',
    ('post', True): 'the window may close',
    ('post', False): 'do not close the window: roll back or fix',
}


def meaning(verdict: dict) -> str:
    """The verdict in the words of its phase."""
    words = MEANINGS[(verdict['phase'], bool(verdict['passed']))]
    return words + ', with a warning' if is_warned(verdict) else words


def is_warned(verdict: dict) -> bool:
    """A pass with a crossed warn level: marked as WARN in every format."""
    return bool(verdict.get('passed')) and bool(verdict.get('warned'))


def word(verdict: dict) -> str:
    return 'FAIL' if not verdict['passed'] else 'WARN' if is_warned(verdict) else 'PASS'


def _percent(value) -> str:
    return '-' if value is None else f'{float(value):.1%}'


def policy_lines(verdict: dict) -> list[tuple[str, str]]:
    """(label, value) of the gate policy the verdict was decided with (postcheck levels and rules)."""
    lines = []
    if verdict['phase'] == 'post':
        lines += [
            ('fail above regressions', str(verdict.get('max_regressions', 0))),
            ('fail above regression ratio', _percent(verdict.get('max_regressions_ratio'))),
            (
                'warn above regressions',
                '-' if verdict.get('warn_regressions') is None else str(verdict['warn_regressions']),
            ),
            ('warn above regression ratio', _percent(verdict.get('warn_regressions_ratio'))),
            ('a warning fails', 'yes' if verdict.get('warn_fails') else 'no'),
            ('regression ratio (regressions / registered before)', _percent(verdict.get('regression_ratio'))),
            ('UAP policy', str(verdict.get('uap_policy') or 'any')),
            ('stable polls', str(verdict.get('stable_polls') or 1)),
            ('flapping fails', 'no' if verdict.get('flapping_fails') is False else 'yes'),
        ]
    if verdict.get('exclude_when'):
        lines.append(('exclude when', str(verdict['exclude_when'])))
    return lines


# Sections of the policy, in order: (key, title, css class, columns, row of one equipment ID).
def _policy_rows(verdict: dict) -> list[tuple[str, str, str, tuple, list]]:
    details = verdict.get('details') or {}
    exceptions = verdict.get('exceptions') or {}
    history = verdict.get('history') or {}
    moves = verdict.get('moves') or {}
    policy_regressed = [eid for eid in verdict.get('regressed') or () if (details.get(eid) or {}).get('why')]
    return [
        (
            'policy_regressed',
            'Regressed by the UAP or stability policy',
            'bad',
            ('Equipment ID', 'Why'),
            [(eid, details[eid]['why']) for eid in policy_regressed],
        ),
        (
            'flapping',
            'Flapping: registered, then not, while waiting',
            'bad' if verdict.get('flapping_fails', True) else 'warning',
            ('Equipment ID', 'State per poll'),
            [(eid, ' > '.join(history.get(eid) or ['-'])) for eid in verdict.get('flapping') or ()],
        ),
        (
            'moved',
            'Moved between UAPs',
            'warning',
            ('Equipment ID', 'Move'),
            [(eid, moves.get(eid, '-')) for eid in verdict.get('moved') or ()],
        ),
        (
            'excepted',
            'Under an exception (not counted)',
            'warning',
            ('Equipment ID', 'State', 'Exception', 'Reason', 'Until'),
            [
                (
                    eid,
                    (exceptions.get(eid) or {}).get('category', '-'),
                    (
                        f'{(exceptions.get(eid) or {}).get("exception", "-")} '
                        f'({(exceptions.get(eid) or {}).get("rule", "-")})'
                    ),
                    (exceptions.get(eid) or {}).get('reason', '-'),
                    (exceptions.get(eid) or {}).get('until', '-'),
                )
                for eid in verdict.get('excepted') or ()
            ],
        ),
        (
            'excluded',
            'Excluded by exclude_when (not in the verdict)',
            'warning',
            ('Equipment ID',),
            [(eid,) for eid in verdict.get('excluded') or ()],
        ),
    ]


def blast_rows(verdict: dict) -> list[tuple[str, str, list]]:
    """(key, title, groups) of the blast radius: regressions by UAP and by ID block, largest first."""
    radius = verdict.get('blast_radius') or {}
    return [
        ('by_uap', 'Blast radius by UAP', radius.get('by_uap') or []),
        ('by_block', 'Blast radius by ID block', radius.get('by_block') or []),
    ]


def next_step(verdict: dict) -> str:
    """What the reader does next, with the exact command where there is one."""
    command = verdict.get('next_step')
    if verdict['phase'] == 'pre':
        if verdict['passed']:
            return 'Run the change, then the postcheck' + (f': {command}' if command else '.')
        return 'Do not start the change. Fix the cause above, then run the precheck again.'
    if verdict['passed']:
        return 'Close the window.'
    return 'Roll back or fix the change, then re-run the postcheck' + (f': {command}' if command else '.')


def context_lines(verdict: dict) -> list[tuple[str, str]]:
    """(label, value) of what the verdict is about: site, address, call center, scope."""
    lines = []
    for label, key in (('site', 'site'), ('CC-CMS address', 'address'), ('ccId', 'cc_id')):
        if key in verdict:
            lines.append((label, '-' if verdict[key] is None else str(verdict[key])))
    scope = verdict.get('scope')
    if isinstance(scope, dict):
        parts = [
            f'eids {first_ids(scope.get("eids") or [], 10)}' if scope.get('eids') else '',
            f'eid_ranges {first_ids(scope.get("eid_ranges") or [], 10)}' if scope.get('eid_ranges') else '',
        ]
        lines.append(('scope', '; '.join(part for part in parts if part) or '-'))
    if verdict.get('check_mode'):
        lines.append(('check mode', 'yes: no baseline was written'))
    return lines


def _current_cell(rows: list) -> str:
    parts = [
        f'{_esc(row.get("uap"))}: {_esc(row.get("register_status"))}, socket {_esc(row.get("socket_status"))}, '
        f'{_esc(row.get("ip_and_port") or "-")}'
        for row in rows or ()
    ]
    return '<br>'.join(parts) or '-'


def _uap_cell(uaps: list, phase: str) -> str:
    parts = []
    for row in uaps or ():
        if phase == 'pre':
            parts.append(f'{_esc(row.get("uap"))}: {_esc(row.get("after"))}')
        else:
            parts.append(
                f'{_esc(row.get("uap"))}: {_esc(row.get("before") or "-")} &rarr; {_esc(row.get("after") or "-")}'
            )
    return '<br>'.join(parts) or '-'


def _html_table(verdict: dict, name: str, title: str) -> str:
    ids = verdict.get(name) or []
    if not ids:
        return ''
    details = verdict.get('details') or {}
    current = verdict.get('current_uaps') or {}
    is_bad = name in ('regressed', 'missing', 'unknown', 'required_not_registered') or verdict['phase'] == 'pre'
    rows = []
    for eid in ids[:TABLE_ROWS]:
        detail = details.get(eid, {})
        state = detail.get('after') if verdict['phase'] == 'post' else detail.get('category', name.replace('_', ' '))
        if detail.get('why'):
            state = f'{state} ({detail["why"]})'
        rows.append(
            f'<tr><td>{_esc(eid)}</td><td>{_esc(detail.get("before", "-") if verdict["phase"] == "post" else "-")}</td>'
            f'<td>{_esc(state or name.replace("_", " "))}</td><td>{_uap_cell(detail.get("uaps"), verdict["phase"])}</td>'
            f'<td>{_current_cell(current.get(eid))}</td></tr>'
        )
    more = f'<p class="meta">{len(ids) - TABLE_ROWS} more in the JSON report.</p>' if len(ids) > TABLE_ROWS else ''
    css = 'bad' if is_bad else 'good'
    return (
        f'<h2 id="{_esc(name)}" class="{css}">{_esc(title)} ({len(ids)})</h2>\n'
        '<table><thead><tr><th>Equipment ID</th><th>Before</th><th>Now</th><th>Per UAP (register status)</th>'
        '<th>UAP rows now (register, socket, IP)</th></tr></thead>\n'
        f'<tbody>{"".join(rows)}</tbody></table>{more}\n'
    )


def _html_policy(verdict: dict) -> str:
    parts = []
    settings = ''.join(
        f'<tr><th>{_esc(label)}</th><td>{_esc(value)}</td></tr>' for label, value in policy_lines(verdict)
    )
    if settings:
        parts.append(f'<h2 id="policy">Gate policy</h2><table class="policy">{settings}</table>')
    for key, title, groups in blast_rows(verdict):
        if groups:
            name = 'UAP' if key == 'by_uap' else 'ID block'
            rows = ''.join(
                f'<tr><td>{_esc(group.get("uap", group.get("block")))}</td><td>{_esc(group["regressed"])}</td>'
                f'<td>{_esc(group["registered_before"])}</td><td>{_esc(group["registered_now"])}</td>'
                f'<td>{_esc(first_ids(group["regressions"], 10))}</td></tr>'
                for group in groups[:TABLE_ROWS]
            )
            parts.append(
                f'<h2 id="blast_{key}" class="bad">{_esc(title)}'
                f' ({len(groups)})</h2><table><thead><tr><th>{name}</th><th>regressions</th><th>registered'
                f' before</th><th>registered now</th><th>first IDs</th></tr></thead><tbody>{rows}</tbody></table>'
            )
    for key, title, css, columns, rows in _policy_rows(verdict):
        if rows:
            head = ''.join(f'<th>{_esc(column)}</th>' for column in columns)
            body = ''.join(
                '<tr>' + ''.join(f'<td>{_esc(cell)}</td>' for cell in row) + '</tr>' for row in rows[:TABLE_ROWS]
            )
            more = (
                f'<p class="meta">{len(rows) - TABLE_ROWS} more in the JSON report.</p>'
                if len(rows) > TABLE_ROWS
                else ''
            )
            parts.append(
                f'<h2 id="{key}" class="{css}">{_esc(title)} ({len(rows)})</h2>'
                f'<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>{more}'
            )
    return '\n'.join(parts) + ('\n' if parts else '')


def render_html(verdict: dict) -> str:
    passed = verdict['passed']
    words = word(verdict)
    words_of_phase = meaning(verdict)
    banner = 'fail' if not passed else 'warn' if words == 'WARN' else 'pass'
    context = ''.join(
        f'<tr><th>{_esc(label)}</th><td>{_esc(value)}</td></tr>' for label, value in context_lines(verdict)
    )
    uap_summary = verdict.get('uap_summary') or {}
    uap_rows = ''.join(
        f'<tr><td>{_esc(uap)}</td><td>{_esc(numbers.get("registered", 0))}</td>'
        f'<td>{_esc(numbers.get("not_registered", 0))}</td></tr>'
        for uap, numbers in sorted(uap_summary.items())
    )
    uap_table = (
        '<h2>Per UAP</h2><table class="counts"><thead><tr><th>UAP</th><th>registered</th><th>not registered</th></tr>'
        f'</thead><tbody>{uap_rows}</tbody></table>'
        if uap_rows
        else ''
    )
    reasons = ''.join(f'<li>{_esc(reason)}</li>' for reason in verdict.get('reasons') or ())
    warnings = ''.join(f'<li>{_esc(warning)}</li>' for warning in verdict.get('warnings') or ())
    counts = ''.join(
        f'<tr><td>{_esc(name.replace("_", " "))}</td><td>{_esc(value)}</td></tr>'
        for name, value in verdict['counts'].items()
    )
    meta = [f'checked at {_esc(verdict.get("checked_at") or "unknown time")}']
    if verdict['phase'] == 'post':
        meta.append(f'<strong>baseline taken at {_esc(verdict.get("baseline_taken_at") or "an unknown time")}</strong>')
    if verdict.get('waited'):
        meta.append(f'waited {_esc(verdict["waited"])} s for re-registration')
    if verdict.get('required_eids'):
        meta.append(f'required: {_esc(first_ids(verdict["required_eids"]))}')
    footer = ' &middot; '.join(['AICC terminal registration gate', _esc(PHASE_TITLES[verdict['phase']])] + meta)
    tables = ''.join(_html_table(verdict, name, title) for name, title in TABLES[verdict['phase']])
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{words}: AICC registration gate, {_esc(PHASE_TITLES[verdict['phase']])}</title>
<style>{_STYLE}</style></head>
<body>
<div id="verdict" class="banner {banner}" role="status" data-verdict="{words}">
<h1>{words} &mdash; {_esc(words_of_phase)}</h1>
<div>{_esc(verdict['headline'])}</div>
</div>
<main>
<table class="context">{context}</table>
<h2>Next</h2><p id="next">{_esc(next_step(verdict))}</p>
<p class="meta">{footer}</p>
{f'<h2>Why</h2><ul class="reasons">{reasons}</ul>' if reasons else ''}
{f'<h2 id="warnings" class="warning">Warnings</h2><ul class="reasons">{warnings}</ul>' if warnings else ''}
<h2>Counts</h2>
<table class="counts"><tbody>{counts}</tbody></table>
{uap_table}
{_html_policy(verdict)}{tables}</main>
</body></html>
"""


# --- Markdown --------------------------------------------------------------------------------

_MD_SPECIAL = re.compile(r'([\\`*_{}\[\]()<>#+!|~-])')


def _md(value: object) -> str:
    text = ' '.join(('' if value is None else str(value)).split())
    return _MD_SPECIAL.sub(r'\\\1', text).replace('&', '&amp;')


def render_markdown(verdict: dict) -> str:
    icon = {'PASS': 'PASS ✅', 'WARN': 'WARN ⚠️', 'FAIL': 'FAIL ❌'}[word(verdict)]
    checked = f'_Checked at {_md(verdict.get("checked_at") or "unknown time")}'
    if verdict['phase'] == 'post':
        checked += f', against the baseline taken at {_md(verdict.get("baseline_taken_at") or "an unknown time")}'
    lines = [f'# {icon} AICC registration gate: {_md(PHASE_TITLES[verdict["phase"]])}: {_md(meaning(verdict))}', '']
    lines += [f'- {_md(label)}: {_md(value)}' for label, value in context_lines(verdict)]
    lines += ['', f'**{_md(verdict["headline"])}**', '', checked + '._', '', f'Next: {_md(next_step(verdict))}', '']
    if verdict.get('reasons'):
        lines += ['## Why', ''] + [f'- {_md(reason)}' for reason in verdict['reasons']] + ['']
    if verdict.get('warnings'):
        lines += ['## Warnings', ''] + [f'- {_md(warning)}' for warning in verdict['warnings']] + ['']
    lines += ['## Counts', '', '| count | value |', '|---|---:|']
    lines += [f'| {_md(name.replace("_", " "))} | {_md(value)} |' for name, value in verdict['counts'].items()]
    lines.append('')
    if policy_lines(verdict):
        lines += ['## Gate policy', '', '| setting | value |', '|---|---|']
        lines += [f'| {_md(label)} | {_md(value)} |' for label, value in policy_lines(verdict)] + ['']
    for key, title, groups in blast_rows(verdict):
        if groups:
            name = 'UAP' if key == 'by_uap' else 'ID block'
            lines += [
                f'## {_md(title)} ({len(groups)})',
                '',
                f'| {name} | regressions | registered before | registered now |',
                '|---|---:|---:|---:|',
            ]
            lines += [
                f'| {_md(group.get("uap", group.get("block")))} | {group["regressed"]} | {group["registered_before"]} |'
                f' {group["registered_now"]} |'
                for group in groups[:TABLE_ROWS]
            ] + ['']
    for _key, title, _css, columns, rows in _policy_rows(verdict):
        if rows:
            lines += [
                f'## {_md(title)} ({len(rows)})',
                '',
                '| ' + ' | '.join(_md(column) for column in columns) + ' |',
                '|' + '---|' * len(columns),
            ]
            lines += ['| ' + ' | '.join(_md(cell) for cell in row) + ' |' for row in rows[:TABLE_ROWS]] + ['']
    for name, title in TABLES[verdict['phase']]:
        if verdict.get(name):
            lines += [f'## {_md(title)} ({len(verdict[name])})', '', _md(first_ids(verdict[name], 50)), '']
    return '\n'.join(lines) + '\n'


# --- JUnit -----------------------------------------------------------------------------------


def _outcomes(verdict: dict) -> list[tuple[str, str | None, str]]:
    """(equipment ID, None/'failure'/'error', message) per terminal in scope."""
    cases: dict[str, tuple[str | None, str]] = {}
    if verdict['phase'] == 'post':
        for category in (
            'unchanged_registered',
            'recovered',
            'new',
            'still_unregistered',
            'still_missing',
            'regressed',
            'missing',
            'unknown',
        ):
            outcome, message = POST_OUTCOMES.get(category, (None, category.replace('_', ' ')))
            for eid in verdict.get(category) or ():
                cases[eid] = (outcome, message)
    else:
        for category in ('registered', 'not_registered', 'missing'):
            for eid in verdict.get(category) or ():
                cases[eid] = (None, category.replace('_', ' '))
        for eid in verdict.get('unknown') or ():
            cases[eid] = ('error', 'could not be queried: registration unknown')
    details = verdict.get('details') or {}
    for eid in verdict.get('regressed') or ():
        if (details.get(eid) or {}).get('why'):
            cases[eid] = ('failure', f'regressed: {details[eid]["why"]}')
    for eid in verdict.get('flapping') or ():
        if verdict.get('flapping_fails', True) and eid not in (verdict.get('exceptions') or {}):
            cases[eid] = ('failure', 'flapping: registered, then not registered, while waiting')
    for eid, note in (verdict.get('exceptions') or {}).items():
        if cases.get(eid, (None,))[0] != 'error':
            cases[eid] = ('skipped', f'under {note.get("exception")} until {note.get("until")}: {note.get("reason")}')
    for eid in verdict.get('excluded') or ():
        cases[eid] = ('skipped', 'excluded by aicc_gate_exclude_when')
    for eid in verdict.get('required_not_registered') or ():
        if cases.get(eid, (None,))[0] in (None, 'skipped'):
            cases[eid] = ('failure', 'required terminal not registered')
    return [(eid, *cases[eid]) for eid in sorted(cases)]


def render_junit(verdict: dict) -> str:
    suite = f'aicc.cms.registration_gate.{verdict["phase"]}'
    cases = _outcomes(verdict)
    body = []
    for eid, outcome, message in cases:
        if outcome == 'skipped':
            inner = f'<skipped message={quoteattr(message)}/>'
        else:
            inner = (
                f'<{outcome} message={quoteattr(message)} type={quoteattr(outcome)}/>'
                if outcome
                else f'<system-out>{xml_escape(message)}</system-out>'
            )
        body.append(f'    <testcase classname={quoteattr(suite)} name={quoteattr(str(eid))}>{inner}</testcase>')
    # Gate-level conditions that no terminal carries (ratio, failed query, empty scope) get their own case; so do warnings.
    gate_reasons = list(verdict.get('general_reasons') or ())
    warnings = list(verdict.get('warnings') or ())
    if gate_reasons or warnings or not cases:
        inner = ''.join(f'<failure message={quoteattr(reason)} type="failure"/>' for reason in gate_reasons[:1])
        if warnings:
            inner += f'<system-out>{xml_escape(word(verdict) + ": " + " ".join(warnings))}</system-out>'
        body.append(f'    <testcase classname={quoteattr(suite)} name="gate">{inner}</testcase>')
    failures = sum(1 for _eid, outcome, _m in cases if outcome == 'failure') + (1 if gate_reasons else 0)
    errors = sum(1 for _eid, outcome, _m in cases if outcome == 'error')
    skipped = sum(1 for _eid, outcome, _m in cases if outcome == 'skipped')
    total = len(body)
    blocks, block_failures = _junit_blocks(verdict, suite)
    stamp = quoteattr(str(verdict.get('checked_at') or ''))
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="aicc.cms registration gate"'
        f' tests="{total + len(blocks)}" failures="{failures + block_failures}" errors="{errors}">\n  <testsuite'
        f' name={quoteattr(suite)} tests="{total}" failures="{failures}" errors="{errors}" skipped="{skipped}"'
        f' timestamp={stamp}>\n    <properties><property name="verdict"'
        f' value={quoteattr(word(verdict))}/></properties>\n'
        + '\n'.join(body)
        + '\n  </testsuite>\n'
        + (
            f'  <testsuite name={quoteattr(suite + ".blocks")} tests="{len(blocks)}" failures="{block_failures}"'
            f' errors="0" skipped="0" timestamp={stamp}>\n' + '\n'.join(blocks) + '\n  </testsuite>\n'
            if blocks
            else ''
        )
        + '</testsuites>\n'
    )


def _junit_blocks(verdict: dict, suite: str) -> tuple[list[str], int]:
    """One case per ID block with regressions (the blast radius, largest first), in a suite of its own;
    a block fails when the gate does."""
    cases = []
    for group in (verdict.get('blast_radius') or {}).get('by_block') or ():
        message = (
            f'{group["regressed"]} regressed in block {group["block"]} ({group["registered_before"]} registered before,'
            f' {group["registered_now"]} now): {first_ids(group["regressions"], 10)}'
        )
        inner = (
            f'<failure message={quoteattr(message)} type="failure"/>'
            if not verdict['passed']
            else f'<system-out>{xml_escape(message)}</system-out>'
        )
        cases.append(
            f'    <testcase classname={quoteattr(suite + ".blocks")}'
            f' name={quoteattr(group["block"])}>{inner}</testcase>'
        )
    return cases, 0 if verdict['passed'] else len(cases)


# --- fleet summary ---------------------------------------------------------------------------


def render_fleet_text(phase: str, sites: list, checked_at: str) -> str:
    """One line per site: verdict, site, headline, report."""
    failed = [entry['site'] for entry in sites if not entry['passed']]
    warned = [entry['site'] for entry in sites if entry['passed'] and entry.get('warned')]
    head = (
        f'{len(failed)} of {len(sites)} sites failed the {phase}check: {", ".join(failed)}'
        if failed
        else f'all {len(sites)} sites passed the {phase}check'
    )
    if warned:
        head += f'; {len(warned)} with a warning: {", ".join(warned)}'
    lines = [f'AICC registration gate, {phase}check, {checked_at}: {head}']
    lines += [
        f'{entry["verdict"]} {entry["site"]}: {entry["headline"]}'
        + (f' ({entry["report"]})' if entry.get('report') else '')
        for entry in sites
    ]
    return '\n'.join(lines) + '\n'


def render_fleet_html(phase: str, sites: list, checked_at: str, folder: str) -> str:
    """One page with every site's verdict, linking each site's report (relative to the page's folder)."""
    import os.path  # only here: the rest of the module renders without the file system

    failed = [entry for entry in sites if not entry['passed']]
    rows = []
    for entry in sites:
        link = '-'
        if entry.get('report'):
            target = os.path.relpath(entry['report'], folder)
            link = f'<a href="{_esc(target)}">report</a>'
        css = 'bad' if not entry['passed'] else 'warning' if entry.get('warned') else 'good'
        rows.append(
            f'<tr><td class="{css}">{_esc(entry["verdict"])}</td><td>{_esc(entry["site"])}</td>'
            f'<td>{_esc(entry.get("address") or "-")}</td><td>{_esc(entry["headline"])}</td><td>{link}</td></tr>'
        )
    warned = [entry for entry in sites if entry['passed'] and entry.get('warned')]
    words = 'FAIL' if failed else 'WARN' if warned else 'PASS'
    title = (
        f'{len(failed)} of {len(sites)} sites failed: {", ".join(entry["site"] for entry in failed)}'
        if failed
        else f'all {len(sites)} sites passed'
    )
    if warned:
        title += f', {len(warned)} with a warning: {", ".join(entry["site"] for entry in warned)}'
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>{words}: AICC registration gate, {_esc(phase)}check of {len(sites)} sites</title>
<style>{_STYLE}</style></head>
<body>
<div id="verdict" class="banner {'fail' if failed else 'warn' if warned else 'pass'}" role="status" data-verdict="{words}">
<h1>{words} &mdash; {_esc(title)}</h1>
<div>{_esc(PHASE_TITLES[phase])}, {_esc(checked_at)}</div>
</div>
<main>
<table><thead><tr><th>Verdict</th><th>Site</th><th>CC-CMS</th><th>Headline</th><th>Report</th></tr></thead>
<tbody>{''.join(rows)}</tbody></table>
</main>
</body></html>
"""
