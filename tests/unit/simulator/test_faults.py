# Copyright (c) 2026 aicc.cms contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Each fault kind, its scope, and determinism per seed."""

from __future__ import annotations

import http.client
import json
import time

import pytest
from simulator.faults import FaultError, parse_fault


@pytest.mark.parametrize(
    'kind, status, content_type',
    [
        ('500', 500, 'text/plain'),
        ('502', 502, 'text/plain'),
        ('503', 503, 'text/plain'),
        ('429', 429, 'text/plain'),
        ('html', 200, 'text/html;charset=UTF-8'),
    ],
)
def test_status_faults(make_sim, client_for, kind, status, content_type):
    sim = make_sim(faults=[kind + ':1'], retry_after=7)
    answer_status, headers, _text = client_for(sim).post({'EID': '8880001'})
    assert answer_status == status
    assert headers['Content-Type'] == content_type
    if kind == '429':
        assert headers['Retry-After'] == '7'
    assert sim.stats()['faults_injected'] == {kind: 1}


def test_truncated_is_the_start_of_a_valid_answer(make_sim, client_for):
    sim = make_sim()
    client = client_for(sim)
    _status, _headers, whole = client.post({'EID': '888000?'})
    sim.set_faults(['truncated:1'])
    status, headers, cut = client.post({'EID': '888000?'})
    assert status == 200 and headers['Content-Type'].startswith('application/json')
    assert 0 < len(cut) < len(whole) and whole.startswith(cut)
    with pytest.raises(ValueError):
        json.loads(cut)


def test_nonjson_body(make_sim, client_for):
    sim = make_sim(faults=['nonjson:1'])
    status, _headers, text = client_for(sim).post({'EID': '8880001'})
    assert status == 200
    with pytest.raises(ValueError):
        json.loads(text)


def test_resultdesc_failure_is_a_string(make_sim, client_for):
    sim = make_sim(faults=['resultdesc:1'])
    answer = client_for(sim).query({'EID': '8880001'})
    assert answer == {'resultCode': '0100001', 'resultDesc': 'call failed'}


def test_timeout_holds_then_closes_without_answer(make_sim, client_for):
    sim = make_sim(faults=['timeout:1'], stall_seconds=0.2)
    with pytest.raises((http.client.RemoteDisconnected, ConnectionError)):
        client_for(sim).post({'EID': '8880001'})
    stats = sim.stats()
    assert stats['faults_injected'] == {'timeout': 1}
    assert stats['stalled'] == 0


def test_latency_delays_but_answers(make_sim, client_for):
    sim = make_sim(faults=['latency:1'], latency_ms=200, jitter_ms=50)
    started = time.monotonic()
    answer = client_for(sim).query({'EID': '8880001'})
    assert time.monotonic() - started >= 0.2
    assert answer['resultCode'] == '0100000'
    assert sim.stats()['faults_injected'] == {'latency': 1}


def test_scope_limits_a_fault_to_matching_eids(make_sim, client_for):
    sim = make_sim(faults=['503:1@888001*'])
    client = client_for(sim)
    assert client.post({'EID': '8880001'})[0] == 200
    assert client.post({'EID': '8880012'})[0] == 503
    assert client.post({'EID': '888001?'})[0] == 503


def _statuses(sim, client, count=30):
    return [client.post({'EID': '8880001'})[0] for _index in range(count)]


def test_rates_are_deterministic_per_seed(make_sim, client_for):
    sims = [make_sim(faults=['500:0.3', '503:0.3'], fault_seed=seed) for seed in (5, 5, 6)]
    runs = [_statuses(sim, client_for(sim)) for sim in sims]
    assert runs[0] == runs[1]
    assert runs[0] != runs[2]
    assert {200, 500, 503} <= set(runs[0])


def test_replacing_faults_resets_the_sequence(make_sim, client_for):
    sim = make_sim(faults=['500:0.5'], fault_seed=3)
    client = client_for(sim)
    first = _statuses(sim, client, 10)
    sim.set_faults(['500:0.5'])
    assert _statuses(sim, client, 10) == first
    sim.set_faults([])
    assert set(_statuses(sim, client, 5)) == {200}


@pytest.mark.parametrize('spec', ['boom:1', '500:2', '500:x', '500:-0.1'])
def test_bad_fault_specs_are_explained(spec):
    with pytest.raises(FaultError, match='kind|rate'):
        parse_fault(spec)


def test_fault_spec_forms():
    assert str(parse_fault('timeout:0.25@8880*')) == 'timeout:0.25@8880*'
    assert str(parse_fault('html')) == 'html:1'
    assert str(parse_fault({'kind': '429', 'rate': 0.5})) == '429:0.5'
