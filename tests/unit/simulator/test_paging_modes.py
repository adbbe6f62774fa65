# Copyright (c) 2026 aicc.cms contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Every paging reading the vendor page allows: count, paging unit and row order set independently,
and a server that silently caps limit."""

from __future__ import annotations

import json

import pytest
from simulator import Simulator
from simulator.__main__ import build_parser, main

UAP1, UAP2 = '10.10.0.1#1', '10.10.0.2#2'
TEN = [f'888000{digit}' for digit in range(10)]


def _rows(answer) -> list[tuple[str, str]]:
    """(UAP, equipment ID) of every row of one answer, in answer order."""
    return [(uap, row['equipmentId']) for uap, rows in answer['resultDesc']['data'].items() for row in rows]


def _walk(client, limit: int, pattern: str = '888000?') -> list[tuple[str, str]]:
    """Every row of every page, offset moving by limit, until an empty page."""
    rows, offset = [], 0
    while True:
        page = _rows(client.query({'EID': pattern, 'limit': limit, 'offset': offset}))
        if not page:
            return rows
        rows.extend(page)
        offset += limit


@pytest.fixture
def pool_sim(make_sim, client_for):
    """``pool_sim(**options)`` -> (sim, client) over 8880000-8880009 under 2 UAPs."""

    def start(**options):
        sim = make_sim(ranges=('8880000-8880009',), uaps=2, **options)
        return sim, client_for(sim)

    return start


@pytest.mark.parametrize('count_semantics, expected_paging', [('ids', 'ids'), ('rows', 'rows')])
def test_paging_unit_defaults_to_the_count_semantics(pool_sim, count_semantics, expected_paging):
    sim, client = pool_sim(count_semantics=count_semantics)
    assert sim.options.paging_unit is None and sim.options.row_order is None and sim.options.limit_cap is None
    page = _rows(client.query({'EID': '888000?', 'limit': 3, 'offset': 0}))
    if expected_paging == 'ids':
        assert page == [(uap, eid) for uap in (UAP1, UAP2) for eid in TEN[:3]]
    else:
        assert page == [(UAP1, eid) for eid in TEN[:3]]  # rows, grouped by UAP first (the former rows mode)


def test_count_ids_paging_rows_grouped_by_uap(pool_sim):
    _sim, client = pool_sim(count_semantics='ids', paging_unit='rows', row_order='uap')
    straddling = client.query({'EID': '888000?', 'limit': 3, 'offset': 9})
    assert straddling['resultDesc']['count'] == 10  # IDs, though 20 rows are paged
    assert _rows(straddling) == [(UAP1, '8880009'), (UAP2, '8880000'), (UAP2, '8880001')]
    assert _walk(client, 7) == [(uap, eid) for uap in (UAP1, UAP2) for eid in TEN]


def test_count_ids_paging_rows_sorted_by_id(pool_sim):
    _sim, client = pool_sim(count_semantics='ids', paging_unit='rows', row_order='id')
    first = client.query({'EID': '888000?', 'limit': 3, 'offset': 0})
    assert first['resultDesc']['count'] == 10
    assert sorted(_rows(first)) == [
        (UAP1, '8880000'),
        (UAP1, '8880001'),
        (UAP2, '8880000'),
    ]  # ID 8880001's UAP2 row is next
    walked = _walk(client, 7)
    assert sorted(walked) == sorted((uap, eid) for uap in (UAP1, UAP2) for eid in TEN) and len(walked) == 20


def test_count_rows_paging_ids(pool_sim):
    _sim, client = pool_sim(count_semantics='rows', paging_unit='ids')
    first = client.query({'EID': '888000?', 'limit': 3, 'offset': 0})
    assert first['resultDesc']['count'] == 20  # rows, though IDs are paged
    assert _rows(first) == [(uap, eid) for uap in (UAP1, UAP2) for eid in TEN[:3]]
    assert client.query({'EID': '888000?', 'limit': 3, 'offset': 10})['resultDesc'] == {'data': {}, 'count': 20}


def test_count_rows_paging_rows_sorted_by_id(pool_sim):
    _sim, client = pool_sim(count_semantics='rows', row_order='id')
    first = client.query({'EID': '888000?', 'limit': 3, 'offset': 0})
    assert first['resultDesc']['count'] == 20
    assert sorted(_rows(first)) == [(UAP1, '8880000'), (UAP1, '8880001'), (UAP2, '8880000')]


@pytest.fixture
def uneven_pool(tmp_path):
    """7001 only on UAP2, 7002 on both, 7003 only on UAP1: the UAP-first order of the IDs is 7002, 7003, 7001."""
    entries = [
        {'equipmentId': '7003', 'rows': {UAP1: {}}},  # listed first so that UAP1 is first in pool order
        {'equipmentId': '7001', 'rows': {UAP2: {}}},
        {'equipmentId': '7002', 'rows': {UAP1: {}, UAP2: {'registerStatus': 'not register'}}},
    ]
    path = tmp_path / 'uneven.json'
    path.write_text(json.dumps(entries))
    return str(path)


@pytest.mark.parametrize(
    'row_order, first_ids, second_ids',
    [
        ('id', {'7001', '7002'}, {'7003'}),
        ('uap', {'7002', '7003'}, {'7001'}),
    ],
)
def test_paging_ids_follows_the_row_order(make_sim, client_for, uneven_pool, row_order, first_ids, second_ids):
    sim = make_sim(data=uneven_pool, row_order=row_order)
    client = client_for(sim)
    first = client.query({'EID': '700?', 'limit': 2, 'offset': 0})
    second = client.query({'EID': '700?', 'limit': 2, 'offset': 2})
    assert {eid for _uap, eid in _rows(first)} == first_ids and {eid for _uap, eid in _rows(second)} == second_ids
    assert first['resultDesc']['count'] == second['resultDesc']['count'] == 3
    assert sorted(_rows(first) + _rows(second)) == [(UAP1, '7002'), (UAP1, '7003'), (UAP2, '7001'), (UAP2, '7002')]


@pytest.mark.parametrize(
    'paging_unit, expected_rows',
    [
        ('ids', [(uap, eid) for uap in (UAP1, UAP2) for eid in TEN[:4]]),
        ('rows', [(UAP1, eid) for eid in TEN[:4]]),
    ],
)
def test_limit_cap_serves_fewer_items_silently_and_keeps_the_true_count(pool_sim, paging_unit, expected_rows):
    sim, client = pool_sim(paging_unit=paging_unit, row_order='uap', limit_cap=4)
    capped = client.query({'EID': '888000?', 'limit': 10, 'offset': 0})
    assert capped['resultCode'] == '0100000'
    assert capped['resultDesc']['count'] == 10
    assert _rows(capped) == expected_rows
    assert sim.stats()['limits_capped'] == 1
    assert len(_rows(client.query({'EID': '888000?', 'limit': 3, 'offset': 0}))) == (6 if paging_unit == 'ids' else 3)
    unasked = client.query({'EID': '888000?'})  # the default page of 100 is capped too
    assert len(_rows(unasked)) == len(expected_rows)
    assert sim.stats()['limits_capped'] == 2


def test_limit_cap_still_rejects_a_limit_above_max_limit(pool_sim):
    _sim, client = pool_sim(limit_cap=4, max_limit=50)
    assert client.query({'EID': '888000?', 'limit': 51, 'offset': 0})['resultCode'] == '0100002'


@pytest.mark.parametrize(
    'options, message',
    [
        ({'paging_unit': 'pages'}, 'paging_unit must be one of ids, rows, per_key, ignored'),
        ({'row_order': 'random'}, 'row_order must be one of id, uap, shuffled'),
        ({'limit_cap': 0}, 'limit_cap must be an integer of 1 or more'),
        ({'limit_cap': '30'}, 'limit_cap must be an integer of 1 or more'),
        ({'limit_cap': True}, 'limit_cap must be an integer of 1 or more'),
    ],
)
def test_bad_paging_options_are_explained(options, message):
    with pytest.raises(ValueError, match=message):
        Simulator(ranges=('1-2',), **options)


def test_command_line_flags_reach_the_options():
    args = vars(
        build_parser().parse_args(
            ['--count-semantics', 'ids', '--paging-unit', 'rows', '--row-order', 'uap', '--limit-cap', '30']
        )
    )
    assert (args['count_semantics'], args['paging_unit'], args['row_order'], args['limit_cap']) == (
        'ids',
        'rows',
        'uap',
        30,
    )
    defaults = vars(build_parser().parse_args([]))
    assert (defaults['paging_unit'], defaults['row_order'], defaults['limit_cap']) == (None, None, None)


def test_command_line_rejects_a_bad_limit_cap(capsys):
    assert main(['--limit-cap', '0', '--ranges', '1-2']) == 2
    err = capsys.readouterr().err
    assert 'limit_cap must be an integer of 1 or more' in err and 'Traceback' not in err
