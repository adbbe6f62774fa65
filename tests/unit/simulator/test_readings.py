# Copyright (c) 2026 aicc.cms contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Every reading of the vendor page the simulator serves, table-driven: for each reading, the pages a
scripted sequence of requests gets back.

The data: five terminals under three UAPs with uneven membership, so that every count differs::

    7001: A B      7002: B C      7003: A B C      7004: C      7005: B

    5 IDs, 9 rows; per key A 2, B 4, C 3 (key_sum 9, key_max 4, key_first 2).
    ID order rows:  A7001 B7001 B7002 C7002 A7003 B7003 C7003 C7004 B7005
    UAP order rows: A7001 A7003 B7001 B7002 B7003 B7005 C7002 C7003 C7004
"""

from __future__ import annotations

import json

import pytest
import requests
from simulator import Simulator
from simulator.__main__ import build_parser, main
from simulator.store import DataError, TerminalStore

A, B, C = '10.10.0.1#1', '10.10.0.2#2', '10.10.0.3#3'
MEMBERSHIP = {
    '7003': (A, B, C),
    '7001': (A, B),
    '7002': (B, C),
    '7004': (C,),
    '7005': (B,),
}  # 7003 first: pool order A, B, C
PATTERN = '700?'
ALL_ROWS = sorted((uap, eid) for eid, uaps in MEMBERSHIP.items() for uap in uaps)


@pytest.fixture(scope='module')
def uneven_data(tmp_path_factory) -> str:
    entries = [{'equipmentId': eid, 'rows': {uap: {} for uap in uaps}} for eid, uaps in MEMBERSHIP.items()]
    path = tmp_path_factory.mktemp('readings') / 'uneven.json'
    path.write_text(json.dumps(entries), encoding='utf-8')
    return str(path)


@pytest.fixture
def reading_sim(make_sim, client_for, uneven_data):
    """``reading_sim(**options)`` -> (sim, client) over the uneven data."""

    def start(**options):
        sim = make_sim(data=uneven_data, **options)
        return sim, client_for(sim)

    return start


def _page(limit, offset, **rows_by_key) -> tuple:
    """One scripted request (limit, offset) and the rows expected, by key: ``_page(2, 0, A="7001", B="7001 7002")``."""
    return limit, offset, {{'A': A, 'B': B, 'C': C}[key]: eids.split() for key, eids in rows_by_key.items()}


def _data(desc) -> dict:
    """{uap: [equipment IDs]} of a sample-shaped resultDesc, keys in answer order."""
    data = desc['data']
    return {uap: [row['equipmentId'] for row in rows] for uap, rows in (data or {}).items()}


# (test id, options, expected count, scripted pages): every page of the script, in the sample shape.
PAGING_TABLE = [
    (
        'defaults-ids-paging-ids-id-order',
        {},
        5,
        [
            _page(2, 0, A='7001', B='7001 7002', C='7002'),
            _page(2, 2, A='7003', B='7003', C='7003 7004'),
            _page(2, 4, B='7005'),
            _page(2, 6),
        ],
    ),
    (
        'count-rows-pages-rows-uap-order',
        {'count_semantics': 'rows'},
        9,
        [
            _page(4, 0, A='7001 7003', B='7001 7002'),
            _page(4, 4, B='7003 7005', C='7002 7003'),
            _page(4, 8, C='7004'),
            _page(4, 12),
        ],
    ),
    (
        'count-ids-paging-rows-id-order',
        {'paging_unit': 'rows', 'row_order': 'id'},
        5,
        [
            _page(4, 0, A='7001', B='7001 7002', C='7002'),
            _page(4, 4, A='7003', B='7003', C='7003 7004'),
            _page(4, 8, B='7005'),
        ],
    ),
    (
        'key-sum-is-rows-under-its-own-name',
        {'count_semantics': 'key_sum'},
        9,
        [_page(4, 0, A='7001 7003', B='7001 7002')],
    ),
    ('key-max-largest-key', {'count_semantics': 'key_max'}, 4, [_page(4, 0, A='7001 7003', B='7001 7002')]),
    (
        'key-first-first-key-in-pool-order',
        {'count_semantics': 'key_first'},
        2,
        [_page(4, 0, A='7001 7003', B='7001 7002')],
    ),
    (
        'per-key-slices-each-key',
        {'paging_unit': 'per_key'},
        5,
        [_page(2, 0, A='7001 7003', B='7001 7002', C='7002 7003'), _page(2, 2, B='7003 7005', C='7004'), _page(2, 4)],
    ),
    (
        'per-key-capped-per-key',
        {'paging_unit': 'per_key', 'limit_cap': 1},
        5,
        [_page(2, 1, A='7003', B='7002', C='7003'), _page(100, 3, B='7005')],
    ),
    (
        'ignored-offset-first-page-always',
        {'paging_unit': 'ignored'},
        5,
        [
            _page(2, 0, A='7001', B='7001 7002', C='7002'),
            _page(2, 2, A='7001', B='7001 7002', C='7002'),
            _page(2, 40, A='7001', B='7001 7002', C='7002'),
        ],
    ),
    (
        'offset-in-pages',
        {'offset_unit': 'pages'},
        5,
        [
            _page(2, 0, A='7001', B='7001 7002', C='7002'),
            _page(2, 1, A='7003', B='7003', C='7003 7004'),
            _page(2, 2, B='7005'),
            _page(2, 3),
        ],
    ),
    (
        'offset-in-pages-of-the-capped-limit',
        {'offset_unit': 'pages', 'limit_cap': 1},
        5,
        [_page(2, 3, C='7004'), _page(1, 4, B='7005')],
    ),
    (
        'offset-in-pages-of-rows',
        {'offset_unit': 'pages', 'count_semantics': 'rows'},
        9,
        [_page(4, 1, B='7003 7005', C='7002 7003'), _page(4, 2, C='7004')],
    ),
    ('ids-capped', {'limit_cap': 1}, 5, [_page(2, 0, A='7001', B='7001'), _page(2, 1, B='7002', C='7002')]),
    (
        'rows-capped',
        {'count_semantics': 'rows', 'limit_cap': 3},
        9,
        [_page(4, 0, A='7001 7003', B='7001'), _page(4, 3, B='7002 7003 7005')],
    ),
]


@pytest.mark.parametrize('options, count, script', [pytest.param(*case[1:], id=case[0]) for case in PAGING_TABLE])
def test_pages_of_each_reading(reading_sim, options, count, script):
    _sim, client = reading_sim(**options)
    for limit, offset, expected in script:
        answer = client.query({'EID': PATTERN, 'limit': limit, 'offset': offset})
        assert answer['resultCode'] == '0100000'
        assert _data(answer['resultDesc']) == expected, (limit, offset)
        assert answer['resultDesc']['count'] == count, (limit, offset)


@pytest.mark.parametrize(
    'semantics, script',
    [
        ('page', [(4, 0, 4), (4, 8, 1), (4, 9, 0)]),  # paging rows (its default): rows of this page
        ('page_ids', [(2, 0, 2), (2, 4, 1), (2, 6, 0)]),  # paging IDs (its default): IDs of this page
    ],
)
def test_counts_of_the_page(reading_sim, semantics, script):
    _sim, client = reading_sim(count_semantics=semantics)
    for limit, offset, count in script:
        assert client.query({'EID': PATTERN, 'limit': limit, 'offset': offset})['resultDesc']['count'] == count


def test_count_absent_and_count_as_string(reading_sim):
    _sim, absent = reading_sim(count_semantics='absent')
    desc = absent.query({'EID': PATTERN, 'limit': 2, 'offset': 0})['resultDesc']
    assert 'count' not in desc and _data(desc) == {A: ['7001'], B: ['7001', '7002'], C: ['7002']}
    assert absent.query({'EID': PATTERN, 'limit': 2, 'offset': 6})['resultDesc'] == {'data': {}}
    _sim, as_string = reading_sim(count_as_string=True)
    assert as_string.query({'EID': PATTERN, 'limit': 2, 'offset': 0})['resultDesc']['count'] == '5'
    assert as_string.query({'EID': '9999'})['resultDesc'] == {'data': {}, 'count': '0'}


def test_shuffled_order_is_fixed_per_query_and_seed(make_sim, client_for, reading_sim):
    def walk(client, pattern=PATTERN, limit=2):
        pages = [
            client.query({'EID': pattern, 'limit': limit, 'offset': offset})['resultDesc']
            for offset in range(0, 10, limit)
        ]
        return [[(uap, eid) for uap, eids in _data(desc).items() for eid in eids] for desc in pages]

    _sim, first = reading_sim(row_order='shuffled', paging_unit='rows')
    _sim, again = reading_sim(row_order='shuffled', paging_unit='rows')
    pages = walk(first)
    assert pages == walk(again) == walk(first)  # deterministic: same pages from another server, and when asked again
    assert sorted(row for page in pages for row in page) == ALL_ROWS  # each row exactly once
    _sim, by_id = reading_sim(paging_unit='rows', row_order='id')
    _sim, by_uap = reading_sim(paging_unit='rows', row_order='uap')
    assert pages != walk(by_id) and pages != walk(by_uap)
    shuffles = set()
    for seed in range(1, 6):
        sim = make_sim(ranges=('8880000-8880019',), uaps=2, seed=seed, row_order='shuffled', paging_unit='rows')
        shuffles.add(json.dumps(walk(client_for(sim), '888001?', 5)))
    assert len(shuffles) == 5  # the seed picks the permutation


def _rows_of(data: list) -> list[str]:
    return [row['equipmentId'] for row in data]


def test_tables_shape_counts_each_key(reading_sim):
    _sim, client = reading_sim(shape='tables')
    desc = client.query({'EID': PATTERN, 'limit': 2, 'offset': 0})['resultDesc']
    assert list(desc) == [A, B, C]
    assert {uap: (_rows_of(table['data']), table['count']) for uap, table in desc.items()} == {
        A: (['7001'], 2),
        B: (['7001', '7002'], 4),
        C: (['7002'], 3),
    }
    last = client.query({'EID': PATTERN, 'limit': 2, 'offset': 4})['resultDesc']
    assert list(last) == [B] and _rows_of(last[B]['data']) == ['7005'] and last[B]['count'] == 4
    assert 'count' not in desc and 'data' not in desc  # no top-level count: only the keys


@pytest.mark.parametrize(
    'options, paging, key_counts',
    [
        ({'count_semantics': 'page'}, (4, 0), {A: 2, B: 2}),  # paging rows: A7001 A7003 B7001 B7002
        ({'count_semantics': 'page_ids'}, (2, 0), {A: 1, B: 2, C: 1}),  # paging IDs: 7001 and 7002
        ({'count_semantics': 'rows', 'count_as_string': True}, (4, 0), {A: '2', B: '4'}),
        ({'count_semantics': 'key_max'}, (4, 4), {B: 4, C: 3}),
        ({'count_semantics': 'absent'}, (2, 0), {A: None, B: None, C: None}),
    ],
)
def test_tables_shape_follows_the_count_semantics_per_key(reading_sim, options, paging, key_counts):
    _sim, client = reading_sim(shape='tables', **options)
    desc = client.query({'EID': PATTERN, 'limit': paging[0], 'offset': paging[1]})['resultDesc']
    assert {uap: table.get('count') for uap, table in desc.items()} == key_counts
    if options['count_semantics'] == 'absent':
        assert all('count' not in table for table in desc.values())


def test_list_shapes(reading_sim):
    _sim, client = reading_sim(shape='list_sample')
    desc = client.query({'EID': PATTERN, 'limit': 2, 'offset': 0})['resultDesc']
    assert isinstance(desc, list) and len(desc) == 1
    assert _data(desc[0]) == {A: ['7001'], B: ['7001', '7002'], C: ['7002']} and desc[0]['count'] == 5
    assert client.query({'EID': PATTERN, 'limit': 2, 'offset': 6})['resultDesc'] == [{'data': {}, 'count': 5}]
    _sim, client = reading_sim(shape='list_tables')
    desc = client.query({'EID': PATTERN, 'limit': 2, 'offset': 0})['resultDesc']
    assert [list(element) for element in desc] == [[A], [B], [C]]
    assert [
        (_rows_of(element[uap]['data']), element[uap]['count']) for element, uap in zip(desc, (A, B, C), strict=True)
    ] == [
        (['7001'], 2),
        (['7001', '7002'], 4),
        (['7002'], 3),
    ]


@pytest.mark.parametrize(
    'shape, empty_data, expected',
    [
        ('sample', '{}', {'data': {}, 'count': 5}),
        ('sample', '[]', {'data': [], 'count': 5}),
        ('sample', 'null', {'data': None, 'count': 5}),
        ('list_sample', 'null', [{'data': None, 'count': 5}]),
        ('tables', '{}', {}),
        ('tables', '[]', []),
        ('tables', 'null', None),
        ('list_tables', '[]', []),
    ],
)
def test_empty_pages(reading_sim, shape, empty_data, expected):
    _sim, client = reading_sim(shape=shape, empty_data=empty_data)
    answer = client.query({'EID': PATTERN, 'limit': 2, 'offset': 6})
    assert answer == {'resultCode': '0100000', 'resultDesc': expected}
    assert (
        client.query({'EID': PATTERN, 'limit': 2, 'offset': 4})['resultDesc'] != expected
    )  # a page with rows is not empty


@pytest.mark.parametrize(
    'body',
    [
        {'EID': '9999'},  # an exact unknown ID
        {'EID': '800?', 'limit': 2, 'offset': 0},  # a pattern matching nothing
        {'EID': PATTERN, 'limit': 2, 'offset': 6},  # a later page past the end
    ],
)
def test_no_match_code_answers_every_page_without_rows(reading_sim, body):
    sim, client = reading_sim(no_match_code='0101002')
    assert client.query(body) == {'resultCode': '0101002', 'resultDesc': 'queried number does not exist on the UAP'}
    assert client.query({'EID': PATTERN, 'limit': 2, 'offset': 4})['resultCode'] == '0100000'
    stats = sim.stats()
    assert stats['by_result_code'] == {'0101002': 1, '0100000': 1} and stats['pages_served'] == 1


@pytest.mark.parametrize(
    'limit_type, refused, accepted',
    [
        ('int', {'limit': '2', 'offset': '0'}, {'limit': 2, 'offset': 0}),
        ('int', {'limit': 2, 'offset': '0'}, {'limit': 2, 'offset': 0}),
        ('string', {'limit': 2, 'offset': 0}, {'limit': '2', 'offset': '0'}),
        ('string', {'limit': '2', 'offset': 0}, {'limit': '2', 'offset': '0'}),
        ('any', None, {'limit': '2', 'offset': 0}),
    ],
)
def test_limit_type(reading_sim, limit_type, refused, accepted):
    _sim, client = reading_sim(limit_type=limit_type)
    if refused is not None:
        answer = client.query(dict(EID=PATTERN, **refused))
        assert answer['resultCode'] == '0100002' and isinstance(answer['resultDesc'], str)
        assert ('must be an integer' if limit_type == 'int' else 'must be a string of digits') in answer['resultDesc']
    assert _data(client.query(dict(EID=PATTERN, **accepted))['resultDesc']) == {
        A: ['7001'],
        B: ['7001', '7002'],
        C: ['7002'],
    }
    assert client.query({'EID': PATTERN})['resultCode'] == '0100000'  # no limit/offset at all: the default page


def test_partial_membership_keeps_every_terminal_on_one_uap_at_least():
    full = TerminalStore.generate(['8880000-8880299'], uaps=3, registered_ratio=0.5, seed=3, uap_disagreement=0.2)
    partial = TerminalStore.generate(
        ['8880000-8880299'], uaps=3, registered_ratio=0.5, seed=3, uap_disagreement=0.2, partial_membership=0.4
    )
    again = TerminalStore.generate(
        ['8880000-8880299'], uaps=3, registered_ratio=0.5, seed=3, uap_disagreement=0.2, partial_membership=0.4
    )
    memberships = [len(partial.terminal(eid)) for eid in partial.eids]
    assert partial.eids == full.eids and min(memberships) == 1 and {1, 2, 3} <= set(memberships)
    assert [partial.terminal(eid) for eid in partial.eids] == [again.terminal(eid) for eid in again.eids]
    for eid in partial.eids:  # the rows kept carry the statuses of the same seed without partial membership
        assert all(row == full.terminal(eid)[uap] for uap, row in partial.terminal(eid).items())
    assert partial.uaps == [A, B, C]
    assert all(
        len(TerminalStore.generate(['1-20'], uaps=1, partial_membership=0.9).terminal(str(n))) == 1
        for n in range(1, 21)
    )
    assert TerminalStore.generate(['1-50'], uaps=2, partial_membership=0.0).rows_by_eid.keys() == set(
        str(n) for n in range(1, 51)
    )


@pytest.mark.parametrize('partial_membership', [-0.1, 1.5, '0.3', True])
def test_bad_partial_membership_is_explained(partial_membership):
    with pytest.raises(DataError, match='--partial-membership must be a probability between 0 and 1'):
        TerminalStore.generate(['1-2'], uaps=2, partial_membership=partial_membership)


@pytest.mark.parametrize(
    'options, items, minimum',
    [
        ({}, 5, 3),  # 5 IDs in pages of 2
        ({'count_semantics': 'rows'}, 9, 5),  # 9 rows
        ({'paging_unit': 'per_key'}, 4, 2),  # the largest key's 4 rows
        ({'paging_unit': 'per_key', 'limit_cap': 1}, 4, 4),
        ({'limit_cap': 1}, 5, 5),
        ({'offset_unit': 'pages'}, 5, 3),
        ({'paging_unit': 'ignored'}, 5, 1),  # only the first page exists
    ],
)
def test_minimum_requests_of_a_client_that_knew_the_reading(reading_sim, options, items, minimum):
    sim, _client = reading_sim(**options)
    assert sim.store.unit_items(sim.store.match(PATTERN), sim.reading) == items
    assert sim.minimum_requests(PATTERN, 2) == minimum
    assert sim.minimum_requests('9999', 2) == 1  # one request to learn there is nothing


def test_effective_options_resolve_the_defaults(reading_sim):
    sim, _client = reading_sim(count_semantics='key_max', shape='list_tables', no_match_code='0101002', limit_cap=7)
    options = sim.effective_options()
    names = (
        'count_semantics',
        'paging_unit',
        'row_order',
        'offset_unit',
        'shape',
        'empty_data',
        'count_as_string',
        'limit_cap',
        'no_match_code',
        'limit_type',
        'uaps',
    )
    assert {name: options[name] for name in names} == {
        'count_semantics': 'key_max',
        'paging_unit': 'rows',
        'row_order': 'uap',
        'offset_unit': 'items',
        'shape': 'list_tables',
        'empty_data': '{}',
        'count_as_string': False,
        'limit_cap': 7,
        'no_match_code': '0101002',
        'limit_type': 'any',
        'uaps': [A, B, C],
    }
    answer = requests.get(sim.admin_url + '/options', verify=sim.ca_path, timeout=10)
    assert answer.status_code == 200 and answer.json() == options
    defaults = Simulator(ranges=('1-2',)).effective_options()
    assert (defaults['paging_unit'], defaults['row_order'], defaults['shape']) == ('ids', 'id', 'sample')
    for semantics, unit in (('page_ids', 'ids'), ('absent', 'ids'), ('page', 'rows'), ('key_first', 'rows')):
        assert Simulator(ranges=('1-2',), count_semantics=semantics).reading.paging_unit == unit
    assert Simulator(ranges=('1-2',), paging_unit='per_key').reading.row_order == 'uap'
    assert Simulator(ranges=('1-2',), paging_unit='ignored').reading.row_order == 'id'


@pytest.mark.parametrize(
    'options, message',
    [
        (
            {'count_semantics': 'pages'},
            'count_semantics must be one of ids, rows, page, page_ids, key_sum, key_max, key_first, absent',
        ),
        ({'offset_unit': 'rows'}, 'offset_unit must be one of items, pages'),
        ({'shape': 'table'}, 'shape must be one of sample, tables, list_sample, list_tables'),
        ({'empty_data': 'none'}, r'empty_data must be one of \{\}, \[\], null'),
        ({'count_as_string': 'yes'}, 'count_as_string must be true or false'),
        ({'no_match_code': '0101003'}, 'no_match_code must be 0101002'),
        ({'limit_type': 'float'}, 'limit_type must be one of any, int, string'),
        ({'partial_membership': 0.2, 'data': 'terminals.json'}, 'partial_membership applies to generated data'),
    ],
)
def test_bad_reading_options_are_explained(options, message):
    with pytest.raises(ValueError, match=message):
        Simulator(ranges=('1-2',), **options)


def test_command_line_flags_of_the_readings():
    args = vars(
        build_parser().parse_args(
            [
                '--count-semantics',
                'key_first',
                '--count-as-string',
                '--paging-unit',
                'per_key',
                '--offset-unit',
                'pages',
                '--row-order',
                'shuffled',
                '--shape',
                'list_tables',
                '--empty-data',
                'null',
                '--no-match-code',
                '0101002',
                '--limit-type',
                'string',
                '--partial-membership',
                '0.3',
                '--limit-cap',
                '50',
            ]
        )
    )
    names = (
        'count_semantics',
        'count_as_string',
        'paging_unit',
        'offset_unit',
        'row_order',
        'shape',
        'empty_data',
        'no_match_code',
        'limit_type',
        'partial_membership',
        'limit_cap',
    )
    assert {name: args[name] for name in names} == {
        'count_semantics': 'key_first',
        'count_as_string': True,
        'paging_unit': 'per_key',
        'offset_unit': 'pages',
        'row_order': 'shuffled',
        'shape': 'list_tables',
        'empty_data': 'null',
        'no_match_code': '0101002',
        'limit_type': 'string',
        'partial_membership': 0.3,
        'limit_cap': 50,
    }
    defaults = vars(build_parser().parse_args([]))
    names = (
        'count_as_string',
        'offset_unit',
        'shape',
        'empty_data',
        'no_match_code',
        'limit_type',
        'partial_membership',
    )
    assert {name: defaults[name] for name in names} == {
        'count_as_string': False,
        'offset_unit': 'items',
        'shape': 'sample',
        'empty_data': '{}',
        'no_match_code': None,
        'limit_type': 'any',
        'partial_membership': 0.0,
    }


def test_command_line_rejects_a_bad_partial_membership(capsys):
    assert main(['--partial-membership', '2', '--uaps', '2', '--ranges', '1-2']) == 2
    err = capsys.readouterr().err
    assert '--partial-membership must be a probability between 0 and 1' in err and 'Traceback' not in err
