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
    Environment for subprocesses: the venv first on PATH, ANSIBLE_COLLECTIONS_PATH and PYTHONPATH
    pointing at the collection, no colour, per-test ANSIBLE_HOME / ANSIBLE_LOCAL_TEMP /
    ANSIBLE_REMOTE_TEMP under ``tmp_path``, no AICC_* variables inherited from the caller.
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

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from simulator import Simulator

REPO_ROOT = Path(__file__).resolve().parents[2]
RUN_TIMEOUT_SECONDS = 300
# The vendor's rule: more than 10 concurrent requests degrade CC-CMS into time-outs.
API_MAX_IN_FLIGHT = 10
DEFAULT_SIM_OPTIONS = {'ranges': ('8880000-8880499',), 'uaps': 2, 'registered_ratio': 0.9, 'seed': 1}


def _collections_root() -> Path:
    """The folder holding ansible_collections/aicc/cms for this checkout."""
    if REPO_ROOT.parent.name == 'aicc' and REPO_ROOT.parent.parent.name == 'ansible_collections':
        return REPO_ROOT.parents[2]
    return REPO_ROOT / '.build'


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


@pytest.fixture
def ansible_env(tmp_path) -> dict:
    env = {name: value for name, value in os.environ.items() if not name.startswith(('AICC_', 'ANSIBLE_'))}
    venv_bin = str(Path(sys.executable).parent)
    collections_root = str(_collections_root())
    ansible_home = tmp_path / 'ansible-home'
    for folder in ('tmp-local', 'tmp-remote'):
        (ansible_home / folder).mkdir(parents=True, exist_ok=True)
    env.update(
        {
            'PATH': os.pathsep.join([venv_bin, env.get('PATH', '')]),
            'ANSIBLE_COLLECTIONS_PATH': collections_root,
            'PYTHONPATH': collections_root,
            'ANSIBLE_FORCE_COLOR': '0',
            'ANSIBLE_NOCOLOR': '1',
            'ANSIBLE_HOME': str(ansible_home),
            'ANSIBLE_LOCAL_TEMP': str(ansible_home / 'tmp-local'),
            'ANSIBLE_REMOTE_TEMP': str(ansible_home / 'tmp-remote'),
            'ANSIBLE_LOCALHOST_WARNING': 'false',
            'ANSIBLE_INVENTORY_UNPARSED_WARNING': 'false',
            'ANSIBLE_RETRY_FILES_ENABLED': 'false',
            'ANSIBLE_HOST_KEY_CHECKING': 'false',
            'PYTHONDONTWRITEBYTECODE': '1',
        }
    )
    return env


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


def _with_localhost_defaults(cmd: list[str]) -> list[str]:
    tool = Path(cmd[0]).name
    if tool not in ('ansible-playbook', 'ansible'):
        return cmd
    extra = ['-e', f'ansible_python_interpreter={sys.executable}']
    has_inventory = any(
        arg in ('-i', '--inventory', '--inventory-file') or arg.startswith(('-i', '--inventory=')) for arg in cmd[1:]
    )
    if not has_inventory:
        extra += ['-i', 'localhost,', '-c', 'local']
    return [cmd[0]] + extra + cmd[1:]


@pytest.fixture
def run_ansible(ansible_env):
    def run(cmd_list, env=None, cwd=None) -> subprocess.CompletedProcess:
        full_env = dict(ansible_env)
        full_env.update(env or {})
        cmd = _with_localhost_defaults([str(part) for part in cmd_list])
        executable = shutil.which(cmd[0], path=full_env['PATH']) or cmd[0]
        try:
            return subprocess.run(
                [executable] + cmd[1:],
                env=full_env,
                cwd=cwd,
                capture_output=True,
                text=True,
                timeout=RUN_TIMEOUT_SECONDS,
                check=False,
            )
        except subprocess.TimeoutExpired as expired:

            def text(value) -> str:
                return value.decode('utf-8', 'replace') if isinstance(value, bytes) else (value or '')

            return subprocess.CompletedProcess(
                cmd,
                -9,
                text(expired.stdout),
                text(expired.stderr) + f'\nrun_ansible: killed after {RUN_TIMEOUT_SECONDS} s',
            )

    return run
