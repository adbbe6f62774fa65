# Copyright (c) 2026 aicc.cms contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""A user's project that keeps the collection in its ``collections/`` folder lints clean with
ansible-lint's defaults (no configuration of theirs), the role included: the role's public
``aicc_gate_`` names do not make a user skip ``var-naming[no-role-prefix]``."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
PLAYBOOK = """---
- name: Gate a change on one site
  hosts: localhost
  gather_facts: false
  roles:
    - role: aicc.cms.registration_gate
      vars:
        aicc_gate_eid_ranges: ["8880000-8880099"]
"""

pytestmark = pytest.mark.slow


def test_a_project_with_the_collection_in_collections_lints_clean(tmp_path):
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(('ANSIBLE_', 'PYTEST_')) and name != 'PYTHONPATH'
    }
    env['HOME'] = str(tmp_path / 'home')  # nothing of this machine's ansible-lint or Ansible settings
    build = subprocess.run(
        [str(BIN / 'ansible-galaxy'), 'collection', 'build', '--output-path', str(tmp_path / 'dist'), str(ROOT)],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert build.returncode == 0, build.stdout + build.stderr
    project = tmp_path / 'project'
    (project / 'collections').mkdir(parents=True)
    tarball = next((tmp_path / 'dist').glob('aicc-cms-*.tar.gz'))
    install = subprocess.run(
        [str(BIN / 'ansible-galaxy'), 'collection', 'install', '-p', str(project / 'collections'), str(tarball)],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert install.returncode == 0, install.stdout + install.stderr
    (project / 'site.yml').write_text(PLAYBOOK, encoding='utf-8')
    role = project / 'collections' / 'ansible_collections' / 'aicc' / 'cms' / 'roles' / 'registration_gate'
    assert (role / 'defaults' / 'main.yml').is_file(), install.stdout + install.stderr

    lint = subprocess.run(
        [str(BIN / 'ansible-lint'), '--offline', 'site.yml', str(role.relative_to(project))],
        cwd=project,
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    output = lint.stdout + lint.stderr
    assert 'var-naming' not in output, output
    assert lint.returncode == 0, output
    assert '0 failure(s)' in output, output
