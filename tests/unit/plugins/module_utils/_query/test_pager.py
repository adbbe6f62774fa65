# Copyright (c) 2026 aicc.cms contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The pager against a scripted server for each reading of the vendor page: exact rows, exact requests."""

from __future__ import annotations

import random

import pytest
from ansible_collections.aicc.cms.plugins.module_utils._query.normalizer import parse_page
from ansible_collections.aicc.cms.plugins.module_utils._query.pager import (
    ALL_READINGS,
    Pager,
    PagingContradiction,
    Reading,
    ServerProfile,
    paging_state,
)

from ...scripted_cms import terminal_row

UAPS = ('10.9.0.1#1', '10.9.0.2#2', '10.9.0.3#3')


def membership(number: int, uaps: tuple = UAPS[:1], partial: bool = False, start: int = 88880000) -> dict:
    """{equipment ID: its UAP keys}; ``partial``: some terminals are missing from some UAPs (never from all)."""
    picker = random.Random(7)
    terminals = {}
    for n in range(number):
        keys = [uap for uap in uaps if not partial or picker.random() < 0.6]
        terminals[str(start + n)] = keys or [uaps[n % len(uaps)]]
    return terminals


class ScriptedServer:
    """A CC-CMS written from the vendor page under one reading; answers (limit, offset) with a JSON payload."""

    def __init__(
        self,
        terminals: dict,
        unit: str = 'ids',
        offset_unit: str = 'items',
        count: str = 'ids',
        key_count: str = 'none',
        cap: int | None = None,
        order: str = 'id',
        shape: str = 'sample',
        empty=None,
        no_match: bool = False,
    ) -> None:
        self.unit, self.offset_unit, self.count, self.key_count = unit, offset_unit, count, key_count
        self.cap, self.shape, self.empty, self.no_match = cap, shape, empty, no_match
        rows = [(uap, eid) for eid in sorted(terminals) for uap in terminals[eid]]
        if order == 'uap':
            rows.sort(key=lambda row: UAPS.index(row[0]))
        elif order == 'shuffled':
            random.Random(3).shuffle(rows)
        self.rows = rows
        self.keys = [uap for uap in UAPS if any(row[0] == uap for row in rows)]
        self.requests = 0

    def page_rows(self, limit: int, offset: int) -> list[tuple]:
        size = min(limit, self.cap or limit)
        start = {'items': offset, 'pages': offset * size, 'ignored': 0}[self.offset_unit]
        if self.unit == 'rows':
            return self.rows[start : start + size]
        if self.unit == 'ids':
            ids = list(dict.fromkeys(eid for _uap, eid in self.rows))[start : start + size]
            return [row for row in self.rows if row[1] in set(ids)]
        return [row for key in self.keys for row in [row for row in self.rows if row[0] == key][start : start + size]]

    def answer(self, limit: int, offset: int) -> dict:
        self.requests += 1
        rows = self.page_rows(limit, offset)
        if not rows and self.no_match:
            return {'resultCode': '0101002', 'resultDesc': 'queried number does not exist on the UAP'}
        by_key: dict = {}
        for uap, eid in rows:
            by_key.setdefault(uap, []).append(terminal_row(eid))
        totals = {key: sum(1 for row in self.rows if row[0] == key) for key in self.keys}
        count = {
            'ids': len({eid for _uap, eid in self.rows}),
            'rows': len(self.rows),
            'page_rows': len(rows),
            'page_ids': len({eid for _uap, eid in rows}),
            'key_max': max(totals.values(), default=0),
            'key_first': totals[self.keys[0]] if self.keys else 0,
            'absent': None,
            'string': str(len({eid for _uap, eid in self.rows})),
        }[self.count]
        if self.shape in ('sample', 'list_sample'):
            desc: object = {'data': by_key or self.empty}
            if count is not None:
                desc['count'] = count
            if self.shape == 'list_sample':
                desc = [desc]
        else:
            tables = {}
            for key, items in by_key.items():
                tables[key] = {'data': items}
                if self.key_count != 'none':
                    tables[key]['count'] = totals[key] if self.key_count == 'key_total' else len(items)
            desc = tables or self.empty
            if self.shape == 'list_tables':
                desc = [{key: table} for key, table in tables.items()] or self.empty
        return {'resultCode': '0100000', 'resultDesc': desc}


def read_all(
    server: ScriptedServer, profile: ServerProfile | None = None, limit: int = 100, eid: str = '8888????', wanted=None
):
    """Page one query to its end as the client does; the rows as (UAP, ID) pairs."""
    profile = profile or ServerProfile(limit)
    pager = Pager(eid, limit, profile, wanted)
    offset = 0
    while offset is not None:
        offset = pager.feed(offset, parse_page(server.answer(limit, offset)))
    assert pager.learn()
    return {(row.uap, row.equipment_id) for row in pager.rows()}


def expected(server: ScriptedServer) -> set:
    return set(server.rows)


# One row per reading: (terminals, server reading, requests of a first query with no prior, requests of a
# second query once the first has taught the profile).
READINGS = [
    pytest.param(membership(250), {}, 4, 3, id='ids-count-ids'),
    pytest.param(membership(60), {}, 2, 2, id='one-short-page'),
    pytest.param(membership(100), {}, 2, 2, id='one-full-page'),
    pytest.param(membership(250), {'count': 'absent'}, 4, 3, id='no-count'),
    pytest.param(membership(250), {'count': 'string'}, 4, 3, id='count-as-string'),
    pytest.param(membership(250), {'count': 'page_rows'}, 4, 3, id='count-of-this-page'),
    pytest.param(membership(250), {'offset_unit': 'pages'}, 3, 3, id='offset-in-pages'),
    pytest.param(membership(250), {'cap': 50}, 6, 6, id='cap-50'),
    pytest.param(membership(250), {'cap': 37, 'count': 'absent'}, 8, 7, id='cap-37-no-count'),
    pytest.param(membership(250), {'cap': 50, 'offset_unit': 'pages'}, 6, 6, id='cap-50-offset-in-pages'),
    pytest.param(
        membership(150, UAPS[:2]), {'unit': 'rows', 'count': 'rows', 'order': 'uap'}, 4, 3, id='rows-uap-order'
    ),
    pytest.param(membership(150, UAPS[:2]), {'unit': 'rows', 'count': 'ids', 'order': 'id'}, 4, 4, id='rows-count-ids'),
    pytest.param(membership(150, UAPS[:2]), {'unit': 'ids', 'count': 'rows'}, 3, 2, id='ids-count-rows'),
    pytest.param(membership(150, UAPS, partial=True), {'unit': 'per_key', 'count': 'ids'}, 3, 2, id='per-key-partial'),
    pytest.param(
        membership(150, UAPS, partial=True), {'unit': 'per_key', 'count': 'key_max'}, 3, 2, id='per-key-count-key-max'
    ),
    pytest.param(
        membership(150, UAPS, partial=True),
        {'unit': 'per_key', 'count': 'key_first'},
        3,
        2,
        id='per-key-count-first-key',
    ),
    pytest.param(
        membership(150, UAPS, partial=True),
        {'unit': 'rows', 'count': 'rows', 'order': 'shuffled'},
        5,
        4,
        id='rows-shuffled',
    ),
    pytest.param(
        membership(150, UAPS, partial=True),
        {'shape': 'tables', 'key_count': 'key_total', 'unit': 'per_key'},
        3,
        2,
        id='tables-per-key',
    ),
    pytest.param(
        membership(150, UAPS[:2]),
        {'shape': 'tables', 'key_count': 'key_page', 'unit': 'ids'},
        3,
        2,
        id='tables-page-counts',
    ),
    pytest.param(membership(150, UAPS[:2]), {'shape': 'list_sample'}, 3, 2, id='list-of-sample'),
    pytest.param(
        membership(150, UAPS[:2]),
        {'shape': 'list_tables', 'unit': 'rows', 'count': 'absent'},
        4,
        4,
        id='list-of-tables',
    ),
    pytest.param(membership(250), {'no_match': True, 'count': 'absent'}, 4, 3, id='0101002-past-the-end'),
    # The nastiest: pages per UAP key, count of IDs, cap 50, UAP-grouped order, 3 UAPs with partial membership.
    pytest.param(
        membership(300, UAPS, partial=True),
        {'unit': 'per_key', 'count': 'ids', 'cap': 50, 'order': 'uap'},
        6,
        5,
        id='per-key-ids-cap-50-uap-order-partial',
    ),
    pytest.param(
        membership(300, UAPS, partial=True),
        {'unit': 'rows', 'count': 'ids', 'cap': 50, 'order': 'uap'},
        13,
        12,
        id='rows-ids-cap-50-uap-order-partial',
    ),
]


@pytest.mark.parametrize('terminals, reading, first_requests, learned_requests', READINGS)
def test_every_row_under_each_reading(terminals, reading, first_requests, learned_requests):
    profile = ServerProfile(100)
    server = ScriptedServer(terminals, **reading)
    assert read_all(server, profile) == expected(server)
    assert server.requests == first_requests
    again = ScriptedServer(terminals, **reading)
    assert read_all(again, profile) == expected(again)
    assert again.requests == learned_requests


@pytest.mark.parametrize('empty', [{}, [], None])
@pytest.mark.parametrize('shape', ['sample', 'tables', 'list_sample', 'list_tables'])
def test_empty_answer_in_every_shape_ends_at_once(shape, empty):
    server = ScriptedServer({}, shape=shape, empty=empty)
    assert read_all(server) == set()
    assert server.requests == 1


def test_offset_ignored_with_more_announced_is_a_contradiction():
    server = ScriptedServer(membership(250), offset_unit='ignored')
    with pytest.raises(PagingContradiction) as caught:
        read_all(server)
    assert (
        str(caught.value)
        == 'CC-CMS answered offset 1 for EID 8888???? with the same rows as offset 0: it ignores offset, so the '
        'rest of what it holds (count 250, 100 rows seen) cannot be read'
    )
    assert server.requests == 2


def test_offset_ignored_with_a_short_page_cannot_rule_out_a_cap():
    # The same 60 rows at offset 1: the server ignores offset, and a silent cap of 60 could hide more.
    server = ScriptedServer(membership(60), offset_unit='ignored', count='page_rows')
    with pytest.raises(
        PagingContradiction,
        match=r'it ignores offset, so the rest of what it holds \(a page cap cannot be ruled out, '
        r'so there may be more than the 60 rows seen\) cannot be read$',
    ):
        read_all(server)


def test_count_that_changes_between_pages_is_a_contradiction():
    server = ScriptedServer(membership(250))
    answers = iter([150, 250, 250])
    pager = Pager('8888????', 100, ServerProfile(100))
    with pytest.raises(
        PagingContradiction, match=r'^CC-CMS changed count between the pages of EID 8888\?\?\?\? \(offset 0: 100 rows'
    ):
        offset = 0
        while offset is not None:
            payload = server.answer(100, offset)
            payload['resultDesc']['count'] = next(answers)
            offset = pager.feed(offset, parse_page(payload))


def test_a_page_of_rows_the_query_cannot_match_is_refused():
    # An exact ID answered with two distinct equipment IDs: no server can do that honestly.
    pager = Pager('88880001', 100, ServerProfile(100), frozenset(['88880001']))
    page = parse_page(ScriptedServer(membership(2)).answer(100, 0))
    with pytest.raises(
        PagingContradiction, match='^EID 88880001 brought 2 distinct equipment IDs, more than the 1 it can match'
    ):
        pager.feed(0, page)


def test_wanted_ids_end_a_query_paged_by_ids():
    # Pages of IDs bring every row of an ID at once: once each wanted ID came, nothing of them is left.
    server = ScriptedServer(membership(1), count='absent', cap=1)
    profile = ServerProfile(100)
    assert read_all(server, profile, eid='88880000', wanted=frozenset(['88880000'])) == expected(server)
    assert server.requests == 2  # under pages of rows a capped page of one row may still hide another UAP's row


def test_learning_narrows_the_readings_and_a_server_changing_its_paging_fails():
    profile = ServerProfile(100)
    read_all(ScriptedServer(membership(250)), profile)
    standing = {reading for reading, _caps in profile.standing()}
    assert Reading('ids', 'items', 'ids', 'none') in standing
    assert all(reading.offset_unit == 'items' and reading.key_count == 'none' for reading in standing)
    assert len(standing) < len(ALL_READINGS)
    # A first query proved pages of 100 IDs; a server that now serves 50 a page has changed its reading.
    with pytest.raises(PagingContradiction, match='contradict how CC-CMS paged earlier in this run'):
        read_all(ScriptedServer(membership(250), cap=50), profile)


def test_paging_state_reads_the_windows_of_one_list():
    # Two windows of 100 IDs at offsets 0 and 100 that share nothing: consistent in items, not in pages of 100.
    first = parse_page(ScriptedServer(membership(250)).answer(100, 0))
    second = parse_page(ScriptedServer(membership(250)).answer(100, 100))
    pager = Pager('8888????', 100, ServerProfile(100))
    pager.feed(0, first)
    pager.feed(100, second)
    pages = pager._pages  # pylint: disable=protected-access
    assert paging_state(pages, 'ids', 'items', 100) == (False, 200)
    assert paging_state(pages, 'ids', 'pages', 100) == (False, 101)  # pages 0 and 100 of a list of 10,100 IDs or more
    assert paging_state(pages, 'ids', 'ignored', 100) is None  # the second page differs from the first
    assert paging_state(pages, 'rows', 'items', 50) is None  # 100 rows do not fit a cap of 50
