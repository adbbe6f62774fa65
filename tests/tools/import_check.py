# Copyright (c) 2026 aicc.cms contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""What Galaxy and Automation Hub run on an uploaded tarball, offline: ``make import-check``.

Builds the collection tarball into WORKDIR, runs galaxy-importer on it with Automation Hub's
settings (required tags, changelog, ansible-doc, ansible-lint; the v1.0.0 rule once the version is
1.0.0 or later, see below), then runs ``ansible-test sanity`` on the tarball's files as the importer
does, in ``--venv`` mode instead of ``--docker`` (no container engine is needed). Any WARNING or
ERROR line of the importer fails the check.

    python tests/tools/import_check.py WORKDIR [--require-v1 auto|yes|no] [--python X.Y]

``--require-v1 auto`` (the default) applies Automation Hub's "version 1.0.0 or later" rule when
galaxy.yml's version is 1.0.0 or later, and says so when it is not: a pre-release can be uploaded
to Galaxy, not to Automation Hub.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tarfile
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
# galaxy-importer's log lines that are findings (INFO lines are printed without a level)
FINDING = re.compile(r'^(WARNING|ERROR|CRITICAL): ')


def importer_config(require_v1: bool, local_tmp: Path) -> str:
    return '\n'.join(
        [
            '[galaxy-importer]',
            'LOG_LEVEL_MAIN = INFO',
            'CHECK_REQUIRED_TAGS = True',
            'CHECK_CHANGELOG = True',
            'RUN_ANSIBLE_DOC = True',
            'RUN_ANSIBLE_LINT = True',
            'OFFLINE_ANSIBLE_LINT = True',
            # ansible-test runs below, with --venv: the importer's local runner only knows --docker
            'RUN_ANSIBLE_TEST = False',
            f'REQUIRE_V1_OR_GREATER = {require_v1}',
            f'ANSIBLE_LOCAL_TMP = {local_tmp}',
            '',
        ]
    )


def run(cmd: list, cwd: Path, env: dict | None = None) -> subprocess.CompletedProcess:
    print(f'+ {" ".join(str(part) for part in cmd)}', flush=True)
    return subprocess.run([str(part) for part in cmd], cwd=cwd, env=env, capture_output=True, text=True, check=False)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('workdir', type=Path)
    parser.add_argument('--require-v1', choices=('auto', 'yes', 'no'), default='auto')
    parser.add_argument('--python', default='{}.{}'.format(*sys.version_info[:2]))
    args = parser.parse_args()

    galaxy = yaml.safe_load((ROOT / 'galaxy.yml').read_text(encoding='utf-8'))
    version = galaxy['version']
    is_v1 = int(version.split('.')[0]) >= 1
    require_v1 = is_v1 if args.require_v1 == 'auto' else args.require_v1 == 'yes'
    if not require_v1:
        print(
            f'import-check: version {version} is below 1.0.0: Galaxy accepts it, Automation Hub would not '
            '(its rule is checked from 1.0.0 on, or with --require-v1 yes)'
        )

    workdir = args.workdir.resolve()
    dist = workdir / 'dist'
    dist.mkdir(parents=True, exist_ok=True)
    built = run([BIN / 'ansible-galaxy', 'collection', 'build', '--force', '--output-path', dist, ROOT], cwd=workdir)
    if built.returncode != 0:
        sys.stderr.write(built.stdout + built.stderr)
        return 1
    tarball = dist / f'{galaxy["namespace"]}-{galaxy["name"]}-{version}.tar.gz'

    local_tmp = workdir / 'ansible-tmp'
    local_tmp.mkdir(exist_ok=True)
    config = workdir / 'galaxy-importer.cfg'
    config.write_text(importer_config(require_v1, local_tmp), encoding='utf-8')
    env = dict(
        os.environ, GALAXY_IMPORTER_CONFIG=str(config), PATH=os.pathsep.join([str(BIN), os.environ.get('PATH', '')])
    )
    # the tarball alone, as Galaxy sees it: no collection of this checkout on the path
    env.pop('ANSIBLE_COLLECTIONS_PATH', None)
    imported = run([sys.executable, '-m', 'galaxy_importer.main', tarball], cwd=workdir, env=env)
    sys.stdout.write(imported.stdout)
    sys.stderr.write(imported.stderr)
    findings = [line for line in imported.stdout.splitlines() if FINDING.match(line)]
    if imported.returncode != 0 or findings or 'Importer processing completed successfully' not in imported.stdout:
        print(
            f'import-check: galaxy-importer found {len(findings)}'
            f' problem(s){("" if imported.returncode == 0 else f" and exited with {imported.returncode}")}'
        )
        return 1

    # ansible-test sanity on the tarball's files, where the importer would run it
    collection = workdir / 'ansible_collections' / galaxy['namespace'] / galaxy['name']
    with tarfile.open(tarball) as archive:
        archive.extractall(collection, filter='data')
    # ansible-test lists the files to test with git
    for git in (['git', 'init', '--quiet'], ['git', 'add', '--all']):
        subprocess.run(git, cwd=collection, check=True)
    sanity = subprocess.run(
        [BIN / 'ansible-test', 'sanity', '--venv', '--python', args.python, '--color', 'no'],
        cwd=collection,
        env=env,
        check=False,
    )
    if sanity.returncode != 0:
        print('import-check: ansible-test sanity failed on the tarball')
        return 1
    print(f'import-check: {tarball.name} passed galaxy-importer with no warning and ansible-test sanity')
    return 0


if __name__ == '__main__':
    sys.exit(main())
