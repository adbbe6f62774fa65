# Copyright (c) 2026 aicc.cms contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""execution-environment.yml produces a build context that installs this collection and its Python needs.

No image is built (no container engine here): the test runs `ansible-builder create` offline, then
replays the context's final-stage install (the collection from the copied tarball) and its
introspection step (which Python packages the image gets) with the local tools.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

COLLECTION_ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
# AAP's ee-minimal, or the community's image of the same layout
SUPPORTED_BASES = (
    'registry.redhat.io/ansible-automation-platform-25/ee-minimal-rhel9',
    'ghcr.io/ansible-community/community-ee-minimal',
)

pytestmark = pytest.mark.slow


def _run(args, cwd):
    result = subprocess.run([str(a) for a in args], cwd=cwd, capture_output=True, text=True, timeout=300, check=False)
    assert result.returncode == 0, f'{args[0]} failed:\n{result.stdout}\n{result.stderr}'
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
    _run(
        [
            BIN / 'ansible-builder',
            'create',
            '-f',
            'execution-environment.yml',
            '-c',
            'context',
            '--output-filename',
            'Containerfile',
        ],
        cwd=workdir,
    )
    return workdir / 'context'


def _final_stage_install(containerfile: str) -> str:
    """The RUN line of the final stage that installs the collection from the copied tarball."""
    runs = [line for line in containerfile.splitlines() if line.startswith('RUN ansible-galaxy collection install')]
    assert len(runs) == 1, containerfile
    return runs[0][len('RUN ') :]


def test_definition_is_schema_v3_on_a_supported_base_without_fixed_paths_or_versions():
    definition = yaml.safe_load((COLLECTION_ROOT / 'execution-environment.yml').read_text(encoding='utf-8'))

    assert definition['version'] == 3
    assert definition['images']['base_image']['name'].split(':')[0] in SUPPORTED_BASES
    assert definition['dependencies']['python'] == 'requirements.txt'
    assert 'package_system' not in definition['dependencies']['python_interpreter'], 'ee-minimal has its Python already'
    # ansible-builder's scripts pick microdnf or dnf from the base image
    assert definition['options']['package_manager_path'] == ''
    assert [f['src'] for f in definition['additional_build_files']] == ['aicc-cms-*.tar.gz']
    galaxy = yaml.safe_load((COLLECTION_ROOT / 'galaxy.yml').read_text(encoding='utf-8'))
    assert galaxy['version'] not in (COLLECTION_ROOT / 'execution-environment.yml').read_text(encoding='utf-8')


def test_containerfile_installs_ansible_the_collection_and_python_requirements(build_context):
    containerfile = (build_context / 'Containerfile').read_text(encoding='utf-8')

    assert (
        'ARG EE_BASE_IMAGE="registry.redhat.io/ansible-automation-platform-25/ee-minimal-rhel9:latest"' in containerfile
    )
    assert 'ARG PKGMGR=""' in containerfile
    assert '/usr/bin/dnf' not in containerfile
    assert 'ansible-core>=2.17,<2.22 ansible-runner>=2.4,<3' in containerfile
    assert 'COPY _build/requirements.txt requirements.txt' in containerfile
    assert 'introspect --user-pip=requirements.txt' in containerfile
    assert 'RUN /output/scripts/check_ansible $PYCMD' in containerfile
    final_stage = containerfile.split('FROM base AS final', 1)[1]
    assert (
        final_stage.index('COPY _build/collections/ /tmp/aicc-cms/')
        < final_stage.index(_final_stage_install(containerfile))
        < final_stage.index('USER 1000')
    ), 'the collection is installed as root in the final image'


def test_context_carries_the_collection_tarball_and_requirements(build_context):
    galaxy = yaml.safe_load((COLLECTION_ROOT / 'galaxy.yml').read_text(encoding='utf-8'))
    user_content = build_context / '_build'

    assert sorted(p.name for p in (user_content / 'collections').iterdir()) == [f'aicc-cms-{galaxy["version"]}.tar.gz']
    assert (user_content / 'requirements.txt').read_text(encoding='utf-8') == (
        COLLECTION_ROOT / 'requirements.txt'
    ).read_text(encoding='utf-8')
    assert {'requests', 'jmespath'} <= _requirement_names(
        (user_content / 'requirements.txt').read_text(encoding='utf-8').splitlines()
    )


def test_final_stage_installs_the_collection_and_introspection_finds_its_python_needs(build_context, tmp_path):
    """What the image's final stage runs, replayed offline from the context: the same command, with
    the image's paths mapped into tmp_path (the copied tarballs, the collections folder)."""
    user_content = build_context / '_build'
    installed = tmp_path / 'collections'
    command = _final_stage_install((build_context / 'Containerfile').read_text(encoding='utf-8'))
    command = command.replace('$ANSIBLE_GALAXY_CLI_COLLECTION_OPTS', '--force')  # the checkout is on the path too
    command = command.replace('/usr/share/ansible/collections', str(installed)).replace(
        '/tmp/aicc-cms', str(user_content / 'collections')
    )
    command = command.split(' && rm -rf ')[0]
    env = dict(os.environ, PATH=os.pathsep.join([str(BIN), os.environ.get('PATH', '')]))
    result = subprocess.run(
        command, shell=True, cwd=user_content, env=env, capture_output=True, text=True, timeout=300, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr

    collection = installed / 'ansible_collections' / 'aicc' / 'cms'
    assert (collection / 'MANIFEST.json').is_file()
    assert (collection / 'meta' / 'runtime.yml').is_file()
    for plugin in ('modules/aicc_terminal_status.py', 'lookup/aicc_terminal_status.py', 'inventory/aicc_terminals.py'):
        if (COLLECTION_ROOT / 'plugins' / plugin).is_file():
            assert (collection / 'plugins' / plugin).is_file(), f'{plugin} is missing from the built collection'

    report = yaml.safe_load(
        _run(
            [
                sys.executable,
                user_content / 'scripts' / 'introspect.py',
                'introspect',
                '--user-pip=requirements.txt',
                installed,
            ],
            cwd=user_content,
        )
    )
    collection_needs = [line for line in report['python'] if line.endswith('# from collection aicc.cms')]
    assert {'requests', 'jmespath'} <= _requirement_names(collection_needs)
