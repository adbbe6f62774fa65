# Copyright (c) 2026 aicc.cms contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Fixtures shared by every integration test (the CC-CMS simulator and real Ansible runs).

``sim_factory``
    Function-scoped. ``sim_factory(**options)`` starts a ``simulator.Simulator`` with those
    keyword options (same names as the CLI flags: ``ranges``, ``uaps``, ``faults``,
    ``scenario``, ``count_semantics``...), its state dir (``ca.pem``) under ``tmp_path``, and
    stops every simulator it started at teardown. Call it several times for several servers.
``sim``
    The default simulator: ranges 8880000-8880499, 2 UAPs (pool mode), registered ratio 0.9,
    seed 1, HTTPS. Attributes ``url``, ``admin_url``, ``ca_path``, ``access_key``,
    ``secret_key``; methods ``stats()``, ``reset_stats()``, ``set_status()``, ``set_faults()``,
    ``start_scenario()``, ``terminal()`` (see tests/simulator/README.md).
``ansible_env``
    Environment for subprocesses (``ansible_runs.ansible_environment``): the venv first on PATH, the
    collection, no colour, per-test ANSIBLE_HOME / ANSIBLE_LOCAL_TEMP / ANSIBLE_REMOTE_TEMP under
    ``tmp_path``, no AICC_* variables inherited from the caller, and the session's private
    XDG_RUNTIME_DIR (``budget_runtime_dir``) for the in-flight budget folders.
    It does not depend on ``sim``: merge ``aicc_env`` into it when a run needs the connection.
``connection_vars``
    ``{url, access_key, secret_key, ca_path}`` of ``sim`` (for ``-e @file`` or module args).
``aicc_env``
    ``{AICC_URL, AICC_ACCESS_KEY, AICC_SECRET_KEY, AICC_CA_PATH}`` of ``sim``.
``run_ansible``
    ``run_ansible(cmd_list, env=None, cwd=None) -> subprocess.CompletedProcess`` (text stdout and
    stderr, never raises on a non-zero exit; after 300 s the process is killed and the result has
    return code -9 and a note in stderr). ``env`` is merged over ``ansible_env``. For
    ``ansible-playbook`` and ``ansible`` it adds ``-e ansible_python_interpreter=<this Python>``
    and, unless the command has its own ``-i``/``--inventory``, ``-i localhost, -c local``.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from integration.ansible_runs import ansible_environment, private_runtime_dir, run
from simulator import Simulator

# The vendor's rule: more than 10 concurrent requests degrade CC-CMS into time-outs.
API_MAX_IN_FLIGHT = 10
DEFAULT_SIM_OPTIONS = {'ranges': ('8880000-8880499',), 'uaps': 2, 'registered_ratio': 0.9, 'seed': 1}


@pytest.fixture
def sim_factory(tmp_path, request):
    """Start simulators; at teardown check the API's rules held on each (at most 10 requests in
    flight, no wildcard query reaching 200 matches), unless the test is marked ``api_rules_exempt``."""
    started = []

    def start(**options) -> Simulator:
        options.setdefault('state_dir', str(tmp_path / f'sim-{len(started)}'))
        simulator = Simulator(**options)
        simulator.start()
        started.append(simulator)
        return simulator

    yield start
    stats = [simulator.stats() for simulator in started]
    for simulator in reversed(started):
        simulator.stop()
    if request.node.get_closest_marker('api_rules_exempt') is None:
        for numbers in stats:
            assert numbers['max_in_flight'] <= API_MAX_IN_FLIGHT and numbers['violations'] == 0, (
                f'the API rules were broken: max in flight {numbers["max_in_flight"]} (at most {API_MAX_IN_FLIGHT}),'
                f' wildcard violations {numbers.get("violation_eids", numbers["violations"])}'
            )


@pytest.fixture
def sim(sim_factory) -> Simulator:
    return sim_factory(**DEFAULT_SIM_OPTIONS)


@pytest.fixture(scope='session')
def budget_runtime_dir(tmp_path_factory) -> Path:
    """XDG_RUNTIME_DIR of every Ansible run of the session: their in-flight budgets, apart from the user's."""
    return private_runtime_dir(tmp_path_factory.mktemp('runtime'))


@pytest.fixture
def ansible_env(tmp_path, budget_runtime_dir) -> dict:
    return ansible_environment(tmp_path / 'ansible-home', budget_runtime_dir)


@pytest.fixture
def connection_vars(sim) -> dict:
    return {'url': sim.url, 'access_key': sim.access_key, 'secret_key': sim.secret_key, 'ca_path': sim.ca_path}


@pytest.fixture
def aicc_env(sim) -> dict:
    return {
        'AICC_URL': sim.url,
        'AICC_ACCESS_KEY': sim.access_key,
        'AICC_SECRET_KEY': sim.secret_key,
        'AICC_CA_PATH': sim.ca_path,
    }


@pytest.fixture
def run_ansible(ansible_env):
    def run_one(cmd_list, env=None, cwd=None) -> subprocess.CompletedProcess:
        return run(cmd_list, dict(ansible_env, **(env or {})), cwd=cwd)

    return run_one
