# Copyright (c) 2026 aicc.cms contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The option layer: specs, validation shared by module and plugins, builders, error sentences."""

from __future__ import annotations

import pytest
import yaml
from ansible_collections.aicc.cms.plugins.doc_fragments import connection as connection_doc
from ansible_collections.aicc.cms.plugins.doc_fragments import query as query_doc
from ansible_collections.aicc.cms.plugins.module_utils import _options as options
from ansible_collections.aicc.cms.plugins.module_utils._errors import AiccError, NoResponseError, OptionError, PlanError
from core_compat import validator_wording

URL = 'https://10.1.1.1:28443'
SECRET = 'unit-test-secret-3f1c'
BASE = {'url': URL, 'access_key': 'ak-1', 'secret_key': SECRET, 'eids': ['8780001']}


def plugin_view(**changes):
    """Options as a plugin's get_option hands them over: every option, unset ones as None."""
    params = {name: None for name in options.MODULE_SPEC}
    params.update(BASE)
    params.update(changes)
    return params


def test_defaults_applied_and_unset_options_ignored():
    validated = options.validate_params(plugin_view(), options.MODULE_SPEC)
    assert validated['url'] == URL
    assert validated['validate_certs'] is True
    assert validated['timeout'] == 30.0 and isinstance(validated['timeout'], float)
    assert (validated['retries'], validated['max_concurrency'], validated['page_size']) == (3, 5, 100)
    assert (validated['max_matches_per_query'], validated['max_range_size']) == (100, 1_000_000)
    assert (validated['wait_timeout'], validated['wait_interval']) == (300, 10)
    assert validated['cc_id'] is None and validated['wait_for'] is None


def test_values_are_converted_as_by_the_module():
    validated = options.validate_params(
        plugin_view(cc_id='7', timeout='2.5', validate_certs='no', eids='8780001'), options.MODULE_SPEC
    )
    assert validated['cc_id'] == 7
    assert validated['timeout'] == 2.5
    assert validated['validate_certs'] is False
    assert validated['eids'] == ['8780001']


def test_options_outside_the_spec_are_left_to_the_plugin():
    validated = options.validate_params(plugin_view(hostname='{{ equipment_id }}', compose={}), options.MODULE_SPEC)
    assert 'hostname' not in validated and 'compose' not in validated


def test_plugins_never_read_the_environment_through_the_spec(monkeypatch):
    monkeypatch.setenv('AICC_URL', URL)
    with pytest.raises(OptionError, match='^missing required arguments: url$'):
        options.validate_params(plugin_view(url=None), options.MODULE_SPEC)


@pytest.mark.parametrize(
    'changes, message',
    [
        (
            {'url': None, 'access_key': None, 'secret_key': None},
            'missing required arguments: access_key, secret_key, url',
        ),
        ({'url': 'ftp://10.1.1.1'}, "url 'ftp://10.1.1.1' must start with https:// (or http://)"),
        ({'url': 'https://'}, "url 'https://' has no host: write it as https://<ip>:<port>"),
        ({'max_concurrency': 0}, 'max_concurrency must be an integer between 1 and 10, got 0'),
        ({'max_concurrency': 11}, 'max_concurrency must be an integer between 1 and 10, got 11'),
        ({'max_concurrency': 'many'}, "argument 'max_concurrency' is of type str and we were unable to convert to int"),
        ({'retries': -1}, 'retries must be an integer between 0 and 10, got -1'),
        ({'page_size': 0}, 'page_size must be an integer between 1 and 1000, got 0'),
        ({'max_matches_per_query': 200}, 'max_matches_per_query must be an integer between 1 and 199, got 200'),
        ({'max_range_size': 0}, 'max_range_size must be an integer between 1 and 10000000, got 0'),
        ({'timeout': 0}, 'timeout must be a number of seconds above 0 and at most 3600, got 0.0'),
        ({'wait_timeout': -3}, 'wait_timeout must be a whole number of seconds above 0 and at most 86400, got -3'),
        ({'wait_interval': 0}, 'wait_interval must be a whole number of seconds above 0 and at most 3600, got 0'),
        ({'wait_for': 'unregistered'}, 'value of wait_for must be one of: registered, got: unregistered'),
        ({'eids': None}, 'no terminals selected: give eids (exact IDs or patterns) or eid_ranges (START-END)'),
        (
            {'eids': [], 'eid_ranges': []},
            'no terminals selected: give eids (exact IDs or patterns) or eid_ranges (START-END)',
        ),
    ],
)
def test_bad_values_get_one_sentence(changes, message):
    with pytest.raises(OptionError) as raised:
        options.validate_params(plugin_view(**changes), options.MODULE_SPEC)
    assert validator_wording(str(raised.value)).startswith(message)
    assert SECRET not in str(raised.value)


class TextSubclass(str):
    """What the YAML loader and the templar hand plugins before ansible-core 2.19 (AnsibleUnicode, AnsibleUnsafeText)."""


class ListSubclass(list):
    """AnsibleSequence before ansible-core 2.19."""


@pytest.mark.parametrize(
    'changes',
    [
        {'validate_certs': 'maybe'},
        {'cc_id': 'abc'},
        {'eids': {'8780001': 'x'}},
        {'max_concurrency': 'many'},
    ],
)
def test_subclassed_values_get_the_sentence_the_module_gives_for_plain_ones(changes):
    """The module gets JSON types; a plugin's str/list/dict subclasses must not change the sentence."""
    subclassed = {
        name: (
            TextSubclass(value) if isinstance(value, str) else ListSubclass(value) if isinstance(value, list) else value
        )
        for name, value in changes.items()
    }
    with pytest.raises(OptionError) as plain_error:
        options.validate_params(plugin_view(**changes), options.MODULE_SPEC)
    with pytest.raises(OptionError) as subclass_error:
        options.validate_params(plugin_view(**subclassed), options.MODULE_SPEC)
    assert str(subclass_error.value) == str(plain_error.value)


def test_validated_values_are_plain_types():
    validated = options.validate_params(
        plugin_view(url=TextSubclass(URL), eids=ListSubclass([TextSubclass('8780001')])), options.MODULE_SPEC
    )
    # exact types, not subclasses
    assert [type(validated['url']), type(validated['eids']), type(validated['eids'][0])] == [str, list, str]


def test_only_the_options_of_the_front_end_are_checked():
    spec = dict(options.CONNECTION_SPEC, **options.SELECTION_SPEC)
    params = {name: None for name in spec}
    params.update(BASE)
    validated = options.validate_params(params, spec)
    assert 'wait_timeout' not in validated
    options.check_values({'url': URL})  # a connection-only front end needs no eids


def test_plan_from_params_uses_defaults_for_options_the_front_end_lacks():
    plan = options.plan_from_params({'eid_ranges': ['8780000-8780199']})
    assert [query.eid for query in plan.queries] == ['87800??', '87801??']
    with pytest.raises(PlanError, match='cannot be bounded'):
        options.plan_from_params({'eids': ['8780*']})
    with pytest.raises(PlanError, match='more than max_range_size=10'):
        options.plan_from_params({'eid_ranges': ['8780000-8780010'], 'max_range_size': 10})
    assert options.plan_from_params({'eids': ['8780*'], 'allow_unbounded_wildcards': True}).unbounded == ('8780*',)


def test_client_from_params_carries_every_connection_option(tmp_path):
    ca_file = tmp_path / 'ca.pem'
    ca_file.write_text('not checked before the first request\n')
    params = options.validate_params(
        plugin_view(cc_id=2, ca_path=str(ca_file), timeout=4, retries=0, max_concurrency=3, page_size=50),
        options.MODULE_SPEC,
    )
    with options.client_from_params(params) as client:
        assert client.endpoint.url == URL + '/rest/cmsapp/v1/openapi/uap/queryterminalstatus'
        assert (client.cc_id, client.timeout, client.retries, client.max_concurrency, client.page_size) == (
            2,
            4.0,
            0,
            3,
            50,
        )
    with options.client_from_params({'url': URL, 'access_key': 'ak', 'secret_key': SECRET}) as client:
        assert (client.timeout, client.retries, client.max_concurrency, client.page_size) == (30.0, 3, 5, 100)


def test_error_message_is_one_sentence_without_the_secret():
    assert (
        options.error_message(NoResponseError('no answer from 10.1.1.1:28443 within 30 s'))
        == 'no answer from 10.1.1.1:28443 within 30 s'
    )
    assert options.error_message(AiccError(f'bad key {SECRET}'), SECRET) == 'bad key ********'
    message = options.error_message(KeyError('resultDesc'), SECRET)
    assert message == "unexpected KeyError while querying CC-CMS: 'resultDesc'"


def test_secret_key_is_no_log_and_never_defaulted():
    secret = options.CONNECTION_SPEC['secret_key']
    assert secret['no_log'] is True and 'default' not in secret
    assert options.CONNECTION_SPEC['access_key']['no_log'] is False


def _fragment(fragment_class, name):
    return yaml.safe_load(getattr(fragment_class, name))['options']


def _front_end_view(fragment_class, *names):
    """Options as a front end sees them after extends_documentation_fragment: the halves merged, none overriding another."""
    merged = {}
    for name in names:
        for option, keys in _fragment(fragment_class, name).items():
            clashing = set(merged.get(option, {})) & set(keys)
            assert not clashing, f'{name}.{option} sets {sorted(clashing)} again'
            merged.setdefault(option, {}).update(keys)
    return merged


@pytest.mark.parametrize(
    'spec, documented',
    [
        (options.CONNECTION_SPEC, _front_end_view(connection_doc.ModuleDocFragment, 'DOCUMENTATION', 'MODULE')),
        (options.SELECTION_SPEC, _front_end_view(query_doc.ModuleDocFragment, 'DOCUMENTATION', 'MODULE')),
        (
            options.RESULT_SPEC,
            dict(
                _fragment(query_doc.ModuleDocFragment, 'RESULT'),
                **_front_end_view(query_doc.ModuleDocFragment, 'WAIT', 'WAIT_MODULE'),
                **_front_end_view(query_doc.ModuleDocFragment, 'TRACE', 'TRACE_MODULE'),
                **_fragment(query_doc.ModuleDocFragment, 'SELECT'),
            ),
        ),
    ],
)
def test_doc_fragments_match_the_specs(spec, documented):
    assert sorted(documented) == sorted(spec)
    for name, option in spec.items():
        doc = documented[name]
        assert doc['type'] == option['type'], name
        assert doc.get('default') == option.get('default'), name
        assert doc.get('aliases', []) == option.get('aliases', []), name
        assert doc.get('elements') == option.get('elements'), name
        assert doc.get('choices') == option.get('choices'), name
        assert doc.get('required', False) == option.get('required', False), name


def test_plugins_leave_every_non_string_conversion_to_the_option_layer():
    """Ansible's config system converts leniently ('ture' -> false); raw values reach validate_params unconverted."""
    plugins = _front_end_view(connection_doc.ModuleDocFragment, 'DOCUMENTATION', 'PLUGINS')
    for name, option in options.CONNECTION_SPEC.items():
        assert plugins[name]['type'] == ('str' if option['type'] == 'str' else 'raw'), name
        assert 'required' not in plugins[name], name  # a missing value reaches the option layer and its sentence
    # the config system crashes on .inf for an int option and reads 'perhaps' as false for a bool one
    query_plugins = dict(
        _front_end_view(query_doc.ModuleDocFragment, 'DOCUMENTATION', 'PLUGINS'),
        **_front_end_view(query_doc.ModuleDocFragment, 'WAIT', 'WAIT_PLUGINS'),
        **_front_end_view(query_doc.ModuleDocFragment, 'TRACE', 'TRACE_PLUGINS'),
    )
    for name, option in dict(
        options.SELECTION_SPEC,
        wait_timeout=options.RESULT_SPEC['wait_timeout'],
        wait_interval=options.RESULT_SPEC['wait_interval'],
        trace=options.RESULT_SPEC['trace'],
    ).items():
        assert query_plugins[name]['type'] == (option['type'] if option['type'] in ('str', 'list') else 'raw'), name


def test_plugin_sources_match_the_module_environment_fallbacks():
    plugins = _fragment(connection_doc.ModuleDocFragment, 'PLUGINS')
    assert sorted(plugins) == sorted(options.CONNECTION_SPEC)
    for name, option in options.CONNECTION_SPEC.items():
        assert [entry['name'] for entry in plugins[name]['env']] == option['fallback'][1], name
        assert plugins[name]['ini'] == [{'section': 'aicc', 'key': name}], name
        assert plugins[name]['vars'] == [{'name': f'ansible_aicc_{name}'}], name


def test_select_is_checked_with_the_other_options_before_any_request():
    params = {'url': 'https://10.1.1.1:28443', 'access_key': 'ak', 'secret_key': 'sk', 'eids': ['8780001']}
    assert options.validate_params(dict(params, select='registered'), options.MODULE_SPEC)['select'] == 'registered'
    with pytest.raises(OptionError, match=r"^select='uaps\[\?' is not a valid JMESPath expression: "):
        options.validate_params(dict(params, select='uaps[?'), options.MODULE_SPEC)
    with pytest.raises(OptionError, match=r'^select must be a JMESPath expression, got an empty string'):
        options.check_values(dict(params, select=''))
