# Copyright (c) 2026 aicc.cms contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""One cell of ``make matrix``: ansible-test COMMAND --venv with this interpreter's ansible-core.

    python tests/tools/matrix_cell.py sanity|units|integration WORKDIR

Stages the checkout under WORKDIR/ansible_collections/aicc/cms (stage_collection.py) and runs
ansible-test there. ansible-test builds its venvs with a pip bootstrap script it downloads from a
host that may be unreachable; the offline stand-in (get_pip_standin.py) and the pip wheel it
installs are put in ansible-test's cache first, for the pip version this ansible-core wants.

A sanity test whose requirements name a direct URL this machine cannot reach (ansible-core 2.22's
pylint takes dill from a GitHub archive) cannot be installed offline: it is skipped, said on the
output and in WORKDIR/skipped-sanity.txt, which the matrix table shows next to the outcome.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import types
import urllib.request
from pathlib import Path

TOOLS = Path(__file__).resolve().parent
ROOT = TOOLS.parents[1]
CACHE = Path.home() / '.ansible' / 'test' / 'cache'


def place_pip_standin() -> None:
    import ansible_test._internal.python_requirements as requirements  # pylint: disable=import-outside-toplevel

    # what ansible-test installs into each venv it makes: pip, and on older cores setuptools and wheel
    packages = requirements.get_venv_packages(types.SimpleNamespace(version='{}.{}'.format(*sys.version_info[:2])))
    CACHE.mkdir(parents=True, exist_ok=True)
    for name, version in packages.items():
        if not list(CACHE.glob(f'{name}-{version}-*.whl')):
            subprocess.run(
                [
                    sys.executable,
                    '-m',
                    'pip',
                    'download',
                    '--quiet',
                    '--disable-pip-version-check',
                    '--no-deps',
                    '--only-binary=:all:',
                    '-d',
                    str(CACHE),
                    f'{name}=={version}',
                ],
                check=True,
            )
    standin = CACHE / f'get_pip_{packages["pip"].replace(".", "_")}.py'
    if not standin.is_file():
        shutil.copy(TOOLS / 'get_pip_standin.py', standin)


def reachable(url: str) -> bool:
    try:
        with urllib.request.urlopen(urllib.request.Request(url, method='HEAD'), timeout=10):
            return True
    except (OSError, ValueError):
        return False


def unreachable_sanity_tests() -> dict[str, str]:
    """{sanity test: the URL its requirements need and this machine cannot reach}."""
    import ansible_test  # pylint: disable=import-outside-toplevel

    found = {}
    for requirements in sorted((Path(ansible_test.__file__).parent / '_data' / 'requirements').glob('sanity.*.txt')):
        for url in re.findall(r'@ (https?://\S+)', requirements.read_text(encoding='utf-8')):
            if not reachable(url.split('#')[0]):
                found[requirements.name[len('sanity.') : -len('.txt')]] = url.split('#')[0]
    return found


def main() -> int:
    command, workdir = sys.argv[1], Path(sys.argv[2])
    place_pip_standin()
    dest = workdir / 'ansible_collections' / 'aicc' / 'cms'
    subprocess.run([sys.executable, str(TOOLS / 'stage_collection.py'), str(dest)], cwd=ROOT, check=True)
    env = {name: value for name, value in os.environ.items() if name not in ('PYTHONPATH', 'ANSIBLE_COLLECTIONS_PATH')}
    ansible_test = Path(sys.executable).parent / 'ansible-test'
    python = '{}.{}'.format(*sys.version_info[:2])
    arguments = [str(ansible_test), command, '--venv', '--python', python, '--color', 'no']
    if command == 'sanity':
        skipped = unreachable_sanity_tests()
        for test, url in skipped.items():
            print(
                f'matrix cell: sanity test {test} skipped: its requirements need {url}, not reachable from here',
                flush=True,
            )
            arguments += ['--skip-test', test]
        (workdir / 'skipped-sanity.txt').write_text(''.join(f'{test}\n' for test in skipped), encoding='utf-8')
    return subprocess.run(arguments, cwd=dest, env=env, check=False).returncode


if __name__ == '__main__':
    sys.exit(main())
