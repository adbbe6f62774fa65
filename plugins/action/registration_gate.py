# Copyright (c) 2026 aicc.cms contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Controller side of aicc.cms.registration_gate: one call per site and phase (see the module's DOCUMENTATION).

It queries CC-CMS in this process through the core, reads or writes the site's baseline, decides
with _gate.verdict, writes the reports with _gate.report and returns a small result: verdict, counts, paths.
Nothing of the size of the scope passes through Ansible's templating.
"""

from __future__ import annotations

import functools
import json
import os
import re
import shlex
import typing as t
from datetime import UTC, datetime

from ansible.errors import AnsibleActionFail
from ansible.module_utils.errors import AnsibleFallbackNotFound
from ansible.plugins.action import ActionBase
from ansible_collections.aicc.cms.plugins.module_utils._errors import AiccError, OptionError
from ansible_collections.aicc.cms.plugins.module_utils._gate import baseline as _baseline
from ansible_collections.aicc.cms.plugins.module_utils._gate import policy as _policy
from ansible_collections.aicc.cms.plugins.module_utils._gate.report import render, render_fleet_html, render_fleet_text
from ansible_collections.aicc.cms.plugins.module_utils._gate.verdict import (
    SETTING_NAMES,
    check_settings,
    evaluate,
    summary_lines,
)
from ansible_collections.aicc.cms.plugins.module_utils._options import (
    CONNECTION_SPEC,
    MODULE_SPEC,
    client_from_params,
    error_message,
    plan_from_params,
    validate_params,
)
from ansible_collections.aicc.cms.plugins.module_utils._query.engine import query_status, wait_for_registered
from ansible_collections.aicc.cms.plugins.module_utils._query.normalizer import summarize
from ansible_collections.aicc.cms.plugins.module_utils._query.planner import (
    Plan,
    Query,
    is_plannable_id,
    plan_queries,
    wildcards_per_block,
)

MODULE = 'aicc.cms.aicc_terminal_status'  # whose module_defaults (and group aicc.cms.aicc) the gate honours
REPORT_FORMATS = (('html', 'html'), ('markdown', 'md'), ('junit', 'xml'), ('json', 'json'))
FACT_OF_PHASE = {'pre': 'aicc_gate_precheck', 'post': 'aicc_gate_result'}


def _plain(value: t.Any) -> t.Any:
    """Plain dict/list/str: templated values may be lazy or tagged containers."""
    if isinstance(value, str):
        return str.__str__(value)
    if isinstance(value, t.Mapping):
        return {_plain(key): _plain(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(item) for item in value]
    return value


def _now() -> datetime:
    return datetime.now(UTC)


def _stamp(moment: datetime) -> str:
    return moment.strftime('%Y%m%dT%H%M%SZ')


def _collection_version() -> str:
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    try:
        with open(os.path.join(root, 'MANIFEST.json'), encoding='utf-8') as handle:
            return str(json.load(handle)['collection_info']['version'])
    except (OSError, ValueError, KeyError, TypeError):
        pass
    try:
        with open(os.path.join(root, 'galaxy.yml'), encoding='utf-8') as handle:
            match = re.search(r'^version:\s*["\']?([^"\'\s]+)', handle.read(), re.MULTILINE)
            return match.group(1) if match else 'unknown'
    except OSError:
        return 'unknown'


def _write_atomically(path: str, text: str, mode: int = 0o644) -> None:
    folder = os.path.dirname(path) or '.'
    os.makedirs(folder, exist_ok=True)
    partial = f'{path}.{os.getpid()}.partial'
    with open(partial, 'w', encoding='utf-8') as handle:
        handle.write(text)
    os.chmod(partial, mode)
    os.replace(partial, path)


def _run_stamp(folder: str, stem: str, moment: datetime) -> str:
    """A per-run name that no earlier run of the same second took."""
    base = f'{stem}_{_stamp(moment)}'
    candidate, number = base, 1
    while os.path.exists(os.path.join(folder, candidate + '.json')):
        number += 1
        candidate = f'{base}-{number}'
    return candidate


def write_reports(folder: str, stem: str, verdict: dict, moment: datetime) -> dict:
    """Every format of one verdict, kept per run (timestamped) and as the stable latest name."""
    run_name = _run_stamp(folder, stem, moment)
    paths = {}
    for report_format, extension in REPORT_FORMATS:
        text = render(verdict, report_format)
        _write_atomically(os.path.join(folder, f'{run_name}.{extension}'), text)
        latest = os.path.join(folder, f'{stem}.{extension}')
        _write_atomically(latest, text)
        paths[report_format] = latest
    paths['run'] = os.path.join(folder, run_name + '.html')
    return paths


def _merge_wait(scope_result: dict, wait_result: dict, waited_ids: t.Collection[str]) -> dict:
    """The scope's answer with the waited terminals' final state in place of their first one."""
    waited_ids = set(waited_ids)
    terminals = {eid: record for eid, record in scope_result['terminals'].items() if eid not in waited_ids}
    terminals.update(wait_result['terminals'])
    missing = (set(scope_result['missing']) - waited_ids) | set(wait_result['missing'])
    unknown = (set(scope_result['unknown']) - waited_ids) | set(wait_result['unknown'])
    # The scope's query errors stand while a terminal they left unknown is still unknown.
    errors = list(wait_result['errors']) + (list(scope_result['errors']) if unknown else [])
    return dict(
        scope_result,
        terminals=dict(sorted(terminals.items())),
        missing=sorted(missing - set(terminals)),
        unknown=sorted(unknown - set(terminals)),
        errors=errors,
    )


def _exact_plan(eids: t.Iterable[str], params: dict) -> Plan:
    """Queries for exact IDs CC-CMS returned (as the core's wait does for IDs the planner refuses as input)."""
    eids = sorted(set(eids))
    plan = plan_queries(
        eids=[eid for eid in eids if is_plannable_id(eid)],
        max_matches_per_query=params['max_matches_per_query'],
        max_range_size=params['max_range_size'],
    )
    as_they_are = tuple(Query(eid, frozenset([eid])) for eid in eids if not is_plannable_id(eid))
    return Plan(tuple(sorted(plan.queries + as_they_are)), ())


def _wanted(scope: dict, params: dict) -> frozenset[str] | None:
    """The exact IDs a scope selects, or None when a pattern leaves it open."""
    plan = plan_from_params(dict(params, eids=scope['eids'], eid_ranges=scope['eid_ranges']))
    return None if plan.patterns else plan.wanted_ids


class ActionModule(ActionBase):
    """See plugins/modules/registration_gate.py."""

    TRANSFERS_FILES = False
    _supports_check_mode = True
    _supports_async = False

    def _module_defaults(self) -> dict:
        """module_defaults of aicc.cms.aicc_terminal_status and its group, as the module would get them."""
        try:
            from ansible.executor.module_common import _apply_action_arg_defaults  # ansible-core 2.19+

            defaults = _apply_action_arg_defaults(MODULE, self._task, {}, self._templar)
        except ImportError:
            from ansible.executor.module_common import (
                get_action_args_with_defaults,
            )  # pylint: disable=no-name-in-module

            defaults = get_action_args_with_defaults(
                MODULE,
                {},
                self._task.module_defaults,
                self._templar,
                action_groups=self._task._parent._play._action_groups,
            )
        return {name: value for name, value in _plain(defaults).items() if name in CONNECTION_SPEC}

    def _connection_params(self, given: dict) -> dict:
        """aicc_gate_connection over module_defaults over AICC_* (empty counts as unset), validated as the module does."""
        params = self._module_defaults()
        params.update({name: value for name, value in given.items() if value is not None and value != ''})
        for name, spec in CONNECTION_SPEC.items():
            fallback = spec.get('fallback')
            if params.get(name) in (None, '') and fallback:
                try:
                    params[name] = fallback[0](*fallback[1])
                except AnsibleFallbackNotFound:
                    params.pop(name, None)
        return params  # validated with the module's spec (and its number screening) by the caller

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        task_vars = task_vars or {}
        args = _plain(dict(self._task.args))
        phase = args.get('phase')
        if phase == 'fleet':
            result.update(self._fleet(args, task_vars))
            return result
        if phase not in ('pre', 'post'):
            raise AnsibleActionFail(f"registration_gate: phase must be 'pre', 'post' or 'fleet', not {phase!r}.")
        unknown = sorted(set(args) - set(SETTING_NAMES) - {'phase'})
        if unknown:
            raise AnsibleActionFail(
                f'registration_gate: unknown options {", ".join(unknown)}; valid options are phase,'
                f' {", ".join(SETTING_NAMES)}.'
            )
        secret = None
        try:
            settings = check_settings(args)
            connection = self._connection_params(settings['connection'])
            secret = connection.get('secret_key')
            outcome = self._gate(phase, settings, connection, task_vars)
        except AiccError as error:
            raise AnsibleActionFail(f'registration_gate: {error_message(error, secret)}') from None
        result.update(outcome)
        return result

    # -- one site ------------------------------------------------------------------------------------------------

    def _gate(self, phase: str, settings: dict, connection: dict, task_vars: dict) -> dict:
        site = settings['site']
        folder = os.path.join(settings['report_dir'], site)
        baseline_file = settings['baseline_file'] or os.path.join(folder, 'aicc_gate_baseline.json')
        moment = _now()
        checked_at = moment.strftime('%Y-%m-%dT%H:%M:%SZ')
        secret = connection.get('secret_key')
        key = _baseline.derive_key(secret) if isinstance(secret, str) and secret else None
        client_problem = ''
        try:
            params = validate_params(dict(connection, eids=['0']), MODULE_SPEC)  # eids: any, the scope comes below
            params.pop('eids')
            client = client_from_params(params)
        except AiccError as error:
            params, client = None, None
            client_problem = error_message(error, secret)
        address = (
            f'{client.endpoint.url.split("://")[0]}://{client.endpoint.address}'
            if client is not None
            else str(connection.get('url'))
        )
        cc_id = client.cc_id if client is not None else connection.get('cc_id')
        context = {
            'site': site,
            'address': address,
            'cc_id': cc_id,
            'check_mode': bool(self._task.check_mode),
            'baseline_file': baseline_file,
            'report_dir': folder,
            'next_step': self._postcheck_command(task_vars, settings['report_dir']),
        }
        try:
            if phase == 'pre':
                if client is None:
                    query = {'failed': True, 'msg': client_problem}
                    scope = _baseline.canonical_scope(
                        settings['eids'], settings['eid_ranges'], settings['required_eids']
                    )
                else:
                    with client:
                        query, scope = self._precheck_query(client, params, settings)
                verdict = evaluate(
                    query,
                    'pre',
                    required_eids=settings['required_eids'],
                    max_regressions=settings['max_regressions'],
                    min_registered_ratio=settings['min_registered_ratio'],
                    checked_at=checked_at,
                    policy=settings['policy'],
                )
                verdict.update(context, scope=scope)
                if isinstance(query.get('terminals'), dict):
                    verdict['current_uaps'] = _uap_rows(query, verdict, ('required_not_registered', 'not_registered'))
                    verdict['uap_summary'] = summarize(query['terminals'])['by_uap']
                baseline = _baseline.build(
                    site,
                    address,
                    cc_id,
                    scope,
                    query if isinstance(query.get('terminals'), dict) else {},
                    verdict['passed'],
                    moment,
                    _collection_version(),
                    key or b'',
                )
                if key is None:
                    baseline['digest'] = ''  # nothing to sign with: only a failed precheck's baseline, refused anyway
                written = not self._task.check_mode
                if written:
                    # Also when the precheck failed: a stale baseline of an earlier window is never left to be used.
                    _write_atomically(
                        baseline_file, json.dumps(baseline, separators=(',', ':'), sort_keys=True) + '\n', 0o600
                    )
                verdict['baseline_written'] = written
                reports = write_reports(folder, 'aicc_gate_pre', verdict, moment)
                return self._answer(verdict, reports, baseline_file, written, baseline)
            baseline, source = self._load_baseline(settings, baseline_file)
            if client is None:
                verdict = evaluate(
                    {'failed': True, 'msg': client_problem},
                    'post',
                    baseline=(
                        _baseline.as_state(baseline)
                        if isinstance(baseline, dict)
                        and 'terminals' in baseline
                        and _baseline._well_formed(baseline) is None
                        else {'terminals': {}}
                    ),
                    required_eids=settings['required_eids'],
                    max_regressions=settings['max_regressions'],
                    checked_at=checked_at,
                    policy=settings['policy'],
                )
                verdict.update(context, scope=None, baseline_source=source)
            else:
                with client:
                    verdict = self._postcheck(
                        client, params, settings, baseline, site, address, cc_id, key, moment, checked_at
                    )
                verdict.update(context, baseline_source=source)
            reports = write_reports(folder, 'aicc_gate_post', verdict, moment)
            return self._answer(verdict, reports, baseline_file, False, None)
        except OSError as error:
            raise OptionError(
                f'could not write the gate files of site {site} under {folder}: {error.strerror or error}'
            ) from None

    def _precheck_query(self, client, params: dict, settings: dict) -> tuple[dict, dict]:
        scope = _baseline.canonical_scope(settings['eids'], settings['eid_ranges'], settings['required_eids'])
        if not scope['eids'] and not scope['eid_ranges']:
            raise OptionError(
                f'no terminals selected for site {settings["site"]}: set aicc_gate_eids (exact IDs or patterns) or '
                'aicc_gate_eid_ranges (START-END)'
            )
        plan = plan_from_params(dict(params, eids=scope['eids'], eid_ranges=scope['eid_ranges']))
        return query_status(client, plan), scope

    def _load_baseline(self, settings: dict, baseline_file: str) -> tuple[object, str]:
        """The handed-over baseline (aicc_gate_baseline), else the site's file; a missing one is a sentence."""
        given = settings['baseline']
        if given is not None:
            if isinstance(given, str):
                try:
                    return _baseline.load_text(given, 'in aicc_gate_baseline'), 'handed over'
                except ValueError as error:
                    raise OptionError(str(error)) from None
            return given, 'handed over'
        try:
            with open(baseline_file, encoding='utf-8') as handle:
                text = handle.read()
        except FileNotFoundError:
            raise OptionError(
                f'No baseline to compare with: the variable aicc_gate_baseline is not set and the file {baseline_file}'
                ' does not'
                f" exist. Run the precheck of site {settings['site']} first (aicc.cms.precheck or the role's pre entry"
                ' point), or pass'
                ' its aicc_gate_baselines artifact or aicc_gate_baseline_file.'
            ) from None
        try:
            return _baseline.load_text(text, f'file {baseline_file}'), baseline_file
        except ValueError as error:
            raise OptionError(str(error)) from None

    def _postcheck(
        self,
        client,
        params: dict,
        settings: dict,
        baseline: object,
        site: str,
        address: str,
        cc_id,
        key: bytes | None,
        moment: datetime,
        checked_at: str,
    ) -> dict:
        given_scope = settings['eids'] or settings['eid_ranges']
        # The same baseline, site and clock for both checks: before and after the scope is known.
        refusal = functools.partial(
            _baseline.refusal,
            baseline,
            site=site,
            address=address,
            cc_id=cc_id,
            key=key or b'',
            max_age=settings['max_baseline_age'],
            now=moment,
        )
        refused = refusal(scope=None)
        state = {'terminals': {}}
        scope = None
        if refused is None:
            state = _baseline.as_state(baseline)
            scope = _baseline.canonical_scope(
                settings['eids'] if given_scope else baseline['scope'].get('eids', ()),
                settings['eid_ranges'] if given_scope else baseline['scope'].get('eid_ranges', ()),
                settings['required_eids'],
            )
            if scope != baseline['scope']:
                refused = refusal(
                    scope=scope,
                    wanted_now=_wanted(scope, params),
                    wanted_then=_wanted(baseline['scope'], params),
                )
        # Both verdicts below judge against the same baseline, scope and levels.
        post_verdict = functools.partial(
            evaluate,
            phase='post',
            baseline=state,
            required_eids=settings['required_eids'],
            max_regressions=settings['max_regressions'],
            checked_at=checked_at,
        )
        if refused is not None:
            verdict = post_verdict(
                {'terminals': {}, 'missing': [], 'unknown': [], 'errors': []},
                refused=refused,
                policy=settings['policy'],
            )
            verdict.update(
                scope=scope or (baseline.get('scope') if isinstance(baseline, dict) else None), refused=refused
            )
            if isinstance(baseline, dict) and isinstance(baseline.get('taken_at'), str):
                verdict['baseline_taken_at'] = baseline['taken_at']
                verdict['summary_lines'] = summary_lines(verdict)
            return verdict
        plan = plan_from_params(dict(params, eids=scope['eids'], eid_ranges=scope['eid_ranges']))
        current = query_status(client, plan)
        registered_before = {eid for eid, record in state['terminals'].items() if record['registered']} - set(
            state['unknown']
        )
        uap_policy = settings['uap_policy']
        keeps = _policy.keeps_policy(state['terminals'], uap_policy)
        now_registered = {
            eid for eid, record in current['terminals'].items() if record['registered'] and keeps(eid, record)
        }
        pending = sorted(registered_before - now_registered)
        waited = None
        stability = None
        if pending and settings['wait_timeout'] > 0:
            # Only the terminals registered before and not now are polled, until they are (stably) or the time is up.
            waiting = wait_for_registered(
                client,
                _exact_plan(pending, params),
                timeout=settings['wait_timeout'],
                interval=settings['wait_interval'],
                max_matches_per_query=params['max_matches_per_query'],
                max_range_size=params['max_range_size'],
                stable_polls=settings['stable_polls'],
                history=True,
                accept=keeps if uap_policy != 'any' else None,
            )
            current = _merge_wait(current, waiting, pending)
            waited = int(round(waiting['waited']))
            still = set(waiting['still_unregistered'])
            stability = {
                'history': waiting['history'],
                'flapping': waiting['flapping'],
                'unstable': {
                    eid: waiting['history'].get(eid, [])
                    for eid, record in waiting['terminals'].items()
                    if eid in still and record['registered']
                },
            }
        verdict = post_verdict(
            current,
            waited=waited,
            policy=dict(settings['policy'], block_wildcards=wildcards_per_block(params['max_matches_per_query'])),
            stability=stability,
        )
        verdict.update(
            scope=scope,
            refused=None,
            current_uaps=_uap_rows(current, verdict),
            uap_summary=summarize(current['terminals'])['by_uap'],
        )
        return verdict

    @staticmethod
    def _postcheck_command(task_vars: dict, report_dir: str) -> str:
        """The exact command that re-runs this site's postcheck."""
        command = ['ansible-playbook', 'aicc.cms.postcheck']
        sources = [
            source
            for source in task_vars.get('ansible_inventory_sources') or ()
            if isinstance(source, str) and os.path.exists(source) and source != '/etc/ansible/hosts'
        ]
        for source in sources:
            command += ['-i', source]
        host = task_vars.get('inventory_hostname')
        if host and host != 'localhost':
            command += ['-e', f'aicc_gate_hosts={host}']
        command += ['-e', f'aicc_gate_report_dir={report_dir}']
        return ' '.join(shlex.quote(part) for part in command)

    @staticmethod
    def _answer(verdict: dict, reports: dict, baseline_file: str, written: bool, baseline: dict | None) -> dict:
        """What the task returns: small whatever the scope (the reports hold the lists)."""
        site = verdict['site']
        answer = {
            'changed': written,
            'site': site,
            'phase': verdict['phase'],
            'passed': verdict['passed'],
            'verdict': verdict['verdict'],
            'warned': verdict['warned'],
            'headline': verdict['headline'],
            'reasons': verdict['reasons'],
            # Ansible shows 'warnings' in the play's output and drops them from the registered result.
            'warnings': list(verdict.get('warnings') or ()),
            'gate_warnings': list(verdict.get('warnings') or ()),
            'counts': verdict['counts'],
            'address': verdict['address'],
            'cc_id': verdict['cc_id'],
            'reports': reports,
            'baseline_file': baseline_file,
            'baseline_written': written,
            'summary_lines': (
                [f'site {site} ({verdict["address"]}): {verdict["summary_lines"][0]}']
                + verdict['summary_lines'][1:]
                + [f'report: {reports["html"]}']
            ),
            'msg': (
                f'site {site}: {verdict["verdict"]}: {verdict["headline"]}'
                f' {" ".join(reason for reason in verdict["reasons"] if reason[1:] not in verdict["headline"])} Report:'
                f' {reports["html"]}'
            ),
        }
        if verdict['phase'] == 'post':
            answer['waited'] = verdict.get('waited')
            answer['baseline_taken_at'] = verdict.get('baseline_taken_at')
        if baseline is not None:
            answer['baseline_size'] = _baseline.artifact_size(baseline)
            if answer['baseline_size'] <= _baseline.ARTIFACT_MAX_BYTES:
                answer['baseline'] = baseline
        return answer

    # -- every site of the run -----------------------------------------------------------------------------------

    def _fleet(self, args: dict, task_vars: dict) -> dict:
        gate_phase = args.get('gate_phase')
        if gate_phase not in FACT_OF_PHASE:
            raise AnsibleActionFail(
                f"registration_gate: gate_phase must be 'pre' or 'post' for phase=fleet, not {gate_phase!r}."
            )
        report_dir = args.get('report_dir')
        if not isinstance(report_dir, str) or not report_dir:
            raise AnsibleActionFail(
                f'registration_gate: aicc_gate_report_dir must be a folder path, not {report_dir!r}.'
            )
        hostvars = task_vars.get('hostvars') or {}
        sites = []
        for host in task_vars.get('ansible_play_hosts_all') or ():
            try:
                answer = _plain(hostvars[host].get(FACT_OF_PHASE[gate_phase]))
            except (KeyError, TypeError):
                answer = None
            if isinstance(answer, dict) and answer.get('phase') == gate_phase:
                sites.append(
                    {
                        'host': host,
                        'site': answer['site'],
                        'passed': answer['passed'],
                        'verdict': answer['verdict'],
                        'warned': bool(answer.get('warned')),
                        'headline': answer['headline'],
                        'report': answer['reports']['html'],
                        'address': answer['address'],
                    }
                )
            else:
                sites.append(
                    {
                        'host': host,
                        'site': host,
                        'passed': False,
                        'warned': False,
                        'verdict': 'NO VERDICT',
                        'headline': 'the gate did not decide for this host (it failed before: see its task output)',
                        'report': None,
                        'address': None,
                    }
                )
        seen: dict[str, str] = {}
        for entry in sites:
            other = seen.setdefault(entry['site'], entry['host'])
            if other != entry['host']:
                entry['passed'] = False
                entry['verdict'] = 'FAIL'
                entry['headline'] = (
                    f'site name {entry["site"]} is also the site of host {other}: give each host its own aicc_gate_site'
                )
        moment = _now()
        failed = [entry['site'] for entry in sites if not entry['passed']]
        text = render_fleet_text(gate_phase, sites, moment.strftime('%Y-%m-%dT%H:%M:%SZ'))
        page = render_fleet_html(gate_phase, sites, moment.strftime('%Y-%m-%dT%H:%M:%SZ'), report_dir)
        stem = f'aicc_gate_fleet_{gate_phase}'
        run_name = _run_stamp(report_dir, stem, moment)
        try:
            for name in (run_name, stem):
                _write_atomically(os.path.join(report_dir, name + '.txt'), text)
                _write_atomically(os.path.join(report_dir, name + '.html'), page)
            _write_atomically(os.path.join(report_dir, run_name + '.json'), json.dumps(sites, indent=2) + '\n')
        except OSError as error:
            raise AnsibleActionFail(
                f'registration_gate: could not write the fleet summary under {report_dir}: {error.strerror or error}'
            ) from None
        return {
            'changed': False,
            'sites': sites,
            'failed_sites': failed,
            'summary_lines': text.splitlines(),
            'report': os.path.join(report_dir, stem + '.html'),
        }


def _uap_rows(current: dict, verdict: dict, names: t.Iterable[str] = ('regressed', 'required_not_registered')) -> dict:
    """Register status, socket status and IP of each UAP row now, for the terminals the report lists as failing."""
    rows = {}
    for name in names:
        for eid in verdict.get(name) or ():
            record = current['terminals'].get(eid)
            if record is not None and eid not in rows:
                rows[eid] = [
                    {
                        'uap': row.get('uap'),
                        'register_status': row.get('register_status'),
                        'socket_status': row.get('socket_status'),
                        'ip_and_port': row.get('ip_and_port'),
                    }
                    for row in record.get('uaps') or ()
                ]
    return rows
