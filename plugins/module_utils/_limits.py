# Copyright (c) 2026 aicc.cms contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Every number option's default and accepted range, stated once, and the one check of a number.

Pure: no Ansible. The option layer (``_options``), the client, the planner, the engine and the gate
all check numbers with ``check_number``, so a bound has one value and one sentence everywhere. The
doc fragments and the role's argument specs are held against this table by unit tests.
"""

from __future__ import annotations

import math
import typing as t

from ansible_collections.aicc.cms.plugins.module_utils._errors import OptionError

# The vendor page's rules.
API_MAX_IN_FLIGHT = 10  # more than 10 concurrent requests degrade the API and time out
API_MATCH_LIMIT = 200  # a wildcard EID must match fewer terminals than this


class Number(t.NamedTuple):
    """An accepted range (``maximum`` None: unbounded); ``above`` excludes the minimum itself."""

    minimum: float
    maximum: float | None
    default: float | None = None
    whole: bool = True
    seconds: bool = False
    above: bool = False


def _duration(minimum: float, maximum: float, default: float, whole: bool = False) -> Number:
    """Seconds an exchange or a wait may take: above the minimum (a duration of 0 is no duration)."""
    return Number(minimum, maximum, default, whole=whole, seconds=True, above=True)


# The options of the module, the lookup, the inventory and aicc_cms_info.
NUMBERS: dict[str, Number] = {
    'cc_id': Number(0, 2**31 - 1),
    'timeout': _duration(0, 3600, 30.0),
    'total_timeout': _duration(0, 86400, 3600.0),
    'retries': Number(0, 10, 3),
    'max_concurrency': Number(1, API_MAX_IN_FLIGHT, 5),
    'page_size': Number(1, 1000, 100),
    'max_matches_per_query': Number(1, API_MATCH_LIMIT - 1, 100),
    # Every ID of the ranges is held while planning and answering (about 100 bytes each): the most
    # max_range_size may be raised to is also the most IDs all ranges of one task may hold together.
    'max_range_size': Number(1, 10_000_000, 1_000_000),
    'wait_timeout': _duration(0, 86400, 300, whole=True),
    'wait_interval': _duration(0, 3600, 10, whole=True),
    'max_queries': Number(1, 100, 6),  # aicc_cms_info's requests
}

# No accepted number needs more characters than this, nor is larger; longer text is refused unread.
MAX_NUMBER_TEXT = 40
_LARGEST_NUMBER = 10**15


def default_of(name: str) -> t.Any:
    """The documented default of number option ``name``."""
    return NUMBERS[name].default


def _text(number: float) -> str:
    return str(int(number)) if float(number).is_integer() else f'{number:g}'


def shown(value: t.Any) -> str:
    """``value`` for a sentence; a huge integer as its size (its digits could not even be printed past 4300)."""
    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > 64:
        return f'an integer of {value.bit_length()} bits'
    if isinstance(value, str) and len(value) > MAX_NUMBER_TEXT:
        return f'{value[:MAX_NUMBER_TEXT]!r}... ({len(value)} characters)'
    return repr(value)


def number_sentence(name: str, value: t.Any, number: Number | None = None) -> str:
    """The sentence naming ``name``, its accepted range and the value given."""
    number = NUMBERS[name] if number is None else number
    if number.seconds:
        kind = ('a whole number' if number.whole else 'a number') + ' of seconds'
    else:
        kind = 'an integer' if number.whole else 'a number'
    if number.above:
        bounds = f'above {_text(number.minimum)}' + (
            '' if number.maximum is None else f' and at most {_text(number.maximum)}'
        )
    elif number.maximum is None:
        bounds = f'of at least {_text(number.minimum)}'
    else:
        bounds = f'between {_text(number.minimum)} and {_text(number.maximum)}'
    return f'{name} must be {kind} {bounds}, got {shown(value)}'


def as_number(value: t.Any, text: bool = False) -> float | int | None:
    """A finite int or float from a number, or from numeric text when ``text``, else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str) and text:
        stripped = value.strip()
        if not stripped or len(stripped) > MAX_NUMBER_TEXT:
            return None
        try:
            value = int(stripped)
        except ValueError:
            try:
                value = float(stripped)
            except ValueError:
                return None
    if not isinstance(value, (int, float)):
        return None
    if isinstance(value, float) and not math.isfinite(value) or abs(value) > _LARGEST_NUMBER:
        return None
    return value


def check_number(name: str, value: t.Any, number: Number | None = None, text: bool = False) -> int | float | None:
    """``value`` as an int (whole ranges) or a float within the range of ``name`` (or ``number``), the default
    when ``value`` is None (an option left unset); else OptionError with the one sentence. Numeric text is
    accepted with ``text`` (role variables: extra vars given as key=value are text)."""
    number = NUMBERS[name] if number is None else number
    if value is None:
        return number.default
    converted = as_number(value, text)
    if (
        converted is None
        or (number.whole and not float(converted).is_integer())
        or converted < number.minimum
        or (number.above and converted == number.minimum)
        or (number.maximum is not None and converted > number.maximum)
    ):
        raise OptionError(number_sentence(name, value, number))
    return int(converted) if number.whole else float(converted)
