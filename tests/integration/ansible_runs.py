# Copyright (c) 2026 aicc.cms contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""How the integration tests run Ansible: one environment and one runner, for fixtures of any scope.

conftest.py's ``ansible_env`` and ``run_ansible`` fixtures are these per test; a module-scoped run
(one playbook for a table of cases) calls them directly.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
RUN_TIMEOUT_SECONDS = 300


def collections_root() -> Path:
    """The folder holding ansible_collections/aicc/cms for this checkout."""
    if REPO_ROOT.parent.name == 'aicc' and REPO_ROOT.parent.parent.name == 'ansible_collections':
        return REPO_ROOT.parents[2]
    return REPO_ROOT / '.build'


def ansible_environment(home: Path, runtime_dir: Path) -> dict:
    """The environment of an Ansible subprocess: the venv first on PATH, the collection, no colour, ANSIBLE_HOME
    and its temp folders under ``home``, no AICC_* or ANSIBLE_* variables of the caller, and ``runtime_dir`` as
    XDG_RUNTIME_DIR, so the in-flight budget folders of the tests stay out of the user's own."""
    env = {name: value for name, value in os.environ.items() if not name.startswith(('AICC_', 'ANSIBLE_'))}
    root = str(collections_root())
    for folder in ('tmp-local', 'tmp-remote'):
        (home / folder).mkdir(parents=True, exist_ok=True)
    env.update(
        {
            'PATH': os.pathsep.join([str(Path(sys.executable).parent), env.get('PATH', '')]),
            'ANSIBLE_COLLECTIONS_PATH': root,
            'PYTHONPATH': root,
            'ANSIBLE_FORCE_COLOR': '0',
            'ANSIBLE_NOCOLOR': '1',
            'ANSIBLE_HOME': str(home),
            'ANSIBLE_LOCAL_TEMP': str(home / 'tmp-local'),
            'ANSIBLE_REMOTE_TEMP': str(home / 'tmp-remote'),
            'ANSIBLE_LOCALHOST_WARNING': 'false',
            'ANSIBLE_INVENTORY_UNPARSED_WARNING': 'false',
            'ANSIBLE_RETRY_FILES_ENABLED': 'false',
            'ANSIBLE_HOST_KEY_CHECKING': 'false',
            'PYTHONDONTWRITEBYTECODE': '1',
            'XDG_RUNTIME_DIR': str(runtime_dir),
        }
    )
    return env


def private_runtime_dir(path: Path) -> Path:
    """``path`` made a folder only this user can enter, as the budget requires of XDG_RUNTIME_DIR."""
    path.mkdir(parents=True, exist_ok=True)
    path.chmod(0o700)
    return path


def with_localhost_defaults(cmd: list[str]) -> list[str]:
    """ansible-playbook and ansible get this Python as interpreter, and localhost when no inventory is given."""
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


def run(cmd_list: list, env: dict, cwd=None) -> subprocess.CompletedProcess:
    """Run an Ansible command; never raises on a non-zero exit, and kills it after RUN_TIMEOUT_SECONDS (return
    code -9, a note in stderr)."""
    cmd = with_localhost_defaults([str(part) for part in cmd_list])
    executable = shutil.which(cmd[0], path=env['PATH']) or cmd[0]
    try:
        return subprocess.run(
            [executable] + cmd[1:],
            env=env,
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
            cmd, -9, text(expired.stdout), text(expired.stderr) + f'\nrun_ansible: killed after {RUN_TIMEOUT_SECONDS} s'
        )
