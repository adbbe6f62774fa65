# Copyright (c) 2026 aicc.cms contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Fixtures for the simulator's own tests: simulators under tmp_path and raw signed clients."""

from __future__ import annotations

import pytest
from simulator import Simulator
from simulator.client import RawClient


@pytest.fixture
def make_sim(tmp_path):
    """``make_sim(**options)`` -> a started Simulator (small data by default), stopped at teardown."""
    started = []

    def start(**options) -> Simulator:
        options.setdefault('ranges', ('8880000-8880049',))
        options.setdefault('state_dir', str(tmp_path / f'sim-{len(started)}'))
        simulator = Simulator(**options).start()
        started.append(simulator)
        return simulator

    yield start
    for simulator in started:
        simulator.stop()


@pytest.fixture
def client_for():
    """``client_for(sim)`` -> a RawClient signed with the simulator's keys, closed at teardown."""
    clients = []

    def make(sim, **kwargs) -> RawClient:
        client = RawClient.for_simulator(sim, **kwargs)
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.close()
