# Copyright (c) 2026 aicc.cms contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Planner: bounded queries for IDs, ranges and patterns."""

from __future__ import annotations

import pytest
from ansible_collections.aicc.cms.plugins.module_utils._errors import OptionError, PlanError
from ansible_collections.aicc.cms.plugins.module_utils._query.planner import Query, plan_queries, wildcards_per_block
from hypothesis import given, settings
from hypothesis import strategies as st


def possible_digit_matches(eid: str) -> int:
    assert '*' not in eid and '%' not in eid
    return 10 ** eid.count('?')


def covers(eid: str, equipment_id: str) -> bool:
    return len(eid) == len(equipment_id) and all(p in ('?', c) for p, c in zip(eid, equipment_id, strict=True))


@pytest.mark.parametrize('maximum, wildcards', [(1, 0), (9, 0), (10, 1), (99, 1), (100, 2), (199, 2)])
def test_wildcards_per_block(maximum, wildcards):
    assert wildcards_per_block(maximum) == wildcards


def test_listed_ids_sharing_a_block_share_a_query():
    plan = plan_queries(eids=['88881757', '88881758', '88882001', 'sip-agent.1', '88881757'])
    assert plan.queries == (
        Query('88881757', None)._replace(eid='888817??', wanted=frozenset({'88881757', '88881758'})),
        Query('88882001', frozenset({'88882001'})),
        Query('sip-agent.1', frozenset({'sip-agent.1'})),
    )
    assert plan.unbounded == ()
    assert plan.wanted_ids == frozenset({'88881757', '88881758', '88882001', 'sip-agent.1'})


def test_range_and_listed_ids_in_same_block():
    plan = plan_queries(eids=['1005'], eid_ranges=['1090-1210'])
    assert [q.eid for q in plan.queries] == ['10??', '11??', '12??']
    assert plan.queries[0].wanted == frozenset({'1005'} | {str(n) for n in range(1090, 1100)})
    assert len(plan.queries[1].wanted) == 100
    assert plan.queries[2].wanted == frozenset(str(n) for n in range(1200, 1211))


def test_range_keeps_leading_zeros_and_single_id_blocks_are_exact():
    plan = plan_queries(eid_ranges=['0099-0100', ' 0500 - 0500 '])
    assert [q.eid for q in plan.queries] == ['0099', '0100', '0500']


def test_short_ids_use_fewer_wildcards():
    plan = plan_queries(eids=['5', '7'], max_matches_per_query=100)
    assert plan.queries == (Query('?', frozenset({'5', '7'})),)


def test_small_maximum_sends_exact_ids():
    plan = plan_queries(eids=['1001', '1002'], max_matches_per_query=9)
    assert [q.eid for q in plan.queries] == ['1001', '1002']


def test_bounded_question_mark_pattern_is_sent_as_is():
    plan = plan_queries(eids=['8888??'])
    assert plan.queries == (Query('8888??', None),)
    assert plan.patterns == ('8888??',)


@pytest.mark.parametrize('pattern', ['8888*', '%3?', '8888???'])
def test_unbounded_patterns_refused_with_the_fix(pattern):
    with pytest.raises(PlanError) as caught:
        plan_queries(eids=[pattern])
    message = str(caught.value)
    assert repr(pattern) in message and 'fewer than 200' in message
    assert 'eid_ranges' in message and 'allow_unbounded_wildcards=true' in message


def test_unbounded_patterns_allowed_on_request():
    plan = plan_queries(eids=['8888*', '12??', '88881234'], allow_unbounded_wildcards=True)
    assert plan.unbounded == ('8888*',)
    assert [q.eid for q in plan.queries] == ['12??', '8888*', '88881234']


def test_user_pattern_equal_to_a_block_pattern_keeps_both():
    plan = plan_queries(eids=['12??', '1201', '1202'])
    assert plan.queries == (Query('12??', None), Query('12??', frozenset({'1201', '1202'})))


@pytest.mark.parametrize(
    'eids, ranges, fragment',
    [
        (['88 88'], [], 'contains characters outside'),
        (['8888/1'], [], 'contains characters outside'),
        ([''], [], 'empty entry'),
        ([None], [], 'must hold strings'),
        ([], ['200-199'], 'starts after it ends'),
        ([], ['100-1000'], 'different lengths'),
        ([], ['abc-def'], 'START-END with digits only'),
        ([], ['1-2-3'], 'START-END with digits only'),
        ({'a': 1}, [], 'must be a list of strings'),
        ([], ['0000000-1000000'], 'more than max_range_size=1000000'),
    ],
)
def test_bad_input_is_one_sentence(eids, ranges, fragment):
    with pytest.raises(PlanError, match=fragment):
        plan_queries(eids=eids, eid_ranges=ranges)


@pytest.mark.parametrize(
    'options',
    [
        {'max_matches_per_query': 200},
        {'max_matches_per_query': 0},
        {'max_matches_per_query': True},
        {'max_range_size': 0},
    ],
)
def test_option_bounds(options):
    with pytest.raises(OptionError):
        plan_queries(eids=['1'], **options)


def test_single_string_accepted():
    assert plan_queries(eids='1234').queries == (Query('1234', frozenset({'1234'})),)


@pytest.mark.parametrize(
    'eids, shown',
    [
        (8, '8'),
        ([83], '83'),
        (['8880001', 8880001.0], '8880001.0'),
        ([float('inf')], 'inf'),
        ([10**100], 'an integer of 333 bits'),
    ],
)
def test_ids_that_arrived_as_numbers_are_refused(eids, shown):
    """YAML reads 010 as 8 and 0123 as 83: the text of the ID is lost, so querying it would ask for another terminal."""
    with pytest.raises(PlanError, match=rf'^eids holds the number {shown} where a string belongs: quote the ID'):
        plan_queries(eids=eids)
    with pytest.raises(PlanError, match=r'^eid_ranges holds the number'):
        plan_queries(eid_ranges=[8880000])


def test_max_range_size_has_a_ceiling():
    with pytest.raises(
        OptionError, match=r'^max_range_size must be an integer between 1 and 10000000, got 9000000000$'
    ):
        plan_queries(eid_ranges=['0000000000-8999999999'], max_range_size=9 * 10**9)


def test_oversized_ranges_are_refused_before_any_id_is_generated():
    # five ranges of 2 million and one of 2 pass max_range_size one by one, but not together; the sentence comes
    # before 10 million IDs are built
    ranges = [f'{digit}0000000-{digit}1999999' for digit in range(1, 6)]
    with pytest.raises(
        PlanError, match=r'^eid_ranges hold 10000002 IDs together, more than the 10000000 one task can plan'
    ):
        plan_queries(eid_ranges=ranges + ['9000000000-9000000001'], max_range_size=10**7)


def test_ten_thousand_ids_in_one_hundred_blocks():
    ids = [f'{20_000_000 + block * 1000 + n:08d}' for block in range(100) for n in range(100)]
    plan = plan_queries(eids=ids)
    assert len(plan.queries) == 100
    assert all(q.eid.endswith('??') and len(q.wanted) == 100 for q in plan.queries)


def test_million_id_range_is_planned():
    plan = plan_queries(eid_ranges=['10000000-10999999'])
    assert len(plan.queries) == 10_000
    assert len(plan.wanted_ids) == 1_000_000


digit_ids = st.text(alphabet='0123456789', min_size=1, max_size=7)


@st.composite
def digit_ranges(draw):
    length = draw(st.integers(1, 6))
    start = draw(st.integers(0, 10**length - 1))
    end = draw(st.integers(start, min(10**length - 1, start + 3000)))
    return f'{start:0{length}d}-{end:0{length}d}'


@settings(max_examples=150, deadline=None)
@given(
    ids=st.lists(digit_ids | st.from_regex(r'[A-Za-z][A-Za-z0-9_.-]{0,6}', fullmatch=True), max_size=60),
    ranges=st.lists(digit_ranges(), max_size=3),
    maximum=st.integers(1, 199),
)
def test_plan_properties(ids, ranges, maximum):
    plan = plan_queries(eids=ids, eid_ranges=ranges, max_matches_per_query=maximum)
    requested = set(ids)
    for text in ranges:
        start, end = text.split('-')
        requested.update(f'{n:0{len(start)}d}' for n in range(int(start), int(end) + 1))
    # No query can match more than the maximum of digit IDs.
    assert all(possible_digit_matches(q.eid) <= maximum for q in plan.queries)
    # Every requested ID is wanted by exactly one query, and that query can match it.
    owners = {}
    for query in plan.queries:
        assert query.wanted
        for equipment_id in query.wanted:
            assert equipment_id not in owners
            owners[equipment_id] = query
            assert covers(query.eid, equipment_id)
    assert set(owners) == requested
    # Never more queries than IDs, nor than blocks touched.
    wildcards = wildcards_per_block(maximum)
    blocks = {(len(i), i[: max(0, len(i) - wildcards)]) if i.isdigit() else i for i in requested}
    assert len(plan.queries) <= len(requested)
    assert len(plan.queries) <= len(blocks)
    assert [q.eid for q in plan.queries] == sorted(q.eid for q in plan.queries)
    assert plan == plan_queries(eids=list(reversed(ids)), eid_ranges=ranges, max_matches_per_query=maximum)
