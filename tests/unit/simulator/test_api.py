# Copyright (c) 2026 aicc.cms contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Answers shaped like the vendor's sample, body validation and paging under both readings of count."""

from __future__ import annotations

import json

import pytest

FIELDS = {
    'ccuModuleNumber',
    'terminationType',
    'equipmentId',
    'registerStatus',
    'socketStatus',
    'ipAndPort',
    'monitorFlag',
    'protocolType',
    'roamIpAndPort',
    'tlsStatus',
    'ipType',
}
UAP1, UAP2 = '10.10.0.1#1', '10.10.0.2#2'


@pytest.fixture
def pool(make_sim, client_for):
    """10 terminals 8880000-8880009 under 2 UAPs, ids semantics."""
    sim = make_sim(ranges=('8880000-8880009',), uaps=2, cc_ids=(1, 2))
    return sim, client_for(sim)


def _ids(answer) -> dict:
    return {uap: [row['equipmentId'] for row in rows] for uap, rows in answer['resultDesc']['data'].items()}


def test_success_shape_matches_vendor_sample(pool):
    _sim, client = pool
    answer = client.query({'ccId': 1, 'EID': '8880001', 'limit': '100', 'offset': '0'})
    assert set(answer) == {'resultCode', 'resultDesc'}
    assert answer['resultCode'] == '0100000'
    assert set(answer['resultDesc']) == {'data', 'count'}
    assert answer['resultDesc']['count'] == 1
    assert _ids(answer) == {UAP1: ['8880001'], UAP2: ['8880001']}
    for rows in answer['resultDesc']['data'].values():
        for row in rows:
            assert set(row) == FIELDS
            assert all(isinstance(value, str) for value in row.values())
            assert row['registerStatus'] in ('registered', 'not register')


def test_unknown_id_is_an_empty_success(pool):
    _sim, client = pool
    answer = client.query({'EID': '9999999'})
    assert answer == {'resultCode': '0100000', 'resultDesc': {'data': {}, 'count': 0}}


@pytest.mark.parametrize(
    'body, code',
    [
        ({}, '0100002'),
        ({'EID': ''}, '0100002'),
        ({'EID': 8880001}, '0100002'),
        ({'EID': None}, '0100002'),
        ({'EID': '8880001', 'limit': 10}, '0100002'),
        ({'EID': '8880001', 'offset': 0}, '0100002'),
        ({'EID': '8880001', 'limit': 'ten', 'offset': 0}, '0100002'),
        ({'EID': '8880001', 'limit': 10, 'offset': -1}, '0100002'),
        ({'EID': '8880001', 'limit': 0, 'offset': 0}, '0100002'),
        ({'EID': '8880001', 'limit': True, 'offset': 0}, '0100002'),
        ({'EID': '8880001', 'limit': 1.5, 'offset': 0}, '0100002'),
        ({'EID': '8880001', 'limit': 100000, 'offset': 0}, '0100002'),
        ({'EID': '8880001', 'ccId': 'one'}, '0100002'),
        ({'EID': '8880001', 'ccId': 3}, '0101003'),
        ([1, 2], '0100002'),
        ('not json', '0100002'),
    ],
)
def test_invalid_bodies(pool, body, code):
    _sim, client = pool
    status, _headers, text = client.post(body if not isinstance(body, str) else body.encode())
    answer = json.loads(text)
    assert status == 200
    assert answer['resultCode'] == code
    assert isinstance(answer['resultDesc'], str) and answer['resultDesc']


@pytest.mark.parametrize(
    'body',
    [
        {'EID': '8880001', 'ccId': 2},
        {'EID': '8880001', 'ccId': '1'},
        {'EID': '8880001', 'limit': 5, 'offset': 0},
        {'EID': '8880001', 'limit': '5', 'offset': '0'},
    ],
)
def test_valid_variants(pool, body):
    _sim, client = pool
    assert client.query(body)['resultCode'] == '0100000'


def test_default_page_is_100(make_sim, client_for):
    sim = make_sim(ranges=('8880000-8880149',))
    answer = client_for(sim).query({'EID': '8880*'})
    assert answer['resultDesc']['count'] == 150
    assert len(answer['resultDesc']['data'][UAP1]) == 100


def test_ids_semantics_pages_over_equipment_ids(pool):
    _sim, client = pool
    first = client.query({'EID': '888000?', 'limit': 3, 'offset': 0})
    assert first['resultDesc']['count'] == 10
    assert _ids(first) == {UAP1: ['8880000', '8880001', '8880002'], UAP2: ['8880000', '8880001', '8880002']}
    seen = []
    for offset in range(0, 12, 3):
        page = client.query({'EID': '888000?', 'limit': 3, 'offset': offset})
        seen.extend(_ids(page).get(UAP1, []))
        assert _ids(page).get(UAP1, []) == _ids(page).get(UAP2, [])
    assert seen == [f'888000{digit}' for digit in range(10)]
    assert client.query({'EID': '888000?', 'limit': 3, 'offset': 10})['resultDesc'] == {'data': {}, 'count': 10}


def test_rows_semantics_pages_over_rows_ordered_by_uap_then_id(make_sim, client_for):
    sim = make_sim(ranges=('8880000-8880009',), uaps=2, count_semantics='rows')
    client = client_for(sim)
    first = client.query({'EID': '888000?', 'limit': 3, 'offset': 0})
    assert first['resultDesc']['count'] == 20
    assert _ids(first) == {UAP1: ['8880000', '8880001', '8880002']}
    straddling = client.query({'EID': '888000?', 'limit': 3, 'offset': 9})
    assert _ids(straddling) == {UAP1: ['8880009'], UAP2: ['8880000', '8880001']}
    rows = []
    for offset in range(0, 21, 7):
        page = client.query({'EID': '888000?', 'limit': 7, 'offset': offset})
        rows.extend((uap, eid) for uap, eids in _ids(page).items() for eid in eids)
    assert rows == [(uap, f'888000{digit}') for uap in (UAP1, UAP2) for digit in range(10)]


def test_pool_statuses_are_independent_per_uap(make_sim, client_for):
    sim = make_sim(ranges=('8880000-8880009',), uaps=2)
    sim.set_status(['8880004'], 'not register', uap=UAP2, socket_status='fault')
    answer = client_for(sim).query({'EID': '8880004'})
    rows = {uap: rows[0] for uap, rows in answer['resultDesc']['data'].items()}
    assert rows[UAP1]['registerStatus'] == 'registered' or rows[UAP1]['registerStatus'] == 'not register'
    assert rows[UAP2]['registerStatus'] == 'not register'
    assert rows[UAP2]['socketStatus'] == 'fault'
    assert rows[UAP2]['ipAndPort'] == '0.0.0.0:0'


def test_generation_is_deterministic_per_seed(make_sim):
    first = make_sim(ranges=('8880000-8880999',), uaps=3, registered_ratio=0.5, seed=7, uap_disagreement=0.2)
    second = make_sim(ranges=('8880000-8880999',), uaps=3, registered_ratio=0.5, seed=7, uap_disagreement=0.2)
    other = make_sim(ranges=('8880000-8880999',), uaps=3, registered_ratio=0.5, seed=8, uap_disagreement=0.2)
    statuses = [[sim.terminal(f'888{number:04d}') for number in range(1000)] for sim in (first, second, other)]
    assert statuses[0] == statuses[1]
    assert statuses[0] != statuses[2]
    registered = sum(row['registerStatus'] == 'registered' for terminal in statuses[0] for row in terminal.values())
    assert 1200 < registered < 1800
    assert any(len({row['registerStatus'] for row in terminal.values()}) == 2 for terminal in statuses[0])
