# Copyright (c) 2026 aicc.cms contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""probe_server: what a few bounded queries prove about a server, within a request budget."""

from __future__ import annotations

from ansible_collections.aicc.cms.plugins.module_utils._query.planner import plan_queries
from ansible_collections.aicc.cms.plugins.module_utils._query.probe import advice, probe_server

from ...scripted_cms import JSON_TYPE, TerminalTable


def table(number, uaps=('10.9.0.1#1',)):
    return {str(88880000 + n): [(uap, 'registered') for uap in uaps] for n in range(number)}


def test_probe_proves_the_paging_of_a_server_paging_ids(make_client):
    client, fake, _sleeps = make_client(
        TerminalTable(table(100, uaps=('a#1', 'b#2'))), page_size=10, trace=True, max_requests=6
    )
    result = probe_server(client, plan_queries(eid_ranges=['88880000-88880099']))
    assert result['requests'] == 6 == len(fake.calls) == len(result['exchanges'])
    assert result['complete'] is False and result['queries'] == 0  # the budget ended the one query
    assert result['readings']['offset'] == ['items']
    assert result['parameter_type'] == 'integer' and result['errors'] == []
    assert result['latency'] is not None and result['clock_offset_seconds'] is None  # no Date header here


def test_probe_reports_uap_keys_and_a_complete_run(make_client):
    client, _fake, _sleeps = make_client(
        TerminalTable(table(30, uaps=('a#1', 'b#2'))), page_size=100, trace=True, max_requests=10
    )
    result = probe_server(client, plan_queries(eid_ranges=['88880000-88880029']))
    assert result['complete'] is True and result['queries'] == 1
    assert result['uap_keys'] == ['a#1', 'b#2'] and result['pool_mode'] is True


def test_probe_reports_a_failed_query_and_stops_on_authentication(make_client):
    client, _fake, _sleeps = make_client(lambda body, index: (401, {}, ''), trace=True, max_requests=6)
    result = probe_server(client, plan_queries(eids=['88880001', 'sip.a']))
    assert result['queries'] == 1 and result['complete'] is False
    assert result['errors'][0].startswith('EID 88880001: authentication failed (HTTP 401)')
    assert result['advice'].startswith('a query failed (EID 88880001: authentication failed')


def test_probe_accepts_strings_when_integers_are_refused(make_client):
    served = TerminalTable(table(5))

    def strings_only(body, index):
        if isinstance(body['limit'], int):
            return 200, JSON_TYPE, {'resultCode': '0100002', 'resultDesc': 'limit must be a string'}
        return served(dict(body, limit=int(body['limit']), offset=int(body['offset'])), index)

    client, _fake, _sleeps = make_client(strings_only, trace=True, max_requests=6)
    assert probe_server(client, plan_queries(eids=['8888000?']))['parameter_type'] == 'string'


def test_advice_sentences():
    readings = {'limit_counts': ['ids'], 'offset': ['items'], 'count': ['ids'], 'uap_count': ['none'], 'standing': 1}
    assert advice(readings, [], []).startswith('the answers prove one reading')
    assert advice(readings, [], [900.0]).startswith('the clock of CC-CMS is 900 s away from this host')
    assert 'open: limit_counts' in advice(dict(readings, limit_counts=['ids', 'rows'], standing=2), [], [])
