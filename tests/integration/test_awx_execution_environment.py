# Copyright (c) 2026 aicc.cms contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""execution-environment.yml produces a build context that installs this collection and its Python needs.

No image is built (no container engine here): the test runs `ansible-builder create` offline, then
replays the context's galaxy stage (install the collection from the copied tarball) and its
introspection step (which Python packages the image gets) with the local tools.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

COLLECTION_ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent

pytestmark = pytest.mark.slow


def _run(args, cwd):
    result = subprocess.run([str(a) for a in args], cwd=cwd, capture_output=True, text=True, timeout=300, check=False)
    assert result.returncode == 0, f"{args[0]} failed:\n{result.stdout}\n{result.stderr}"
    return result.stdout


def _requirement_names(lines):
    names = set()
    for line in lines:
        line = line.split('#', 1)[0].strip()
        if line:
            names.add(line.split(';')[0].split('>')[0].split('<')[0].split('=')[0].split('[')[0].strip().lower())
    return names


@pytest.fixture(scope='module')
def build_context(tmp_path_factory):
    """Lay out what `make build` leaves at the repo root, next to the EE file, and create the context."""
    workdir = tmp_path_factory.mktemp('ee')
    shutil.copy(COLLECTION_ROOT / 'execution-environment.yml', workdir)
    shutil.copy(COLLECTION_ROOT / 'requirements.txt', workdir)
    _run([BIN / 'ansible-galaxy', 'collection', 'build', '--output-path', workdir, COLLECTION_ROOT], cwd=workdir)
    _run([BIN / 'ansible-builder', 'create', '-f', 'execution-environment.yml', '-c', 'context',
          '--output-filename', 'Containerfile'], cwd=workdir)
    return workdir / 'context'


def test_definition_is_schema_v3_and_names_the_collection_of_this_checkout():
    definition = yaml.safe_load((COLLECTION_ROOT / 'execution-environment.yml').read_text(encoding='utf-8'))
    galaxy = yaml.safe_load((COLLECTION_ROOT / 'galaxy.yml').read_text(encoding='utf-8'))
    tarball = f"{galaxy['namespace']}-{galaxy['name']}-{galaxy['version']}.tar.gz"

    assert definition['version'] == 3
    assert definition['dependencies']['python'] == 'requirements.txt'
    assert [c['name'] for c in definition['dependencies']['galaxy']['collections']] == [f'collections/{tarball}'], (
        f"execution-environment.yml must install {tarball} (galaxy.yml version {galaxy['version']})")
    assert [f['src'] for f in definition['additional_build_files']] == [tarball]


def test_containerfile_installs_ansible_the_collection_and_python_requirements(build_context):
    containerfile = (build_context / 'Containerfile').read_text(encoding='utf-8')

    assert 'ARG EE_BASE_IMAGE="quay.io/centos/centos:stream10"' in containerfile
    assert 'ansible-core>=2.17,<2.22 ansible-runner>=2.4,<3' in containerfile
    assert 'ansible-galaxy collection install $ANSIBLE_GALAXY_CLI_COLLECTION_OPTS -r requirements.yml' in containerfile
    assert 'COPY _build/requirements.txt requirements.txt' in containerfile
    assert 'introspect --user-pip=requirements.txt' in containerfile
    assert 'RUN /output/scripts/check_ansible $PYCMD' in containerfile


def test_context_carries_the_collection_tarball_and_requirements(build_context):
    galaxy = yaml.safe_load((COLLECTION_ROOT / 'galaxy.yml').read_text(encoding='utf-8'))
    user_content = build_context / '_build'

    assert (user_content / 'collections' / f"aicc-cms-{galaxy['version']}.tar.gz").is_file()
    assert (user_content / 'requirements.txt').read_text(encoding='utf-8') == (COLLECTION_ROOT / 'requirements.txt').read_text(encoding='utf-8')
    assert {'requests', 'jmespath'} <= _requirement_names((user_content / 'requirements.txt').read_text(encoding='utf-8').splitlines())


def test_galaxy_stage_installs_the_collection_and_introspection_finds_its_python_needs(build_context, tmp_path):
    """What the image's galaxy and builder stages run, replayed offline from the context.

    --force: the checkout itself is on ANSIBLE_COLLECTIONS_PATH and would count as installed.
    """
    user_content = build_context / '_build'
    installed = tmp_path / 'collections'
    _run([BIN / 'ansible-galaxy', 'collection', 'install', '--force', '-r', 'requirements.yml', '-p', installed], cwd=user_content)

    collection = installed / 'ansible_collections' / 'aicc' / 'cms'
    assert (collection / 'MANIFEST.json').is_file()
    assert (collection / 'meta' / 'runtime.yml').is_file()
    for plugin in ('modules/aicc_terminal_status.py', 'lookup/aicc_terminal_status.py', 'inventory/aicc_terminals.py'):
        if (COLLECTION_ROOT / 'plugins' / plugin).is_file():
            assert (collection / 'plugins' / plugin).is_file(), f'{plugin} is missing from the built collection'

    report = yaml.safe_load(_run([sys.executable, user_content / 'scripts' / 'introspect.py', 'introspect',
                                  '--user-pip=requirements.txt', installed], cwd=user_content))
    collection_needs = [line for line in report['python'] if line.endswith('# from collection aicc.cms')]
    assert {'requests', 'jmespath'} <= _requirement_names(collection_needs)
