# Copyright (c) 2026 aicc.cms contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Values that crashed or hung Ansible's converters (infinity, NaN, huge exponents, booleans for numbers) and
contradicting options: each gets one sentence naming the option and its range, before any conversion."""

from __future__ import annotations

import pytest
from ansible_collections.aicc.cms.plugins.module_utils import _options as options
from ansible_collections.aicc.cms.plugins.module_utils._errors import OptionError
from ansible_collections.aicc.cms.plugins.module_utils._limits import NUMBERS, shown

BASE = {'url': 'https://10.1.1.1:28443', 'access_key': 'ak-1', 'secret_key': 'screening-secret', 'eids': ['8780001']}
# Every class of value that ended in "cannot convert Infinity to integer", "Exceeds the limit (4300 digits)",
# a hang in argument parsing, or a boolean read as 1.
HOSTILE_NUMBERS = [
    float('inf'),
    float('-inf'),
    float('nan'),
    '.inf',
    'inf',
    '-Infinity',
    'nan',
    '1e400',
    '1e5000',
    '1e1000000',
    True,
    False,
    10**5000,
    '9' * 5000,
    1e300,
]


@pytest.mark.parametrize('name', sorted(NUMBERS))
@pytest.mark.parametrize('value', HOSTILE_NUMBERS, ids=lambda value: shown(value)[:16])
def test_hostile_numbers_get_the_range_sentence(name, value):
    params = dict(BASE, **{name: value})
    spec = options.MODULE_SPEC if name in options.MODULE_SPEC else options.PROBE_SPEC  # max_queries: aicc_cms_info's
    with pytest.raises(OptionError) as raised:
        options.validate_params(params, spec)
    message = str(raised.value)
    assert message.startswith(f'{name} must be ') and ('between' in message or 'at most' in message), message
    assert '\n' not in message and len(message) < 300


@pytest.mark.parametrize(
    'name, value, message',
    [
        ('cc_id', float('inf'), 'cc_id must be an integer between 0 and 2147483647, got inf'),
        ('retries', True, 'retries must be an integer between 0 and 10, got True'),
        ('timeout', '1e400', "timeout must be a number of seconds above 0 and at most 3600, got '1e400'"),
        (
            'wait_timeout',
            10**5000,
            'wait_timeout must be a whole number of seconds above 0 and at most 86400, got an integer of 16610 bits',
        ),
        ('total_timeout', 90000, 'total_timeout must be a number of seconds above 0 and at most 86400, got 90000.0'),
        ('wait_interval', 4000, 'wait_interval must be a whole number of seconds above 0 and at most 3600, got 4000'),
        ('cc_id', -1, 'cc_id must be an integer between 0 and 2147483647, got -1'),
    ],
    ids=lambda value: shown(value)[:24],
)  # pylint: disable=protected-access
def test_sentences(name, value, message):
    with pytest.raises(OptionError) as raised:
        options.validate_params(dict(BASE, **{name: value}), options.MODULE_SPEC)
    assert str(raised.value) == message


@pytest.mark.parametrize('eids, shown', [([8], '8'), (83, '83'), (['8880001', 8880001.0], '8880001.0')])
def test_ids_that_arrived_as_numbers_are_refused_before_conversion(eids, shown):
    """The spec's elements=str would turn 8 into '8' (YAML's reading of 010): the ID would be queried wrongly."""
    with pytest.raises(OptionError, match=rf'^eids holds the number {shown} where a string belongs: quote the ID'):
        options.validate_params(dict(BASE, eids=eids), options.MODULE_SPEC)
    with pytest.raises(OptionError, match=r'^eid_ranges holds the number'):
        options.validate_params(dict(BASE, eid_ranges=[8880000]), options.MODULE_SPEC)


def test_validate_certs_false_with_a_ca_path_is_a_contradiction(tmp_path):
    with pytest.raises(OptionError, match=r'^validate_certs=false and ca_path are both set'):
        options.validate_params(dict(BASE, validate_certs=False, ca_path=str(tmp_path)), options.MODULE_SPEC)


def test_the_wait_must_end_before_the_task_deadline():
    with pytest.raises(OptionError, match=r'^wait_timeout=600 must be less than total_timeout=300.0'):
        options.validate_params(
            dict(BASE, wait_for='registered', wait_timeout=600, total_timeout=300), options.MODULE_SPEC
        )
    validated = options.validate_params(dict(BASE, wait_for='registered', wait_timeout=600), options.MODULE_SPEC)
    assert validated['total_timeout'] == 3600.0


def test_an_option_and_its_alias_together_are_refused():
    assert (
        options.alias_conflict(['access_key', 'ak'], options.MODULE_SPEC)
        == 'access_key and its alias ak are both set: give only one of them'
    )
    assert options.alias_conflict(['sk', 'url'], options.MODULE_SPEC) is None


def test_module_screening_replaces_what_it_refuses(monkeypatch):
    monkeypatch.setenv('AICC_CC_ID', '1e1000000')
    monkeypatch.setenv('AICC_RETRIES', '2')
    params = dict(BASE, page_size=float('inf'))
    problem = options.screen_module_params(params)
    # the first sentence in spec order, and no refused value left for AnsibleModule's converters
    assert problem == "cc_id must be an integer between 0 and 2147483647, got '1e1000000'"
    assert params['cc_id'] is None and params['page_size'] == 100
    assert 'retries' not in params  # a sound variable is left to the fallback


def test_module_screening_sees_aliases():
    params = dict(BASE, eid=[10], access_key='a', ak='b')
    assert options.screen_module_params(params) == 'access_key and its alias ak are both set: give only one of them'
    assert params['eids'] is None and 'eid' not in params
