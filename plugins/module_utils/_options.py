# Copyright (c) 2026 aicc.cms contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Options shared by the module, the lookup and the inventory: one spec, one validation.

The module passes ``CONNECTION_SPEC`` and ``QUERY_SPEC`` to ``AnsibleModule`` (environment
variables ``AICC_*`` come in through ``env_fallback_if_set``). Plugins read their options through
Ansible's config system and hand them to ``validate_params``, which runs the same
``ArgumentSpecValidator`` and the same ``check_values``, so every front end accepts and rejects
the same values with the same messages.
"""

from __future__ import annotations

import copy
import os
import typing as t

from ansible.module_utils.basic import AnsibleModule
from ansible.module_utils.common.arg_spec import ArgumentSpecValidator
from ansible.module_utils.errors import AnsibleFallbackNotFound
from ansible_collections.aicc.cms.plugins.module_utils._errors import AiccError, OptionError
from ansible_collections.aicc.cms.plugins.module_utils._limits import (
    MAX_NUMBER_TEXT,
    NUMBERS,
    as_number,
    check_number,
    default_of,
    number_sentence,
)
from ansible_collections.aicc.cms.plugins.module_utils._query.client import CmsClient, parse_endpoint
from ansible_collections.aicc.cms.plugins.module_utils._query.planner import Plan, number_entry_problem, plan_queries
from ansible_collections.aicc.cms.plugins.module_utils._query.selection import compile_selection


def env_fallback_if_set(*names: str) -> str:
    """The first of the environment variables ``names`` that is set and not empty.

    Unlike Ansible's env_fallback an empty variable counts as not set: AWX injects every variable of
    a credential type, empty for an empty optional field.
    """
    for name in names:
        value = os.environ.get(name)
        if value:
            return value
    raise AnsibleFallbackNotFound


# The access key is sent in clear in every Authorization header: it is no secret (no_log=False).
CONNECTION_SPEC: dict[str, dict[str, t.Any]] = dict(
    url=dict(type='str', required=True, fallback=(env_fallback_if_set, ['AICC_URL'])),
    access_key=dict(
        type='str', required=True, aliases=['ak'], no_log=False, fallback=(env_fallback_if_set, ['AICC_ACCESS_KEY'])
    ),
    secret_key=dict(
        type='str', required=True, aliases=['sk'], no_log=True, fallback=(env_fallback_if_set, ['AICC_SECRET_KEY'])
    ),
    cc_id=dict(type='int', fallback=(env_fallback_if_set, ['AICC_CC_ID'])),
    validate_certs=dict(type='bool', default=True, fallback=(env_fallback_if_set, ['AICC_VALIDATE_CERTS'])),
    ca_path=dict(type='path', fallback=(env_fallback_if_set, ['AICC_CA_PATH'])),
    timeout=dict(type='float', default=default_of('timeout'), fallback=(env_fallback_if_set, ['AICC_TIMEOUT'])),
    retries=dict(type='int', default=default_of('retries'), fallback=(env_fallback_if_set, ['AICC_RETRIES'])),
    max_concurrency=dict(
        type='int', default=default_of('max_concurrency'), fallback=(env_fallback_if_set, ['AICC_MAX_CONCURRENCY'])
    ),
    total_timeout=dict(
        type='float', default=default_of('total_timeout'), fallback=(env_fallback_if_set, ['AICC_TOTAL_TIMEOUT'])
    ),
)

# What selects terminals; the inventory uses only this part of QUERY_SPEC.
SELECTION_SPEC: dict[str, dict[str, t.Any]] = dict(
    eids=dict(type='list', elements='str', aliases=['eid']),
    eid_ranges=dict(type='list', elements='str'),
    page_size=dict(type='int', default=default_of('page_size')),
    max_matches_per_query=dict(type='int', default=default_of('max_matches_per_query')),
    allow_unbounded_wildcards=dict(type='bool', default=False),
    max_range_size=dict(type='int', default=default_of('max_range_size')),
)

# What the answer holds and whether to wait: the module and the lookup.
RESULT_SPEC: dict[str, dict[str, t.Any]] = dict(
    summary_only=dict(type='bool', default=False),
    wait_for=dict(type='str', choices=['registered']),
    wait_timeout=dict(type='int', default=default_of('wait_timeout')),
    wait_interval=dict(type='int', default=default_of('wait_interval')),
    trace=dict(type='bool', default=False),
    select=dict(type='str'),
)

QUERY_SPEC: dict[str, dict[str, t.Any]] = dict(SELECTION_SPEC, **RESULT_SPEC)

MODULE_SPEC: dict[str, dict[str, t.Any]] = dict(CONNECTION_SPEC, **QUERY_SPEC)

# aicc_cms_info: the connection and the selection, small pages, a request budget.
PROBE_SPEC: dict[str, dict[str, t.Any]] = dict(CONNECTION_SPEC, **SELECTION_SPEC)
PROBE_SPEC.update(
    page_size=dict(SELECTION_SPEC['page_size'], default=10),
    max_queries=dict(type='int', default=default_of('max_queries')),
)

_YAML_NOT_FINITE = frozenset(('.inf', '+.inf', '-.inf', '.nan'))


def raw_number_problem(name: str, value: t.Any) -> str | None:
    """The sentence for a value of a number option that Ansible's converters would crash or spin on, or read as
    a number it is not: a boolean, infinity, NaN, a huge exponent or integer. None lets the spec convert the value
    (and give its own sentence for text that is no number at all)."""
    if value is None or name not in NUMBERS or not isinstance(value, (bool, int, float, str)):
        return None
    text = value.strip() if isinstance(value, str) else None
    if text is not None and text.lower() not in _YAML_NOT_FINITE and len(text) <= MAX_NUMBER_TEXT:
        try:
            float(text)
        except ValueError:
            return None
    return number_sentence(name, value) if as_number(value, text=True) is None else None


def alias_conflict(names: t.Iterable[str], spec: t.Mapping[str, dict[str, t.Any]]) -> str | None:
    """The sentence when an option and its alias are both given (front ends would each pick another one), else None."""
    given = set(names)
    for name, option in spec.items():
        for alias in option.get('aliases') or ():
            if name in given and alias in given:
                return f'{name} and its alias {alias} are both set: give only one of them'
    return None


def raw_problem(params: t.Mapping[str, t.Any], spec: t.Mapping[str, dict[str, t.Any]]) -> str | None:
    """The first sentence about a raw value (before any conversion) of an option of ``spec``, else None."""
    for name in spec:
        problem = raw_number_problem(name, params.get(name))
        if problem:
            return problem
    for name in ('eids', 'eid', 'eid_ranges'):
        if params.get(name) is not None and (name in spec or name == 'eid' and 'eids' in spec):
            problem = number_entry_problem(name, params[name])
            if problem:
                return problem
    return None


def screen_module_params(params: dict[str, t.Any], spec: t.Mapping[str, dict[str, t.Any]] | None = None) -> str | None:
    """A module's raw arguments (and the AICC_* variables of those not given) checked before AnsibleModule
    converts them; each refused value is replaced by the default (or None), so no converter ever sees it.
    Returns the first sentence.
    """
    spec = MODULE_SPEC if spec is None else spec
    problem = alias_conflict((name for name, value in params.items() if value is not None), spec)
    for name, option in spec.items():
        given = name in params or any(alias in params for alias in option.get('aliases') or ())
        fallback = option.get('fallback')
        value = params.get(name)
        if not given and fallback:
            try:
                value = fallback[0](*fallback[1])
            except AnsibleFallbackNotFound:
                value = None
        found = raw_problem({name: value}, {name: option}) or next(
            (
                raw_problem({alias: params.get(alias)}, {name: option})
                for alias in option.get('aliases') or ()
                if params.get(alias) is not None
            ),
            None,
        )
        if found:
            problem = problem or found
            params[name] = option.get(
                'default'
            )  # what the converters take without a word; the module fails with the sentence
            for alias in option.get('aliases') or ():
                params.pop(alias, None)
    return problem


def check_values(params: t.Mapping[str, t.Any]) -> None:
    """Check what an argument spec cannot express; raise OptionError with one sentence.

    Only the options present in ``params`` are checked, so a front end that offers a part of the
    options (the inventory has no wait_*) is checked on that part.
    """
    if params.get('url') is not None:
        parse_endpoint(params['url'])

    for name in NUMBERS:
        if params.get(name) is not None:
            check_number(name, params[name])

    if (
        params.get('wait_for')
        and params.get('wait_timeout') is not None
        and params.get('total_timeout') is not None
        and params['wait_timeout'] >= params['total_timeout']
    ):
        raise OptionError(
            f'wait_timeout={params["wait_timeout"]} must be less than total_timeout={params["total_timeout"]}, which'
            ' bounds the whole task: raise total_timeout'
        )
    if params.get('validate_certs') is False and params.get('ca_path'):
        raise OptionError(
            'validate_certs=false and ca_path are both set, which contradict each other: '
            'keep ca_path to verify the certificate, or remove it to skip verification'
        )

    if params.get('select') is not None:
        compile_selection(params['select'], 'select')  # a bad expression fails before any request

    if ('eids' in params or 'eid_ranges' in params) and not (params.get('eids') or params.get('eid_ranges')):
        raise OptionError('no terminals selected: give eids (exact IDs or patterns) or eid_ranges (START-END)')


def _spec_without_fallbacks(spec: t.Mapping[str, dict[str, t.Any]]) -> dict[str, dict[str, t.Any]]:
    """Plugins get environment values from Ansible's config system, never from env_fallback."""
    plain = copy.deepcopy(dict(spec))
    for option in plain.values():
        option.pop('fallback', None)
    return plain


def _as_module_receives(value: t.Any) -> t.Any:
    """The value in the plain types a module gets from JSON.

    Before ansible-core 2.19 the YAML loader and the templar hand plugins str, list and dict subclasses
    (AnsibleUnicode, AnsibleUnsafeText...), whose class names would otherwise show in the validator's sentences.
    """
    if isinstance(value, str):
        return str.__str__(value)  # an exact str: AnsibleUnsafeText.__str__ returns itself
    if isinstance(value, t.Mapping):
        return {_as_module_receives(key): _as_module_receives(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_as_module_receives(item) for item in value]
    return value


def validate_params(params: t.Mapping[str, t.Any], spec: t.Mapping[str, dict[str, t.Any]]) -> dict[str, t.Any]:
    """Validate plugin options as AnsibleModule would and return them typed, with defaults.

    ``params`` holds the values from the plugin's ``get_option`` (unset options as None; options
    outside ``spec`` are ignored). Raises OptionError with the same sentence the module gives.
    """
    given = {name: _as_module_receives(value) for name, value in params.items() if name in spec and value is not None}
    problem = raw_problem(given, spec)
    if problem:
        raise OptionError(problem)
    result = ArgumentSpecValidator(_spec_without_fallbacks(spec)).validate(given)
    if result.error_messages:
        raise OptionError(result.errors.msg)
    validated = dict(result.validated_parameters)
    check_values(validated)
    return validated


def plan_from_params(params: t.Mapping[str, t.Any]) -> Plan:
    """Plan the bounded queries for validated options; raises PlanError (an OptionError)."""
    return plan_queries(
        eids=params.get('eids') or (),
        eid_ranges=params.get('eid_ranges') or (),
        max_matches_per_query=params.get('max_matches_per_query'),
        allow_unbounded_wildcards=bool(params.get('allow_unbounded_wildcards')),
        max_range_size=params.get('max_range_size'),
    )


# What run_query takes, by the name of the option it comes from.
QUERY_ARGUMENTS = (
    'summary_only',
    'select',
    'wait_for',
    'wait_timeout',
    'wait_interval',
    'max_matches_per_query',
    'max_range_size',
)


def query_arguments(params: t.Mapping[str, t.Any]) -> dict[str, t.Any]:
    """The keyword arguments of the engine's run_query from validated options (unset ones left to its defaults)."""
    return {name: params[name] for name in QUERY_ARGUMENTS if params.get(name) is not None}


def client_from_params(params: t.Mapping[str, t.Any]) -> CmsClient:
    """Build the CC-CMS client from validated connection options (and page_size when given)."""
    return CmsClient(
        url=params['url'],
        access_key=params['access_key'],
        secret_key=params['secret_key'],
        cc_id=params.get('cc_id'),
        validate_certs=params.get('validate_certs') is not False,
        ca_path=params.get('ca_path'),
        timeout=params.get('timeout'),
        retries=params.get('retries'),
        max_concurrency=params.get('max_concurrency'),
        page_size=params.get('page_size'),
        total_timeout=params.get('total_timeout'),
        trace=bool(params.get('trace')),
    )


def error_message(error: BaseException, secret_key: str | None = None) -> str:
    """One sentence for the user from any exception, with the secret key masked.

    Core errors already are one actionable sentence; anything else is a defect, reported by type
    and text instead of a traceback.
    """
    if isinstance(error, AiccError):
        message = str(error)
    else:
        message = f'unexpected {type(error).__name__} while querying CC-CMS: {error}'
    if secret_key:
        message = message.replace(secret_key, '********')
    return message


class ScreenedModule(AnsibleModule):
    """AnsibleModule whose raw arguments are screened before its converters see them: they crash on infinity
    and spin on huge exponents (cc_id: 1e1000000), and read unquoted IDs as numbers. Fails with the sentence."""

    raw_problem: str | None = None

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if self.raw_problem:
            self.fail_json(msg=self.raw_problem)

    def _load_params(self):
        super()._load_params()
        self.raw_problem = screen_module_params(self.params, self.argument_spec)
