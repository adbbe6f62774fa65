# Copyright (c) 2026 aicc.cms contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The ``select`` option: a JMESPath expression over one terminal record, compiled once, evaluated per record.

Ansible-free: front ends check ``HAS_JMESPATH`` and say how to install it; this module only raises
OptionError with one sentence.
"""

from __future__ import annotations

import traceback
import typing as t

from ansible_collections.aicc.cms.plugins.module_utils._errors import OptionError

try:
    import jmespath
    from jmespath import exceptions as jmespath_exceptions
    from jmespath import functions as jmespath_functions
except ImportError:
    HAS_JMESPATH = False
    JMESPATH_IMPORT_ERROR: str | None = traceback.format_exc()
else:
    HAS_JMESPATH = True
    JMESPATH_IMPORT_ERROR = None

# Longer expressions are refused: a selection of terminal fields fits easily, and the bound keeps parsing cheap.
MAX_EXPRESSION_LENGTH = 1000
# Expressions are echoed in sentences up to this many characters.
_SHOWN_LENGTH = 80


def _shown(expression: str) -> str:
    if len(expression) > _SHOWN_LENGTH:
        return f'{expression[:_SHOWN_LENGTH]!r}... ({len(expression)} characters)'
    return repr(expression)


def missing_library_sentence(option: str) -> str:
    """The sentence when jmespath cannot be imported where the task runs."""
    return (
        f'{option} needs the Python library jmespath: install it (pip install jmespath) on the host that runs this task'
    )


def _parse_reason(error: Exception) -> str:
    """jmespath's reason in one line: its message without the echoed expression and the caret lines."""
    first_line = str(error).split('\n', 1)[0]
    reason = first_line.split(': ', 1)[1] if ': ' in first_line else first_line
    reason = reason.replace(', for expression:', '').rstrip(':').strip()
    position = getattr(error, 'lex_position', None)
    if isinstance(position, int) and 'column' not in reason:
        reason = f'{reason} at column {position}'
    return reason or type(error).__name__


def _function_problem(node: t.Any, table: t.Mapping[str, dict]) -> str | None:
    """The first call of an unknown function or with the wrong number of arguments (jmespath checks them
    only while evaluating: found here, a misspelt function fails before any request)."""
    if not isinstance(node, dict):
        return None
    if node.get('type') == 'function_expression':
        name = node.get('value')
        given = len(node.get('children') or ())
        entry = table.get(name)
        if entry is None:
            return f'unknown function {name}()'
        signature = entry['signature']
        variadic = bool(signature) and bool(signature[-1].get('variadic'))
        if given < len(signature) or (not variadic and given > len(signature)):
            return (
                f'function {name}() takes {("at least " if variadic else "")}{len(signature)}'
                f' argument{("" if len(signature) == 1 else "s")}, got {given}'
            )
    for child in node.get('children') or ():
        problem = _function_problem(child, table)
        if problem:
            return problem
    return None


def is_true(value: t.Any) -> bool:
    """JMESPath truthiness: false, null and an empty string, list or object are false; anything else (0 too) is true."""
    if value is None or value is False:
        return False
    if isinstance(value, (str, list, dict)):
        return len(value) > 0
    return True


class Selection:
    """A compiled ``select`` expression; ``matches(record)`` tells whether a terminal record is kept."""

    def __init__(self, expression: str, option: str, compiled: t.Any) -> None:
        self.expression = expression
        self.option = option
        self._compiled = compiled

    def matches(self, record: t.Mapping[str, t.Any]) -> bool:
        """Whether ``record`` satisfies the expression; an evaluation error raises OptionError naming the terminal."""
        try:
            return is_true(self._compiled.search(record))
        except (jmespath_exceptions.JMESPathError, RecursionError, ValueError, TypeError) as error:
            reason = str(error).split('\n', 1)[0].rstrip(':') or type(error).__name__
            raise OptionError(
                f'{self.option}={_shown(self.expression)} cannot be evaluated for terminal'
                f' {record.get("equipment_id")}: {reason}; fix the expression for the fields of a terminal record'
            ) from None


def compile_selection(expression: t.Any, option: str) -> Selection:
    """Compile ``expression`` once; raise OptionError with one sentence naming ``option`` when it is no valid selection."""
    if not isinstance(expression, str):
        raise OptionError(f'{option} must be a JMESPath expression (a string), got {type(expression).__name__}')
    if not expression.strip():
        raise OptionError(f'{option} must be a JMESPath expression, got an empty string: give one or remove the option')
    if len(expression) > MAX_EXPRESSION_LENGTH:
        raise OptionError(
            f'{option} must be a JMESPath expression of at most {MAX_EXPRESSION_LENGTH} characters, got'
            f' {len(expression)} characters'
        )
    if not HAS_JMESPATH:
        raise OptionError(missing_library_sentence(option))
    try:
        compiled = jmespath.compile(expression)
    except jmespath_exceptions.JMESPathError as error:
        reason = _parse_reason(error)
    except RecursionError:
        reason = 'nested too deeply'
    else:
        reason = _function_problem(compiled.parsed, jmespath_functions.Functions().FUNCTION_TABLE)
        if reason is None:
            return Selection(expression, option, compiled)
    raise OptionError(f'{option}={_shown(expression)} is not a valid JMESPath expression: {reason}')
