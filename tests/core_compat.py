# Copyright (c) 2026 aicc.cms contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""What ansible-core itself words, lays out or stores differently between releases, in the 2.19 form.

The tests compare with ansible-core 2.19's output; on the older cores the collection supports
(2.17, 2.18) the same outcome arrives in another form, through no doing of the collection:

- ``unwrapped``: warnings and errors on stderr are wrapped at 79 columns.
- ``validator_wording``: the argument validator (AnsibleModule and ArgumentSpecValidator, so the
  module and the plugins alike) writes ``is of type <class 'str'>`` where 2.19 writes
  ``is of type str``. Only builtin class names are rewritten: a dotted name such as
  ``<class 'ansible.parsing.yaml.objects.AnsibleUnicode'>`` is a real difference and is kept.
- ``cached_value`` / ``replace_cached_value``: the jsonfile cache plugin stores the value itself
  where 2.19 stores it as JSON text under ``__payload__``.
- ``composed``: templating is not native, so a ``compose`` expression gives text (an int is ``'2'``).
"""

from __future__ import annotations

import ast
import importlib.util
import json
import re
import typing as t

# textwrap breaks lines at whitespace (dropped) or after the hyphen of a hyphenated word (kept).
_BREAK_AFTER_HYPHEN = re.compile(r'(?<=\w-)\n(?=\w)')
_BREAK_INSIDE_MESSAGE = re.compile(r'\n(?!\[WARNING\]|\[DEPRECATION WARNING\]|ERROR!|\n|$)')
_BUILTIN_CLASS = re.compile(r"is of type <class '(\w+)'>")
_PAYLOAD = '__payload__'


def unwrapped(text: str) -> str:
    """Each warning or error of ``text`` on one line, as ansible-core 2.19 prints it."""
    return _BREAK_INSIDE_MESSAGE.sub(' ', _BREAK_AFTER_HYPHEN.sub('', text))


def validator_wording(text: str) -> str:
    """``text`` with the validator's class names written as ansible-core 2.19 writes them."""
    return _BUILTIN_CLASS.sub(r'is of type \1', text)


def as_on_2_19(text: str) -> str:
    """Ansible's stderr unwrapped and in the validator's 2.19 wording."""
    return validator_wording(unwrapped(text))


def cached_value(stored: str) -> t.Any:
    """The value a jsonfile cache file holds, whatever the core's layout."""
    entry = json.loads(stored)
    return json.loads(entry[_PAYLOAD]) if isinstance(entry, dict) and _PAYLOAD in entry else entry


def replace_cached_value(stored: str, value: t.Any) -> str:
    """The text of a jsonfile cache file holding ``value`` instead, in the layout of ``stored``."""
    entry = json.loads(stored)
    if isinstance(entry, dict) and _PAYLOAD in entry:
        return json.dumps(dict(entry, **{_PAYLOAD: json.dumps(value)}))
    return json.dumps(value)


def composed(value: t.Any) -> t.Any:
    """A ``compose`` result as ansible-core 2.19 gives it; before 2.19 its text is read back as a Python literal."""
    try:
        native_templating = importlib.util.find_spec('ansible._internal._templating') is not None
    except ModuleNotFoundError:  # no ansible._internal before 2.19
        native_templating = False
    if native_templating or not isinstance(value, str):
        return value
    return ast.literal_eval(value)
