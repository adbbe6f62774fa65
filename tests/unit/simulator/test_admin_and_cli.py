# Copyright (c) 2026 aicc.cms contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Admin endpoints, data files, TLS and the command line."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
from simulator import Simulator
from simulator.store import DataError

UAP1 = '10.10.0.1#1'
TESTS_DIR = Path(__file__).resolve().parents[2]  # `python -m simulator` runs from there
SCENARIOS = TESTS_DIR / 'simulator' / 'scenarios'


def _admin(sim, method, route, payload=None):
    response = requests.request(method, sim.admin_url + route, json=payload, verify=sim.ca_path, timeout=10)
    return response.status_code, response.json()


def test_stats_and_reset(make_sim, client_for):
    sim = make_sim()
    client = client_for(sim)
    client.query({'EID': '8880001'})
    client.post({'EID': '8880001'}, authorization='auth-v2/x')
    status, stats = _admin(sim, 'GET', '/stats')
    assert status == 200
    assert stats['requests'] == 2 and stats['unauthorized'] == 1 and stats['pages_served'] == 1
    assert stats['by_status'] == {'200': 1, '401': 1}
    assert _admin(sim, 'POST', '/stats/reset') == (200, {'reset': True})
    assert sim.stats()['requests'] == 0


def test_set_terminals_and_read_one(make_sim):
    sim = make_sim(registered_ratio=1.0)
    change = {
        'eids': ['8880001'],
        'ranges': ['8880010-8880011'],
        'register_status': 'not register',
        'socket_status': 'fault',
    }
    assert _admin(sim, 'POST', '/terminals', change) == (200, {'changed': 3})
    status, terminal = _admin(sim, 'GET', '/terminals/8880010')
    assert (
        status == 200
        and terminal[UAP1]['registerStatus'] == 'not register'
        and terminal[UAP1]['socketStatus'] == 'fault'
    )
    assert _admin(sim, 'GET', '/terminals/9999')[0] == 404
    status, answer = _admin(sim, 'POST', '/terminals', {'eids': ['9999'], 'register_status': 'registered'})
    assert status == 400 and 'Unknown equipment IDs 9999' in answer['error']
    status, answer = _admin(sim, 'POST', '/terminals', {'eids': ['8880001'], 'register_status': 'up'})
    assert status == 400 and 'registered' in answer['error']


def test_faults_endpoint_replaces_the_set(make_sim, client_for):
    sim = make_sim(faults=['500:1'])
    assert _admin(sim, 'POST', '/faults', {'faults': ['503:1@8880001'], 'seed': 2}) == (
        200,
        {'faults': ['503:1@8880001']},
    )
    client = client_for(sim)
    assert client.post({'EID': '8880001'})[0] == 503
    assert client.post({'EID': '8880002'})[0] == 200
    assert _admin(sim, 'POST', '/faults', ['boom:1'])[0] == 400
    assert _admin(sim, 'POST', '/faults', [])[1] == {'faults': []}


def test_scenario_start_endpoint(make_sim):
    assert _admin(make_sim(), 'POST', '/scenario/start')[0] == 409
    sim = make_sim(scenario=str(SCENARIOS / 'regression.yml'))
    assert _admin(sim, 'POST', '/scenario/start') == (200, {'started': True, 'scenario': 'regression'})
    assert len(sim.stats()['scenario']['steps_applied'][0]['eids']) == 25


def test_unknown_routes(make_sim):
    sim = make_sim()
    assert _admin(sim, 'GET', '/nothing')[0] == 404
    assert (
        requests.get(
            sim.url + '/rest/cmsapp/v1/openapi/uap/queryterminalstatus', verify=sim.ca_path, timeout=10
        ).status_code
        == 405
    )
    assert requests.post(sim.url + '/elsewhere', verify=sim.ca_path, timeout=10).status_code == 404


def test_shutdown_endpoint_stops_the_server(make_sim):
    sim = make_sim()
    assert _admin(sim, 'POST', '/shutdown') == (200, {'stopping': True})
    assert sim.wait(10)
    with pytest.raises(requests.ConnectionError):
        requests.get(sim.admin_url + '/stats', verify=sim.ca_path, timeout=5)


def test_admin_refuses_non_loopback_clients(make_sim):
    sim = make_sim()
    sent = []

    class FakeHandler:
        client_address = ('10.1.2.3', 5555)

        def respond_json(self, status, payload):
            sent.append((status, payload))

    sim.admin_api.answer(FakeHandler(), 'GET', '/_sim/stats', b'')
    assert sent[0][0] == 403


def test_plain_http_and_tls_certificate(make_sim, client_for):
    plain = make_sim(tls=False)
    assert plain.url.startswith('http://127.0.0.1:') and plain.ca_path is None
    assert client_for(plain).query({'EID': '8880001'})['resultCode'] == '0100000'
    secure = make_sim()
    assert secure.url.startswith('https://127.0.0.1:')
    # the generated CA verifies the server under both names
    assert (
        requests.get(f'https://localhost:{secure.port}/_sim/stats', verify=secure.ca_path, timeout=10).status_code
        == 200
    )
    with pytest.raises(requests.exceptions.SSLError):
        requests.get(secure.admin_url + '/stats', timeout=10)


@pytest.mark.parametrize('suffix', ['.json', '.yml'])
def test_data_file(tmp_path, make_sim, client_for, suffix):
    first_rows = {
        '10.9.9.1#1': {'registerStatus': 'registered', 'ccuModuleNumber': '3'},
        '10.9.9.2#2': {'registerStatus': 'not register', 'socketStatus': 'fault'},
    }
    entries = [{'equipmentId': '7001', 'rows': first_rows}, {'equipmentId': '7002', 'rows': {'10.9.9.2#2': {}}}]
    path = tmp_path / ('terminals' + suffix)
    path.write_text(json.dumps(entries))  # JSON is valid YAML
    sim = make_sim(data=str(path))
    answer = client_for(sim).query({'EID': '700?'})
    data = answer['resultDesc']['data']
    assert answer['resultDesc']['count'] == 2
    assert [row['equipmentId'] for row in data['10.9.9.1#1']] == ['7001']
    assert [row['equipmentId'] for row in data['10.9.9.2#2']] == ['7001', '7002']
    assert data['10.9.9.1#1'][0]['ccuModuleNumber'] == '3'
    assert data['10.9.9.2#2'][0]['socketStatus'] == 'fault'


@pytest.mark.parametrize(
    'content, message',
    [
        ('{', 'cannot be parsed'),
        ('{"equipmentId": "1"}', 'must be a list'),
        ('[{"equipmentId": "1"}]', 'non-empty rows'),
        ('[{"equipmentId": "1*", "rows": {"u#1": {}}}]', 'no wildcards'),
        ('[{"equipmentId": "1", "rows": {"u#1": {"registerStatus": "up"}}}]', 'registerStatus'),
    ],
)
def test_bad_data_files_are_explained(tmp_path, content, message):
    path = tmp_path / 'terminals.json'
    path.write_text(content)
    with pytest.raises(DataError, match=message):
        Simulator(data=str(path))


def test_environment_supplies_the_keys(monkeypatch):
    monkeypatch.setenv('AICC_SIM_ACCESS_KEY', 'env-ak')
    monkeypatch.setenv('AICC_SIM_SECRET_KEY', 'env-sk')
    sim = Simulator(ranges=('1-2',))
    assert (sim.access_key, sim.secret_key) == ('env-ak', 'env-sk')


def test_command_line_state_file_and_stats_on_exit(tmp_path):
    state_file = tmp_path / 'state' / 'state.json'
    canary = f'canary-secret-{os.getpid()}'
    env = dict(os.environ, AICC_SIM_SECRET_KEY=canary)
    process = subprocess.Popen(
        [
            sys.executable,
            '-m',
            'simulator',
            '--port',
            '0',
            '--state-file',
            str(state_file),
            '--ranges',
            '8880000-8880009',
            '--uaps',
            '2',
        ],
        env=env,
        cwd=TESTS_DIR,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        for _attempt in range(300):
            if state_file.exists() or process.poll() is not None:
                break
            time.sleep(0.05)
        state = json.loads(state_file.read_text())
        assert set(state) == {'url', 'admin_url', 'ca_path', 'pid', 'access_key', 'terminals'}
        assert state['pid'] == process.pid and state['terminals'] == 10 and state['access_key'] == 'sim-access-key'
        assert Path(state['ca_path']).parent == state_file.parent
        assert requests.get(state['admin_url'] + '/stats', verify=state['ca_path'], timeout=10).status_code == 200
    finally:
        process.send_signal(signal.SIGTERM)
        stdout, stderr = process.communicate(timeout=30)
    assert process.returncode == 0
    assert state['url'] in stdout.splitlines()[0]
    assert json.loads(stdout.strip().splitlines()[-1])['requests'] == 0
    assert canary not in stdout + stderr + state_file.read_text()


def test_command_line_rejects_bad_options(tmp_path):
    result = subprocess.run(
        [sys.executable, '-m', 'simulator', '--ranges', '9-1'],
        cwd=TESTS_DIR,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    assert "Range '9-1'" in result.stderr and 'Traceback' not in result.stderr
    result = subprocess.run(
        [sys.executable, '-m', 'simulator', '--fault', 'boom:1'],
        cwd=TESTS_DIR,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2 and "Fault kind 'boom'" in result.stderr
