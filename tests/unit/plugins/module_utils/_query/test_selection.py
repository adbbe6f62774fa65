# Copyright (c) 2026 aicc.cms contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""select / exclude_when: a JMESPath expression over one terminal record, compiled once."""

from __future__ import annotations

import pytest
from ansible_collections.aicc.cms.plugins.module_utils._errors import OptionError
from ansible_collections.aicc.cms.plugins.module_utils._query import selection as _select
from ansible_collections.aicc.cms.plugins.module_utils._query.selection import (
    MAX_EXPRESSION_LENGTH,
    compile_selection,
    is_true,
)


def record(eid, *rows, registered=None):
    """A record as build_terminals makes it; each row is (uap, register_status, termination_type)."""
    uaps = [
        {'uap': uap, 'register_status': status, 'socket_status': 'normal', 'termination_type': kind}
        for uap, status, kind in rows
    ]
    return {
        'equipment_id': eid,
        'registered': any(row['register_status'] == 'registered' for row in uaps) if registered is None else registered,
        'uaps': uaps,
    }


SIP_UP = record('1001', ('10.1.1.1#1', 'registered', 'sip'))
H323_DOWN = record('1002', ('10.1.1.1#1', 'not register', 'h323'))
MIXED = record('1003', ('10.1.1.1#1', 'registered', 'sip'), ('10.1.1.2#2', 'not register', 'h323'))
NO_ROWS = record('1004')


@pytest.mark.parametrize(
    ('expression', 'kept'),
    [
        ("uaps[?termination_type == 'sip']", ['1001', '1003']),
        ("uaps[?termination_type != 'sip']", ['1002', '1003']),  # a non-empty list is true
        ('registered', ['1001', '1003']),
        ('!registered', ['1002', '1004']),
        ("length(uaps[?register_status == 'registered']) == length(uaps)", ['1001', '1004']),
        ("equipment_id == '1002'", ['1002']),
        ("starts_with(equipment_id, '100')", ['1001', '1002', '1003', '1004']),
        ('uaps', ['1001', '1002', '1003']),  # an empty list is false
        ('nothing_such', []),  # null is false
        ("uaps[?uap == '10.1.1.2#2'] | [0].register_status == 'not register'", ['1003']),
    ],
)
def test_expressions_over_terminal_records(expression, kept):
    selection = compile_selection(expression, 'select')
    assert [rec['equipment_id'] for rec in (SIP_UP, H323_DOWN, MIXED, NO_ROWS) if selection.matches(rec)] == kept


@pytest.mark.parametrize(
    ('value', 'truth'),
    [
        (None, False),
        (False, False),
        ('', False),
        ([], False),
        ({}, False),
        (0, True),
        (True, True),
        ('x', True),
        ([0], True),
        ({'a': None}, True),
    ],
)
def test_jmespath_truthiness(value, truth):
    assert is_true(value) is truth


@pytest.mark.parametrize(
    ('expression', 'sentence'),
    [
        ('uaps[?', r"^select='uaps\[\?' is not a valid JMESPath expression: "),
        (
            'no_such_function(uaps)',
            r'^select=.* is not a valid JMESPath expression: unknown function no_such_function\(\)$',
        ),
        (
            'length(uaps, uaps)',
            r'^select=.* is not a valid JMESPath expression: function length\(\) takes 1 argument, got 2$',
        ),
        ('', r'^select must be a JMESPath expression, got an empty string: give one or remove the option$'),
        ('   ', r'^select must be a JMESPath expression, got an empty string'),
        (5, r'^select must be a JMESPath expression \(a string\), got int$'),
        (['registered'], r'^select must be a JMESPath expression \(a string\), got list$'),
        (
            'a' * (MAX_EXPRESSION_LENGTH + 1),
            r'^select must be a JMESPath expression of at most 1000 characters, got 1001 characters$',
        ),
    ],
)
def test_a_bad_expression_is_one_sentence_naming_the_option(expression, sentence):
    with pytest.raises(OptionError, match=sentence) as caught:
        compile_selection(expression, 'select')
    assert '\n' not in str(caught.value)


def test_an_evaluation_error_names_the_expression_and_the_terminal():
    selection = compile_selection('length(registered) > `0`', 'aicc_gate_exclude_when')
    with pytest.raises(
        OptionError,
        match=r"^aicc_gate_exclude_when='length\(registered\) > `0`' cannot be evaluated " r'for terminal 1001: ',
    ) as caught:
        selection.matches(SIP_UP)
    assert '\n' not in str(caught.value)


def test_a_long_expression_is_shortened_in_the_sentence():
    expression = 'uaps[?' + 'x' * 200
    with pytest.raises(OptionError, match=r'\.\.\. \(206 characters\) is not a valid JMESPath expression') as caught:
        compile_selection(expression, 'select')
    assert 'x' * 100 not in str(caught.value)


def test_without_jmespath_the_sentence_says_to_install_it(monkeypatch):
    monkeypatch.setattr(_select, 'HAS_JMESPATH', False)
    with pytest.raises(
        OptionError,
        match=r'^select needs the Python library jmespath: install it \(pip install jmespath\) '
        r'on the host that runs this task$',
    ):
        compile_selection('registered', 'select')
