# Copyright (c) 2026 aicc.cms contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The one table of number options and the one check: every front end, the client, the docs and the role agree."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from ansible_collections.aicc.cms.plugins.doc_fragments import connection as connection_doc
from ansible_collections.aicc.cms.plugins.doc_fragments import query as query_doc
from ansible_collections.aicc.cms.plugins.module_utils import _options as options
from ansible_collections.aicc.cms.plugins.module_utils._errors import OptionError
from ansible_collections.aicc.cms.plugins.module_utils._gate.verdict import ROLE_NUMBERS
from ansible_collections.aicc.cms.plugins.module_utils._limits import NUMBERS, Number, check_number, shown
from ansible_collections.aicc.cms.plugins.module_utils._query.client import CmsClient
from ansible_collections.aicc.cms.plugins.modules import aicc_cms_info

ROOT = Path(__file__).resolve().parents[4]
RATIO = Number(0, 1, whole=False)
PORTS = Number(1, 65535)
DURATION = Number(0, 60, whole=False, seconds=True, above=True)


@pytest.mark.parametrize(
    'value, number, text, expected',
    [
        (0, RATIO, False, 0.0),
        (1, RATIO, False, 1.0),
        (0.25, RATIO, False, 0.25),
        ('0.25', RATIO, True, 0.25),
        (443, PORTS, False, 443),
        (443.0, PORTS, False, 443),  # an integral float is a whole number
        (' 443 ', PORTS, True, 443),
        ('1e3', PORTS, True, 1000),
        (60, DURATION, False, 60.0),
        (0.5, DURATION, False, 0.5),
    ],
)
def test_numbers_in_range_are_returned_typed(value, number, text, expected):
    checked = check_number('x', value, number, text=text)
    assert checked == expected and type(checked) is type(expected)


@pytest.mark.parametrize(
    'value, number, text, sentence',
    [
        (1.5, RATIO, False, 'x must be a number between 0 and 1, got 1.5'),
        (-0.1, RATIO, False, 'x must be a number between 0 and 1, got -0.1'),
        ('0.5', RATIO, False, "x must be a number between 0 and 1, got '0.5'"),  # text only where text is allowed
        (True, PORTS, True, 'x must be an integer between 1 and 65535, got True'),  # a boolean is no number
        (80.5, PORTS, False, 'x must be an integer between 1 and 65535, got 80.5'),
        ('eighty', PORTS, True, "x must be an integer between 1 and 65535, got 'eighty'"),
        (float('inf'), PORTS, False, 'x must be an integer between 1 and 65535, got inf'),
        (float('nan'), RATIO, False, 'x must be a number between 0 and 1, got nan'),
        ('1e400', PORTS, True, "x must be an integer between 1 and 65535, got '1e400'"),
        (10**5000, PORTS, False, 'x must be an integer between 1 and 65535, got an integer of 16610 bits'),
        (
            '9' * 500,
            PORTS,
            True,
            "x must be an integer between 1 and 65535, got '9999999999999999999999999999999999999999'"
            '... (500 characters)',
        ),
        (0, DURATION, False, 'x must be a number of seconds above 0 and at most 60, got 0'),  # no duration
        (61, DURATION, False, 'x must be a number of seconds above 0 and at most 60, got 61'),
        (0, Number(1, None), False, 'x must be an integer of at least 1, got 0'),
        (-1, Number(0, None, whole=False, seconds=True), False, 'x must be a number of seconds of at least 0, got -1'),
    ],
    ids=lambda value: shown(value)[:24] if isinstance(value, (int, float, str)) else None,
)
def test_numbers_out_of_range_get_one_sentence(value, number, text, sentence):
    with pytest.raises(OptionError) as raised:
        check_number('x', value, number, text=text)
    assert str(raised.value) == sentence


def test_unset_is_the_default():
    assert check_number('max_concurrency', None) == 5
    assert check_number('cc_id', None) is None
    assert check_number('x', None, Number(1, 2, default=2)) == 2


def test_every_number_option_of_every_front_end_is_in_the_table():
    specs = dict(options.MODULE_SPEC, **options.PROBE_SPEC)
    numbers = {name for name, option in specs.items() if option['type'] in ('int', 'float')}
    assert numbers == set(NUMBERS)


def test_the_specs_take_their_defaults_from_the_table():
    for name, number in NUMBERS.items():
        spec = options.MODULE_SPEC.get(name) or options.PROBE_SPEC[name]
        assert spec.get('default') == number.default, name
        assert spec['type'] == ('int' if number.whole else 'float'), name


def test_the_client_takes_its_defaults_from_the_table():
    client = CmsClient('https://10.1.1.1:28443', 'ak', 'defaults-secret')
    for name in ('timeout', 'retries', 'max_concurrency', 'page_size', 'cc_id'):
        assert getattr(client, name) == NUMBERS[name].default, name
    assert client.deadline.seconds == NUMBERS['total_timeout'].default


def _documented_numbers():
    documented = {}
    for fragment in (
        connection_doc.ModuleDocFragment.DOCUMENTATION,
        query_doc.ModuleDocFragment.DOCUMENTATION,
        query_doc.ModuleDocFragment.WAIT,
    ):
        documented.update(yaml.safe_load(fragment)['options'])
    documented['max_queries'] = yaml.safe_load(aicc_cms_info.DOCUMENTATION)['options']['max_queries']
    return {name: ' '.join(documented[name]['description']) for name in NUMBERS}


@pytest.mark.parametrize('name', sorted(NUMBERS))
def test_the_docs_state_the_range_of_the_table(name):
    number, text = NUMBERS[name], _documented_numbers()[name]
    maximum = str(int(number.maximum))
    assert f'V({maximum})' in text or f'at most {maximum}' in text, text
    if number.above:
        assert 'greater than 0' in text or f'between V({int(number.minimum) + 1})' in text, text
    else:
        assert f'V({int(number.minimum)})' in text, text


def _role_options():
    specs = yaml.safe_load((ROOT / 'roles/registration_gate/meta/argument_specs.yml').read_text(encoding='utf-8'))
    return specs['argument_specs']['post']['options']


@pytest.mark.parametrize('name', sorted(ROLE_NUMBERS))
def test_the_role_states_the_defaults_and_ranges_of_the_gate(name):
    number, option = ROLE_NUMBERS[name], _role_options()['aicc_gate_' + name]
    defaults = yaml.safe_load((ROOT / 'roles/registration_gate/defaults/main.yml').read_text(encoding='utf-8'))
    assert option.get('default') == number.default
    assert defaults.get('aicc_gate_' + name) == number.default
    text = ' '.join(option['description'])
    assert f'from {int(number.minimum)} to {int(number.maximum)}' in text, text
    assert ('a whole number' if number.whole else 'a number') in text, text
