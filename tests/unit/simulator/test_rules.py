# Copyright (c) 2026 aicc.cms contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The API's rules: the in-flight cap stalls extra requests, wildcard queries reaching 200 matches are violations."""

from __future__ import annotations

import http.client
import threading
import time

import pytest
from simulator.client import RawClient


def _wait_until(predicate, what: str, attempts: int = 500) -> None:
    for _attempt in range(attempts):
        if predicate():
            return
        time.sleep(0.01)
    raise AssertionError(f'never happened: {what}')


def test_request_past_the_cap_stalls_and_gets_no_answer(make_sim):
    sim = make_sim(max_in_flight=2, stall_seconds=0.3, faults=['latency:1'], latency_ms=1500)
    results = []

    def slow_query() -> None:
        with RawClient.for_simulator(sim, timeout=30) as client:
            results.append(client.post({'EID': '8880001'})[0])

    threads = [threading.Thread(target=slow_query) for _index in range(2)]
    for thread in threads:
        thread.start()
    _wait_until(lambda: sim.stats()['in_flight'] == 2, 'two requests in flight')
    with RawClient.for_simulator(sim, timeout=30) as third:
        with pytest.raises((http.client.RemoteDisconnected, ConnectionError)):
            third.post({'EID': '8880002'})
    for thread in threads:
        thread.join()
    stats = sim.stats()
    assert results == [200, 200]
    assert stats['stalled'] == 1
    assert stats['max_in_flight'] == 3
    assert stats['requests'] == 3
    assert stats['by_status'] == {'200': 2}


def test_requests_within_the_cap_are_answered(make_sim, client_for):
    sim = make_sim(max_in_flight=1, stall_seconds=0.3)
    client = client_for(sim)
    for _index in range(5):
        assert client.post({'EID': '8880001'})[0] == 200
    assert sim.stats()['stalled'] == 0


@pytest.mark.parametrize(
    'last_id, pattern, violation',
    [
        ('8880199', '8880*', True),  # exactly 200 matches: reaches 200
        ('8880198', '8880*', False),  # 199
        ('8880299', '8880???', True),
        ('8880299', '88801??', False),
        ('8880299', '8880150', False),  # exact IDs never count
    ],
)
def test_wildcard_reaching_200_matches_is_answered_and_recorded(make_sim, client_for, last_id, pattern, violation):
    sim = make_sim(ranges=(f'8880000-{last_id}',))
    answer = client_for(sim).query({'EID': pattern, 'limit': 10, 'offset': 0})
    assert answer['resultCode'] == '0100000'
    stats = sim.stats()
    assert stats['violations'] == (1 if violation else 0)
    if violation:
        assert stats['violation_eids'] == [{'eid': pattern, 'matches': answer['resultDesc']['count']}]


def test_violations_count_ids_not_rows_in_pool_mode(make_sim, client_for):
    sim = make_sim(ranges=('8880000-8880149',), uaps=2, count_semantics='rows')
    client_for(sim).query({'EID': '8880*'})
    assert sim.stats()['violations'] == 0
