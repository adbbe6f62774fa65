# Copyright (c) 2026 aicc.cms contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Normaliser: answer validation, terminal records, summary."""

from __future__ import annotations

import pytest
from ansible_collections.aicc.cms.plugins.module_utils._errors import (
    AiccError,
    ResultCodeError,
    UnexpectedResponseError,
)
from ansible_collections.aicc.cms.plugins.module_utils._query.normalizer import (
    Page,
    Row,
    build_terminals,
    parse_page,
    split_uap,
    summarize,
)
from hypothesis import given, settings
from hypothesis import strategies as st

VENDOR_ROW = {
    'socketStatus': 'uninstall',
    'terminationType': 'sip',
    'ipAndPort': '0.0.0.0:0',
    'ccuModuleNumber': '56',
    'registerStatus': 'not register',
    'monitorFlag': 'unstarted',
    'protocolType': 'invalid protocol',
    'equipmentId': '88881757',
    'roamIpAndPort': '0.0.0.0:0',
    'tlsStatus': 'uninstall',
    'ipType': 'IPv4',
}
VENDOR_SAMPLE = {
    'resultCode': '0100000',
    'resultDesc': {'data': {'10.0.0.1#1': [VENDOR_ROW], '10.0.0.1#2': [VENDOR_ROW]}, 'count': 1},
}


def test_vendor_sample_keeps_both_uap_rows():
    page = parse_page(VENDOR_SAMPLE)
    assert page.count == 1
    assert [row.uap for row in page.rows] == ['10.0.0.1#1', '10.0.0.1#2']
    terminals = build_terminals(page.rows)
    record = terminals['88881757']
    assert record['registered'] is False
    assert [(uap['uap_ip'], uap['uap_id']) for uap in record['uaps']] == [('10.0.0.1', 1), ('10.0.0.1', 2)]
    assert record['uaps'][0] == {
        'uap': '10.0.0.1#1',
        'uap_ip': '10.0.0.1',
        'uap_id': 1,
        'register_status': 'not register',
        'socket_status': 'uninstall',
        'ip_and_port': '0.0.0.0:0',
        'monitor_flag': 'unstarted',
        'protocol_type': 'invalid protocol',
        'roam_ip_and_port': '0.0.0.0:0',
        'tls_status': 'uninstall',
        'ip_type': 'IPv4',
        'ccu_module_number': '56',
        'termination_type': 'sip',
        'unrecognized': [],
    }


def test_registered_on_one_uap_is_registered():
    other = dict(VENDOR_ROW, registerStatus='registered', socketStatus='normal')
    page = parse_page(
        {'resultCode': '0100000', 'resultDesc': {'data': {'b#2': [other], 'a#1': [VENDOR_ROW]}, 'count': '1'}}
    )
    record = build_terminals(page.rows)['88881757']
    assert record['registered'] is True
    assert [uap['uap'] for uap in record['uaps']] == ['a#1', 'b#2']


def test_identical_rows_merge_and_wanted_filters():
    page = parse_page(VENDOR_SAMPLE)
    twice = page.rows + page.rows + (Row('10.0.0.1#1', '88881758'),)
    terminals = build_terminals(twice, wanted={'88881757'})
    assert list(terminals) == ['88881757'] and len(terminals['88881757']['uaps']) == 2
    assert list(build_terminals(twice)) == ['88881757', '88881758']


def test_unknown_enum_values_kept_and_flagged():
    row = dict(VENDOR_ROW, registerStatus='registering', tlsStatus='handshake')
    record = build_terminals(parse_page({'resultCode': '0100000', 'resultDesc': {'data': {'u#1': [row]}}}).rows)[
        '88881757'
    ]
    assert record['registered'] is False
    assert record['uaps'][0]['register_status'] == 'registering'
    assert record['uaps'][0]['unrecognized'] == ['register_status', 'tls_status']


@pytest.mark.parametrize('desc', [{'data': {}, 'count': 0}, {'data': None, 'count': '0'}, {}])
def test_empty_success(desc):
    page = parse_page({'resultCode': '0100000', 'resultDesc': desc})
    assert page.rows == ()


def test_list_data_keyed_by_equipment_id():
    page = parse_page(
        {'resultCode': '0100000', 'resultDesc': {'data': [VENDOR_ROW, dict(VENDOR_ROW, uap='10.0.0.9#3')], 'count': 1}}
    )
    assert [row.uap for row in page.rows] == [None, '10.0.0.9#3']
    record = build_terminals(page.rows)['88881757']
    assert [uap['uap_ip'] for uap in record['uaps']] == [None, '10.0.0.9']
    assert summarize(build_terminals(page.rows))['by_uap'] == {
        '10.0.0.9#3': {'total': 1, 'registered': 0, 'not_registered': 1},
        'unknown': {'total': 1, 'registered': 0, 'not_registered': 1},
    }


def test_missing_optional_fields_are_none():
    page = parse_page({'resultCode': '0100000', 'resultDesc': {'data': {'u#1': [{'equipmentId': '1'}]}, 'count': 1}})
    assert page == Page(1, (Row('u#1', '1'),))
    assert summarize(build_terminals(page.rows))['by_socket_status'] == {'unknown': 1}


@pytest.mark.parametrize(
    'uap, expected',
    [
        ('10.1.1.1#1', ('10.1.1.1', 1)),
        ('fe80::1#12', ('fe80::1', 12)),
        ('host', ('host', None)),
        ('a#b', ('a', 'b')),
        (None, (None, None)),
    ],
)
def test_split_uap(uap, expected):
    assert split_uap(uap) == expected


@pytest.mark.parametrize(
    'code, desc, message',
    [
        ('0100002', 'EID is invalid', 'CC-CMS returned 0100002 (invalid parameters): EID is invalid'),
        ('0123456', 'odd', 'CC-CMS returned 0123456 (undocumented result code): odd'),
        ('0100999', None, 'CC-CMS returned 0100999 (unknown exception): None'),
    ],
)
def test_result_codes(code, desc, message):
    with pytest.raises(ResultCodeError) as caught:
        parse_page({'resultCode': code, 'resultDesc': desc})
    assert str(caught.value) == message
    assert caught.value.result_code == code and caught.value.result_desc == desc


def test_insufficient_permission_hints_at_cc_id():
    with pytest.raises(ResultCodeError, match=r'^CC-CMS returned 0101003 \(insufficient permission\): denied; .*cc_id'):
        parse_page({'resultCode': '0101003', 'resultDesc': 'denied'})


@pytest.mark.parametrize(
    'payload, fragment',
    [
        ([], 'the answer is list, not a JSON object'),
        ({'resultCode': 100000}, 'resultCode is 100000, not a string'),
        ({'resultCode': '0100000', 'resultDesc': 'ok'}, 'resultDesc of a successful answer is str'),
        ({'resultCode': '0100000', 'resultDesc': {'data': 'x'}}, 'resultDesc.data is str'),
        (
            {'resultCode': '0100000', 'resultDesc': {'data': {'u#1': {'a': 1}}}},
            r"resultDesc.data\['u#1'\] is dict, not a list",
        ),
        (
            {'resultCode': '0100000', 'resultDesc': {'total': 3, 'rows': []}},
            "resultDesc of a successful answer is an object with keys rows, total: neither the sample's shape",
        ),
        (
            {'resultCode': '0100000', 'resultDesc': {'u#1': {'data': [], 'count': 0}, 'u#2': []}},
            'an object with keys u#1, u#2: neither',
        ),
        ({'resultCode': '0100000', 'resultDesc': [3]}, 'an element of resultDesc is int, not an object'),
        ({'resultCode': '0100000'}, 'a successful answer has no resultDesc'),
        ({'resultCode': '0100000', 'resultDesc': {'data': {'u#1': ['x']}}}, 'a row of resultDesc.data is str'),
        (
            {'resultCode': '0100000', 'resultDesc': {'data': {'u#1': [{'equipmentId': 5}]}}},
            'field equipmentId of a row is int',
        ),
        (
            {'resultCode': '0100000', 'resultDesc': {'data': {'u#1': [{'registerStatus': 'registered'}]}}},
            'has no equipmentId',
        ),
        ({'resultCode': '0100000', 'resultDesc': {'data': [dict(VENDOR_ROW, uap=3)]}}, 'field uap of a row is int'),
        ({'resultCode': '0100000', 'resultDesc': {'data': {}, 'count': -1}}, 'resultDesc.count is -1'),
        ({'resultCode': '0100000', 'resultDesc': {'data': {}, 'count': 'many'}}, "resultDesc.count is 'many'"),
        ({'resultCode': '0100000', 'resultDesc': {'data': {}, 'count': True}}, 'resultDesc.count is True'),
    ],
)
def test_wrong_shapes(payload, fragment):
    with pytest.raises(UnexpectedResponseError, match=fragment):
        parse_page(payload)


def test_summary_counts():
    rows = [
        Row('a#1', '1', 'registered', 'normal'),
        Row('b#2', '1', 'not register', 'fault'),
        Row('a#1', '2', 'not register', 'uninstall'),
    ]
    terminals = build_terminals(rows)
    assert summarize(terminals, missing=['3'], unknown=['4', '5']) == {
        'total': 2,
        'registered': 1,
        'not_registered': 1,
        'missing': 1,
        'unknown': 2,
        'by_socket_status': {'fault': 1, 'normal': 1, 'uninstall': 1},
        'by_uap': {
            'a#1': {'total': 2, 'registered': 1, 'not_registered': 1},
            'b#2': {'total': 1, 'registered': 0, 'not_registered': 1},
        },
    }


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=20,
)
row_like = st.dictionaries(
    st.sampled_from(sorted(VENDOR_ROW) + ['uap', 'other']), json_values | st.text(max_size=5), max_size=12
)
answer_like = st.fixed_dictionaries(
    {
        'resultCode': st.sampled_from(['0100000', '0100002', 100000, None]),
        'resultDesc': (
            json_values
            | st.fixed_dictionaries(
                {
                    'count': json_values | st.integers(0, 500) | st.text('0123456789', max_size=3),
                    'data': (
                        json_values
                        | st.lists(row_like, max_size=3)
                        | st.dictionaries(st.text(max_size=6), st.lists(row_like, max_size=3), max_size=3)
                    ),
                }
            )
        ),
    }
)


@settings(max_examples=300, deadline=None)
@given(json_values | answer_like)
def test_parse_page_raises_only_collection_errors(payload):
    try:
        page = parse_page(payload)
    except AiccError:
        return
    assert page.count is None or page.count >= 0
    for row in page.rows:
        assert isinstance(row.equipment_id, str) and row.equipment_id
    summarize(build_terminals(page.rows))


def test_no_match_code_is_an_empty_page():
    page = parse_page({'resultCode': '0101002', 'resultDesc': 'queried number does not exist on the UAP'})
    assert page.rows == () and page.no_match and page.count is None


ROW_A = dict(VENDOR_ROW, equipmentId='1001')
ROW_B = dict(VENDOR_ROW, equipmentId='1002')


@pytest.mark.parametrize(
    'desc, count, key_counts',
    [
        ({'data': {'u#1': [ROW_A], 'u#2': [ROW_B]}, 'count': 2}, 2, None),  # the sample's shape
        (
            {'u#1': {'data': [ROW_A], 'count': 1}, 'u#2': {'data': [ROW_B], 'count': 7}},
            None,
            {'u#1': 1, 'u#2': 7},
        ),  # the tables'
        ([{'data': {'u#1': [ROW_A], 'u#2': [ROW_B]}, 'count': '2'}], 2, None),  # a list of the sample's
        (
            [{'u#1': {'data': [ROW_A], 'count': 1}}, {'u#2': {'data': [ROW_B]}}],
            None,
            {'u#1': 1},
        ),  # a list of the tables'
    ],
)
def test_every_answer_shape_of_the_vendor_page(desc, count, key_counts):
    page = parse_page({'resultCode': '0100000', 'resultDesc': desc})
    assert [(row.uap, row.equipment_id) for row in page.rows] == [('u#1', '1001'), ('u#2', '1002')]
    assert (page.count, page.key_counts, page.no_match) == (count, key_counts, False)


@pytest.mark.parametrize(
    'desc',
    [
        None,
        {},
        [],
        {'data': {}},
        {'data': []},
        {'data': None},
        {'data': {}, 'count': 0},
        {'u#1': {'data': []}},
        {'u#1': {'data': None, 'count': 0}},
        [{'data': {}}],
    ],
)
def test_empty_data_in_every_form(desc):
    assert parse_page({'resultCode': '0100000', 'resultDesc': desc}).rows == ()
