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

from ansible.module_utils.errors import AnsibleFallbackNotFound
from ansible.module_utils.common.arg_spec import ArgumentSpecValidator

from ansible_collections.aicc.cms.plugins.module_utils._client import MAX_CONCURRENCY, MAX_PAGE_SIZE, MAX_RETRIES, CmsClient, parse_endpoint
from ansible_collections.aicc.cms.plugins.module_utils._errors import AiccError, OptionError
from ansible_collections.aicc.cms.plugins.module_utils._planner import API_MATCH_LIMIT, DEFAULT_MAX_RANGE_SIZE, Plan, plan_queries


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
    access_key=dict(type='str', required=True, aliases=['ak'], no_log=False, fallback=(env_fallback_if_set, ['AICC_ACCESS_KEY'])),
    secret_key=dict(type='str', required=True, aliases=['sk'], no_log=True, fallback=(env_fallback_if_set, ['AICC_SECRET_KEY'])),
    cc_id=dict(type='int', fallback=(env_fallback_if_set, ['AICC_CC_ID'])),
    validate_certs=dict(type='bool', default=True, fallback=(env_fallback_if_set, ['AICC_VALIDATE_CERTS'])),
    ca_path=dict(type='path', fallback=(env_fallback_if_set, ['AICC_CA_PATH'])),
    timeout=dict(type='float', default=30.0, fallback=(env_fallback_if_set, ['AICC_TIMEOUT'])),
    retries=dict(type='int', default=3, fallback=(env_fallback_if_set, ['AICC_RETRIES'])),
    max_concurrency=dict(type='int', default=5, fallback=(env_fallback_if_set, ['AICC_MAX_CONCURRENCY'])),
)

# What selects terminals; the inventory uses only this part of QUERY_SPEC.
SELECTION_SPEC: dict[str, dict[str, t.Any]] = dict(
    eids=dict(type='list', elements='str', aliases=['eid']),
    eid_ranges=dict(type='list', elements='str'),
    page_size=dict(type='int', default=100),
    max_matches_per_query=dict(type='int', default=100),
    allow_unbounded_wildcards=dict(type='bool', default=False),
    max_range_size=dict(type='int', default=DEFAULT_MAX_RANGE_SIZE),
)

# What the answer holds and whether to wait: the module and the lookup.
RESULT_SPEC: dict[str, dict[str, t.Any]] = dict(
    summary_only=dict(type='bool', default=False),
    wait_for=dict(type='str', choices=['registered']),
    wait_timeout=dict(type='int', default=300),
    wait_interval=dict(type='int', default=10),
    trace=dict(type='bool', default=False),
)

QUERY_SPEC: dict[str, dict[str, t.Any]] = dict(SELECTION_SPEC, **RESULT_SPEC)

MODULE_SPEC: dict[str, dict[str, t.Any]] = dict(CONNECTION_SPEC, **QUERY_SPEC)


def _out_of_bounds(name: str, value: float, minimum: float, maximum: float | None = None) -> str | None:
    """Return the sentence for a number outside [minimum, maximum], or None when it fits."""
    if value < minimum:
        bounds = 'between %s and %s' % (minimum, maximum) if maximum is not None else 'at least %s' % minimum
    elif maximum is not None and value > maximum:
        bounds = 'between %s and %s' % (minimum, maximum)
    else:
        return None
    return '%s must be %s, got %s' % (name, bounds, value)


def check_values(params: t.Mapping[str, t.Any]) -> None:
    """Check what an argument spec cannot express; raise OptionError with one sentence.

    Only the options present in ``params`` are checked, so a front end that offers a part of the
    options (the inventory has no wait_*) is checked on that part.
    """
    if params.get('url') is not None:
        parse_endpoint(params['url'])

    numbers = (
        # name, minimum, maximum (None: no maximum)
        ('max_concurrency', 1, MAX_CONCURRENCY),
        ('retries', 0, MAX_RETRIES),
        ('page_size', 1, MAX_PAGE_SIZE),
        ('max_matches_per_query', 1, API_MATCH_LIMIT - 1),
        ('max_range_size', 1, None),
    )
    for name, minimum, maximum in numbers:
        value = params.get(name)
        problem = None if value is None else _out_of_bounds(name, value, minimum, maximum)
        if problem:
            raise OptionError(problem)
    for name in ('timeout', 'wait_timeout', 'wait_interval'):
        value = params.get(name)
        if value is not None and value <= 0:
            raise OptionError('%s must be greater than 0 seconds, got %s' % (name, value))

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
    result = ArgumentSpecValidator(_spec_without_fallbacks(spec)).validate(given)
    if result.error_messages:
        raise OptionError(result.errors.msg)
    validated = dict(result.validated_parameters)
    check_values(validated)
    return validated


def _value(params: t.Mapping[str, t.Any], name: str) -> t.Any:
    """The option's value, or the spec default when the front end does not offer the option."""
    value = params.get(name)
    if value is None:
        value = MODULE_SPEC[name].get('default')
    return value


def plan_from_params(params: t.Mapping[str, t.Any]) -> Plan:
    """Plan the bounded queries for validated options; raises PlanError (an OptionError)."""
    return plan_queries(
        eids=params.get('eids') or (),
        eid_ranges=params.get('eid_ranges') or (),
        max_matches_per_query=_value(params, 'max_matches_per_query'),
        allow_unbounded_wildcards=_value(params, 'allow_unbounded_wildcards'),
        max_range_size=_value(params, 'max_range_size'),
    )


def client_from_params(params: t.Mapping[str, t.Any]) -> CmsClient:
    """Build the CC-CMS client from validated connection options (and page_size when given)."""
    return CmsClient(
        url=params['url'],
        access_key=params['access_key'],
        secret_key=params['secret_key'],
        cc_id=params.get('cc_id'),
        validate_certs=_value(params, 'validate_certs'),
        ca_path=params.get('ca_path'),
        timeout=float(_value(params, 'timeout')),
        retries=_value(params, 'retries'),
        max_concurrency=_value(params, 'max_concurrency'),
        page_size=_value(params, 'page_size'),
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
        message = 'unexpected %s while querying CC-CMS: %s' % (type(error).__name__, error)
    if secret_key:
        message = message.replace(secret_key, '********')
    return message
