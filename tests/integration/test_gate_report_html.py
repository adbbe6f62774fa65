# Copyright (c) 2026 aicc.cms contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The gate's reports from real precheck/postcheck runs: HTML seen by headless Chromium, JUnit read back."""

from __future__ import annotations

import json
import shutil
import struct
import subprocess
import zlib

import pytest
from junitparser import Error, Failure, JUnitXml

pytestmark = pytest.mark.slow

CHROMIUM = shutil.which('chromium') or '/usr/bin/chromium'
CHROMIUM_FLAGS = [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
]
FAIL_RED = (0xB3, 0x26, 0x1E)  # the banner colour of a failed gate in _report.py


def chromium(tmp_path, *args):
    if not shutil.which(CHROMIUM):
        pytest.skip('chromium is not installed (make test installs it)')
    profile = tmp_path / 'chromium-profile'
    return subprocess.run(
        [CHROMIUM, *CHROMIUM_FLAGS, f'--user-data-dir={profile}', *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )


def png_pixel(path, x, y):
    """RGB of one pixel of an 8-bit RGB/RGBA non-interlaced PNG (what Chromium writes)."""
    data = path.read_bytes()
    width, height, depth, colour = struct.unpack('>IIBB', data[16:26])
    assert depth == 8 and colour in (2, 6), 'unexpected PNG format'
    channels = 3 if colour == 2 else 4
    chunks, offset = b'', 8
    while offset < len(data):
        length, kind = struct.unpack('>I4s', data[offset : offset + 8])
        if kind == b'IDAT':
            chunks += data[offset + 8 : offset + 8 + length]
        offset += 12 + length
    raw, stride, previous = zlib.decompress(chunks), width * channels, bytearray(width * channels)
    for row in range(y + 1):
        kind, line = raw[row * (stride + 1)], bytearray(raw[row * (stride + 1) + 1 : (row + 1) * (stride + 1)])
        for i in range(stride):
            left = line[i - channels] if i >= channels else 0
            up, up_left = previous[i], previous[i - channels] if i >= channels else 0
            if kind == 1:
                line[i] = (line[i] + left) & 0xFF
            elif kind == 2:
                line[i] = (line[i] + up) & 0xFF
            elif kind == 3:
                line[i] = (line[i] + (left + up) // 2) & 0xFF
            elif kind == 4:
                estimate = left + up - up_left
                nearest = min(
                    (abs(estimate - left), 0, left), (abs(estimate - up), 1, up), (abs(estimate - up_left), 2, up_left)
                )
                line[i] = (line[i] + nearest[2]) & 0xFF
        previous = line
    return tuple(previous[x * channels : x * channels + 3])


@pytest.fixture(name='failed_gate')
def fixture_failed_gate(sim, run_ansible, aicc_env, tmp_path):
    """Precheck, two registered phones drop, postcheck: the gate fails; returns (report dir, regressed IDs, run)."""
    reports = tmp_path / 'reports'
    scope = json.dumps(
        {
            'aicc_gate_eid_ranges': ['8880000-8880099'],
            'aicc_gate_report_dir': str(reports),
            'aicc_gate_wait_timeout': 2,
            'aicc_gate_wait_interval': 1,
        }
    )
    pre = run_ansible(['ansible-playbook', 'aicc.cms.precheck', '-e', scope], env=aicc_env)
    assert pre.returncode == 0, pre.stdout + pre.stderr
    baseline = json.loads((reports / 'localhost' / 'aicc_gate_baseline.json').read_text())
    dropped = sorted(eid for eid, (registered, _rows) in baseline['terminals'].items() if registered)[:2]
    sim.set_status(dropped, 'not register')
    post = run_ansible(['ansible-playbook', 'aicc.cms.postcheck', '-e', scope], env=aicc_env)
    return reports, dropped, post


def test_failed_gate_is_visible_in_chromium_and_junit_names_the_terminals(failed_gate, tmp_path):
    reports, dropped, post = failed_gate
    assert post.returncode == 2, post.stdout + post.stderr
    assert 'FAIL: Do not close the window: 2 regressed; roll back or fix.' in post.stdout
    page = reports / 'localhost' / 'aicc_gate_post.html'

    dom = chromium(tmp_path, '--dump-dom', page.as_uri()).stdout
    assert 'data-verdict="FAIL"' in dom
    assert '<h1>FAIL — do not close the window: roll back or fix</h1>' in dom
    for eid in dropped:
        assert f'<td>{eid}</td>' in dom

    shot = tmp_path / 'report.png'
    chromium(tmp_path, f'--screenshot={shot}', '--window-size=900,700', '--hide-scrollbars', page.as_uri())
    red, green, blue = png_pixel(shot, 20, 10)
    assert abs(red - FAIL_RED[0]) < 12 and abs(green - FAIL_RED[1]) < 12 and abs(blue - FAIL_RED[2]) < 12

    # The same run's JUnit report, read back by a JUnit parser: one case per terminal in scope, and a
    # suite of the ID blocks (blast radius) whose failing block holds the dropped terminals.
    xml = JUnitXml.fromfile(str(reports / 'localhost' / 'aicc_gate_post.xml'))
    suites = {suite.name: suite for suite in xml}
    blocks = suites.pop('aicc.cms.registration_gate.post.blocks')
    cases = {case.name: case for suite in suites.values() for case in suite}
    assert len(cases) == 100
    block_messages = ' '.join(
        case.result[0].message for case in blocks if case.result and isinstance(case.result[0], Failure)
    )
    assert all(eid in block_messages for eid in dropped), block_messages
    failed = sorted(name for name, case in cases.items() if any(isinstance(result, Failure) for result in case.result))
    assert failed == dropped
    assert not any(isinstance(result, Error) for case in cases.values() for result in case.result)
    assert cases[dropped[0]].result[0].message == 'registered before the change, not registered now'


def test_postcheck_without_baseline_names_what_it_looked_for(sim, run_ansible, aicc_env, tmp_path):
    missing_file = tmp_path / 'nowhere' / 'baseline.json'
    post = run_ansible(
        [
            'ansible-playbook',
            'aicc.cms.postcheck',
            '-e',
            json.dumps(
                {
                    'aicc_gate_eid_ranges': ['8880000-8880009'],
                    'aicc_gate_report_dir': str(tmp_path / 'r'),
                    'aicc_gate_baseline_file': str(missing_file),
                }
            ),
        ],
        env=aicc_env,
    )
    assert post.returncode == 2
    assert 'No baseline to compare with: the variable aicc_gate_baseline is not set and the file' in post.stdout
    assert str(missing_file) in post.stdout
    assert aicc_env['AICC_SECRET_KEY'] not in post.stdout + post.stderr
