# Copyright (c) 2026 aicc.cms contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Every error message that docs/troubleshooting.md indexes must be one the code can produce.

Each ``### `...` `` heading and each ``> `...` `` block quote (one or more backquoted messages per
line) is turned into a pattern (``…``, ``<...>`` and single capital letters such as ``N`` are
wildcards) and compared with the message templates of the collection: every string literal,
f-string and ``+`` concatenation in the Python sources under ``plugins/`` (``%s``/``%d``/``%r``/``{}``/
f-string fields are wildcards), and every ``msg:``/``fail_msg:`` of the role and the playbooks (Jinja
expressions are wildcards). A message matches when some template and the message can stand for the
same text.

A few headings quote ansible-core, not this collection; they are listed in ANSIBLE_CORE_HEADINGS
with the core text they rely on, checked against ansible-core's sources when it is installed.
Plain pytest: nothing here imports or runs Ansible.
"""

from __future__ import annotations

import ast
import functools
import importlib.util
import pathlib
import re
import typing as t

import pytest
import yaml

ROOT = pathlib.Path(__file__).resolve().parents[2]
TROUBLESHOOTING = ROOT / 'docs' / 'troubleshooting.md'
YAML_MESSAGE_SOURCES = ('roles', 'playbooks')
YAML_MESSAGE_KEYS = frozenset(('msg', 'fail_msg', 'success_msg'))

# Shorter templates ('%s: %s', f'{a} {b}') would match almost any heading.
MIN_LITERAL_CHARACTERS = 12

# Heading text quoted from ansible-core -> texts that must be in ansible-core's Python sources.
ANSIBLE_CORE_HEADINGS = {
    'missing required arguments: access_key, secret_key, url': ('missing required arguments: %s',),
    'Unsupported parameters for (aicc.cms.aicc_terminal_status) module: …': (
        'Unsupported parameters for ({name}) {kind}: {msg}',
    ),
    "argument 'validate_certs' is of type str and we were unable to convert to bool: The value '…' is not a valid boolean. …": (
        "argument '%s' is of type %s",
        ' and we were unable to convert to %s: %s',
        "The value '%s' is not a valid boolean.",
    ),
    "argument '…' is of type str and we were unable to convert to int: …": (
        "argument '%s' is of type %s",
        ' and we were unable to convert to %s: %s',
    ),
    '… to float: …': (' and we were unable to convert to %s: %s',),
    'Failed to import the required Python library (requests) on …': (
        'Failed to import the required Python library (%s) on %s',
    ),
    'Module result deserialization failed': ('Module result deserialization failed',),
    'MODULE FAILURE': ('MODULE FAILURE',),
}
# Headings naming the same failure in the words of different ansible-core versions: one of each
# group is enough in the installed core.
ANSIBLE_CORE_VERSION_ALTERNATIVES = ({'Module result deserialization failed', 'MODULE FAILURE'},)


class _Any:
    """A wildcard token: any text, possibly empty."""

    def __repr__(self) -> str:
        return '…'


ANY = _Any()
Pattern = tuple  # of single characters and ANY

_PRINTF = re.compile(r'%(?:\([^)]*\))?[-#0 +]*(?:\d+|\*)?(?:\.(?:\d+|\*))?[sdirgfexXc]')
_BRACES = re.compile(r'\{[^{}]*\}')
_JINJA = re.compile(r'\{\{.*?\}\}|\{%.*?%\}', re.DOTALL)
_HEADING_PLACEHOLDERS = re.compile(r'…|<[^<>\s]+>|\b[A-Z]\b')


def _pattern(text: str, placeholder: t.Pattern[str]) -> Pattern:
    """Characters of ``text`` with each ``placeholder`` match as ANY; whitespace runs become one space."""
    tokens: list = []
    position = 0
    for match in placeholder.finditer(text):
        tokens.extend(text[position : match.start()])
        tokens.append(ANY)
        position = match.end()
    tokens.extend(text[position:])
    collapsed: list = []
    for token in tokens:
        token = ' ' if isinstance(token, str) and token.isspace() else token
        if collapsed and ((token is ANY and collapsed[-1] is ANY) or (token == ' ' and collapsed[-1] == ' ')):
            continue
        collapsed.append(token)
    while collapsed and collapsed[0] == ' ':
        collapsed.pop(0)
    while collapsed and collapsed[-1] == ' ':
        collapsed.pop()
    return tuple(collapsed)


def patterns_overlap(first: Pattern, second: Pattern) -> bool:
    """Whether some text matches both patterns: a depth-first search that gives up early on most templates."""
    stack, seen = [(0, 0)], set()
    while stack:
        i, j = stack.pop()
        if (i, j) in seen:
            continue
        seen.add((i, j))
        if i == len(first) and j == len(second):
            return True
        if i < len(first) and first[i] is ANY:
            stack += [(i, j + 1)] if j < len(second) else []
            stack.append((i + 1, j))
        elif j < len(second) and second[j] is ANY:
            stack += [(i + 1, j)] if i < len(first) else []
            stack.append((i, j + 1))
        elif i < len(first) and j < len(second) and first[i] == second[j]:
            stack.append((i + 1, j + 1))
    return False


def shared_literal_characters(first: Pattern, second: Pattern) -> int | None:
    """How many literal characters the two patterns share in their best common text, or None when no text
    matches both (ANY stands for any text on either side)."""
    rows, columns = len(first), len(second)
    impossible = -1
    # best[i][j]: the most literal characters matched to each other by first[i:] and second[j:]
    best = [[impossible] * (columns + 1) for _row in range(rows + 1)]
    best[rows][columns] = 0
    for i in range(rows, -1, -1):
        for j in range(columns, -1, -1):
            if i == rows and j == columns:
                continue
            candidates = []
            if i < rows and first[i] is ANY:
                candidates += [best[i + 1][j], best[i][j + 1] if j < columns else impossible]
            if j < columns and second[j] is ANY:
                candidates += [best[i][j + 1], best[i + 1][j] if i < rows else impossible]
            if (
                i < rows
                and j < columns
                and first[i] is not ANY
                and first[i] == second[j]
                and best[i + 1][j + 1] != impossible
            ):
                candidates.append(best[i + 1][j + 1] + 1)
            best[i][j] = max(candidates, default=impossible)
    return None if best[0][0] == impossible else best[0][0]


def _literal_count(pattern: Pattern) -> int:
    return sum(1 for token in pattern if token is not ANY)


def patterns_agree(heading: Pattern, template: Pattern) -> bool:
    """Whether some text matches both, with at least half of the shorter fixed text matched as fixed text.

    The second condition keeps a heading that starts with a wildcard from matching any template that ends with
    one (the wildcards would swallow both texts whole).
    """
    if not patterns_overlap(heading, template):
        return False
    shared = shared_literal_characters(heading, template)
    return shared is not None and shared >= min(_literal_count(heading), _literal_count(template)) / 2


# -- templates the code can produce -----------------------------------------------------------------------------------


def _python_template(node: ast.AST) -> str | None:
    """The node as a format text with a NUL for every value computed at run time, or None if it holds no literal."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return _BRACES.sub('\0', _PRINTF.sub('\0', node.value.replace('%%', '\x01'))).replace('\x01', '%')
    if isinstance(node, ast.JoinedStr):
        return ''.join(part.value if isinstance(part, ast.Constant) else '\0' for part in node.values)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left, right = _python_template(node.left), _python_template(node.right)
        if left is None and right is None:
            return None
        return (left if left is not None else '\0') + (right if right is not None else '\0')
    return None


def _python_templates(source: str) -> t.Iterator[str]:
    tree = ast.parse(source)
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))
        and node.body
        and isinstance(node.body[0], ast.Expr)
    }
    for node in ast.walk(tree):
        if id(node) in docstrings:
            continue
        template = _python_template(node)
        if template is not None:
            yield template


def _yaml_messages(data: object) -> t.Iterator[str]:
    if isinstance(data, dict):
        for key, value in data.items():
            if key in YAML_MESSAGE_KEYS and isinstance(value, str):
                yield value
            else:
                yield from _yaml_messages(value)
    elif isinstance(data, list):
        for item in data:
            yield from _yaml_messages(item)


@functools.cache
def code_templates() -> tuple[Pattern, ...]:
    templates = set()
    for path in sorted((ROOT / 'plugins').rglob('*.py')):
        for text in _python_templates(path.read_text(encoding='utf-8')):
            templates.add(_pattern(text, re.compile('\0')))
    for folder in YAML_MESSAGE_SOURCES:
        for path in sorted((ROOT / folder).rglob('*.yml')):
            for text in _yaml_messages(yaml.safe_load(path.read_text(encoding='utf-8'))):
                templates.add(_pattern(text, _JINJA))
    return tuple(
        template for template in templates if sum(1 for token in template if token is not ANY) >= MIN_LITERAL_CHARACTERS
    )


def produced_by_code(message: str) -> bool:
    heading = _pattern(message, _HEADING_PLACEHOLDERS)
    return any(patterns_agree(heading, template) for template in code_templates())


# -- the headings ----------------------------------------------------------------------------------------------------


def heading_messages(markdown: str) -> list[str]:
    """The backquoted messages of every ``### `...` `` heading and of every block quote (``> `...` ``), in order."""
    messages = []
    for line in markdown.splitlines():
        if line.startswith(('### `', '> `')):
            messages.extend(re.findall(r'`([^`]+)`', line[line.index('`') :]))
    return messages


def test_the_guide_indexes_the_messages_of_a_failed_query_a_reversed_range_and_the_gate():
    # the sentences users meet most, looked up by their start: a failed query (quoted in the introduction), an
    # EID range written backwards, a gate below its ratio, a postcheck without its baseline
    messages = heading_messages(TROUBLESHOOTING.read_text(encoding='utf-8'))
    assert {
        'N of M queries failed, so K requested terminals are unknown; first failure: EID … : <reason>',
        "EID range '…' starts after it ends: write the lower bound first",
        'Only X% of the N terminals found are registered (R), below aicc_gate_min_registered_ratio Y%.',
        'No baseline to compare with: the variable aicc_gate_baseline is not set and the file … does not exist. …',
    } <= set(messages)


def test_every_message_the_guide_indexes_is_one_the_code_produces():
    messages = heading_messages(TROUBLESHOOTING.read_text(encoding='utf-8'))
    unknown = [
        message for message in messages if message not in ANSIBLE_CORE_HEADINGS and not produced_by_code(message)
    ]
    assert not unknown, 'messages of docs/troubleshooting.md that no code produces:\n' + '\n'.join(unknown)


def test_the_guide_explains_the_ansible_core_messages_users_meet_with_the_collection():
    # a missing or unknown option, a value that is not a boolean or a number, no requests library, a module crash
    messages = heading_messages(TROUBLESHOOTING.read_text(encoding='utf-8'))
    lost = sorted(set(ANSIBLE_CORE_HEADINGS) - set(messages))
    assert not lost, f'docs/troubleshooting.md no longer explains these ansible-core messages: {lost}'


@functools.cache
def _ansible_core_source() -> str:
    spec = importlib.util.find_spec('ansible')
    if spec is None or not spec.submodule_search_locations:
        pytest.skip('ansible-core is not installed')
    package = pathlib.Path(list(spec.submodule_search_locations)[0])
    parts = [
        (package / relative).read_text(encoding='utf-8')
        for relative in (
            'module_utils/basic.py',
            'module_utils/common/parameters.py',
            'module_utils/common/validation.py',
            'module_utils/parsing/convert_bool.py',
            'plugins/action/__init__.py',
        )
    ]
    return '\n'.join(parts)


@pytest.mark.parametrize('heading', sorted(ANSIBLE_CORE_HEADINGS))
def test_ansible_core_heading_texts_exist_in_ansible_core(heading):
    source = _ansible_core_source()
    group = next((group for group in ANSIBLE_CORE_VERSION_ALTERNATIVES if heading in group), {heading})
    found = [name for name in sorted(group) if all(text in source for text in ANSIBLE_CORE_HEADINGS[name])]
    assert found, (
        f'ansible-core has none of {[ANSIBLE_CORE_HEADINGS[name] for name in sorted(group)]} (heading {heading!r})'
    )
