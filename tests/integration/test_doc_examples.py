# Copyright (c) 2026 aicc.cms contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Every YAML example of README.md and docs/*.md is valid YAML, and the Ansible ones pass ansible-lint's
production profile as a user would lint them: plays as playbooks, task lists as a role's tasks,
``collections:`` as a requirements file. Other YAML (inventory sources, AWX settings) is parsed only.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
DOCUMENTS = [ROOT / 'README.md'] + sorted((ROOT / 'docs').glob('*.md'))
FENCE = re.compile(r'^( *)```ya?ml\n(.*?)^\1```', re.MULTILINE | re.DOTALL)
# a module of another collection (awx.awx, community.*): not installed here, so ansible-lint mocks it
FOREIGN_MODULE = re.compile(
    r'^[ -]*((?!aicc\.cms\.|ansible\.builtin\.)[a-z0-9_]+\.[a-z0-9_]+\.[a-z0-9_]+):', re.MULTILINE
)
TASK_KEYS = {'name', 'block', 'when', 'register', 'vars', 'loop', 'tags'}

pytestmark = pytest.mark.slow


def examples() -> list[tuple[str, str]]:
    found = []
    for document in DOCUMENTS:
        text = document.read_text(encoding='utf-8')
        for match in FENCE.finditer(text):
            line = text.count('\n', 0, match.start()) + 1
            indent = len(match.group(1))
            body = ''.join(
                line_text[indent:] if line_text.startswith(match.group(1)) else line_text
                for line_text in match.group(2).splitlines(keepends=True)
            )
            found.append((f'{document.relative_to(ROOT)}:{line}', body))
    return found


def kind_of(data) -> str | None:
    """What a user would make of this YAML: 'playbook', 'tasks' (of a play), 'requirements', or None (not Ansible content)."""
    if isinstance(data, dict) and 'collections' in data:
        return 'requirements'
    if not isinstance(data, list) or not data or not all(isinstance(item, dict) for item in data):
        return None
    if all('hosts' in item or 'ansible.builtin.import_playbook' in item for item in data):
        return 'playbook'
    if all(set(item) - TASK_KEYS for item in data):
        return 'tasks'
    return None


def is_inventory_source(data) -> bool:
    return isinstance(data, dict) and data.get('plugin') == 'aicc.cms.aicc_terminals'


EXAMPLES = examples()


def test_the_readme_examples_are_checked_as_install_play_task_and_inventory_source():
    # what a user copies from the README first, each recognised as what the lint below treats it as: the
    # requirements file that installs the collection, the gated change window, a module task, an inventory source
    kinds = {
        where: kind_of(data) or ('inventory source' if is_inventory_source(data) else None)
        for where, text in EXAMPLES
        if where.startswith('README.md:')
        for data in [yaml.safe_load(text)]
    }
    assert sorted(kinds.values(), key=str) == ['inventory source', 'playbook', 'requirements', 'tasks'], kinds


@pytest.mark.parametrize('where,text', EXAMPLES, ids=[where for where, _text in EXAMPLES])
def test_each_example_is_valid_yaml(where, text):
    yaml.safe_load(text)


def test_ansible_examples_pass_the_production_profile(tmp_path):
    project = tmp_path / 'project'
    placed = {}
    for index, (where, text) in enumerate(EXAMPLES):
        kind = kind_of(yaml.safe_load(text))
        if kind is None:
            continue
        body = text[len('---\n') :] if text.startswith('---\n') else text
        if kind == 'tasks':  # the tasks of a play, as the example shows them
            body = f'- name: Tasks from {where}\n  hosts: localhost\n  gather_facts: false\n  tasks:\n' + ''.join(
                '    ' + line if line.strip() else line for line in body.splitlines(keepends=True)
            )
            kind = 'playbook'
        body = '---\n' + body
        path = (
            project / 'collections' / 'requirements.yml'
            if kind == 'requirements'
            else project / f'example_{index:02d}.yml'
        )
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(body, encoding='utf-8')
        placed[str(path.relative_to(project))] = where
    assert any(name.startswith('example_') for name in placed), 'no playbook example found'
    # a file the playbook examples include
    (project / 'change.yml').write_text(
        '---\n- name: The change\n  ansible.builtin.debug:\n    msg: change\n', encoding='utf-8'
    )
    foreign = sorted({module for _where, text in EXAMPLES for module in FOREIGN_MODULE.findall(text)})
    (project / '.ansible-lint').write_text(
        '---\nprofile: production\nmock_modules:\n'
        + ''.join(f'  - {module}\n' for module in foreign)
        + ('' if foreign else '  []\n'),
        encoding='utf-8',
    )
    subprocess.run(['git', 'init', '--quiet'], cwd=project, check=True)

    collections_root = ROOT.parents[2] if ROOT.parent.name == 'aicc' else ROOT / '.build'
    env = {name: value for name, value in os.environ.items() if not name.startswith('ANSIBLE_')}
    env.update(
        ANSIBLE_COLLECTIONS_PATH=str(collections_root), ANSIBLE_HOME=str(tmp_path / 'ansible-home'), NO_COLOR='1'
    )
    linted = subprocess.run(
        [str(Path(sys.executable).parent / 'ansible-lint'), '--offline', '--nocolor', '-f', 'pep8'],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    findings = linted.stdout
    for name, where in placed.items():
        findings = findings.replace(name, f'{name} ({where})')
    assert linted.returncode == 0, findings + linted.stderr[-3000:]
