# Copyright (c) 2026 aicc.cms contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Wildcard matching: ``*``/``%`` zero or more, ``?`` exactly one, everything else literal."""

from __future__ import annotations

import pytest
from simulator.store import TerminalStore

SPECIAL_IDS = ['a.b', 'axb', 'a+b', 'aab', '[1]', '1', '(x|y)', 'x', '^88', '8.5', '805', '80', 'a\\b']


@pytest.fixture(scope='module')
def store():
    entries = [
        {'equipmentId': eid, 'rows': {'10.10.0.1#1': {'registerStatus': 'registered'}}}
        for eid in SPECIAL_IDS + ['8880000', '8880001', '8880010', '8880011', '8881001', '88800', '888', '8830', '8831']
    ]
    return TerminalStore.from_entries(entries)


@pytest.mark.parametrize(
    'pattern, expected',
    [
        ('8880001', ['8880001']),
        ('8880002', []),
        ('888000?', ['8880000', '8880001']),
        ('888001?', ['8880010', '8880011']),
        ('88800??', ['8880000', '8880001', '8880010', '8880011']),
        ('8880*', ['88800', '8880000', '8880001', '8880010', '8880011']),
        ('8880%', ['88800', '8880000', '8880001', '8880010', '8880011']),
        ('888*', ['888', '88800', '8880000', '8880001', '8880010', '8880011', '8881001']),
        ('888?', []),
        ('8880?', ['88800']),
        ('%3?', ['8830', '8831']),
        ('*1', ['1', '8831', '8880001', '8880011', '8881001']),
        ('8*1*1', ['8880011', '8881001']),
        ('8%0?1', ['8880001', '8880011', '8881001']),
        ('a.b', ['a.b']),
        ('a?b', ['a+b', 'a.b', 'a\\b', 'aab', 'axb']),
        ('a+b', ['a+b']),
        ('[1]', ['[1]']),
        ('(x|y)', ['(x|y)']),
        ('^88', ['^88']),
        ('8.5', ['8.5']),
        ('8.?', ['8.5']),
        ('8.%', ['8.5']),
        ('a\\b', ['a\\b']),
        ('?', ['1', 'x']),
        (
            '*',
            sorted(
                SPECIAL_IDS + ['8880000', '8880001', '8880010', '8880011', '8881001', '88800', '888', '8830', '8831']
            ),
        ),
        (
            '**%',
            sorted(
                SPECIAL_IDS + ['8880000', '8880001', '8880010', '8880011', '8881001', '88800', '888', '8830', '8831']
            ),
        ),
    ],
)
def test_wildcard_table(store, pattern, expected):
    assert store.match(pattern) == sorted(expected)


def test_large_store_prefix_match():
    store = TerminalStore.generate(['8800000-8899999'], uaps=1, seed=1)
    assert len(store) == 100_000
    assert store.match('881234?') == [f'881234{digit}' for digit in range(10)]
    assert len(store.match('88%99')) == 1000
    assert store.match('9*') == []
