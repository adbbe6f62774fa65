# Copyright (c) 2026 aicc.cms contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The collection's signer and the simulator's verifier, written independently, must agree."""

from __future__ import annotations

import datetime
import json

import pytest
from simulator import API_PATH
from simulator.client import RawClient

collection_signer = pytest.importorskip('ansible_collections.aicc.cms.plugins.module_utils._query.signer')


@pytest.mark.parametrize(
    'body',
    [
        {'EID': '8880001'},
        {'EID': '888000?', 'limit': '5', 'offset': '0', 'ccId': 1},
        {'EID': '8880%', 'limit': 100, 'offset': 0},
    ],
)
def test_collection_signature_is_accepted(make_sim, body, client_for):
    sim = make_sim()
    client = client_for(sim)
    text = json.dumps(body, separators=(',', ':'))
    header = collection_signer.sign(
        sim.access_key, sim.secret_key, 'POST', API_PATH, client.host, text, now=datetime.datetime.now(datetime.UTC)
    )
    status, _headers, answer = client.post(text.encode(), authorization=header)
    assert status == 200, answer
    assert json.loads(answer)['resultCode'] == '0100000'


def test_collection_signature_with_wrong_secret_is_rejected(make_sim):
    sim = make_sim()
    with RawClient.for_simulator(sim) as client:
        header = collection_signer.sign(sim.access_key, 'not-the-secret', 'POST', API_PATH, client.host, '{"EID":"1"}')
        assert client.post(b'{"EID":"1"}', authorization=header)[0] == 401
