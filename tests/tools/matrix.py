# Copyright (c) 2026 aicc.cms contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""``make matrix``: run tox-ansible.ini's cells and record each outcome in docs/testing.md.

    python tests/tools/matrix.py [--envs integration-py3.11-2.19,unit-py3.12-2.21]

Every cell of the ini's env_list is a row (Python, ansible-core) and a column (sanity, unit,
integration) of the table between the ``matrix`` markers in docs/testing.md. A cell that ran gets
``pass`` or ``FAIL`` with the ansible-core version and the date; a cell not run keeps what it had
(``not run`` at first): the table never shows a result that did not happen.
"""

from __future__ import annotations

import argparse
import configparser
import datetime
import itertools
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
INI = ROOT / 'tox-ansible.ini'
DOC = ROOT / 'docs' / 'testing.md'
KINDS = ('sanity', 'unit', 'integration')
START, END = '<!-- matrix:start -->', '<!-- matrix:end -->'
NOT_RUN = 'not run'


def expand(pattern: str) -> list[str]:
    """tox's brace expansion: ``{a,b}-x`` -> ``a-x``, ``b-x``."""
    parts = re.split(r'\{([^}]*)\}', pattern)
    choices = [
        [part] if index % 2 == 0 else [item.strip() for item in part.split(',')] for index, part in enumerate(parts)
    ]
    return [''.join(combination) for combination in itertools.product(*choices)]


def cells() -> list[str]:
    config = configparser.ConfigParser()
    config.read(INI, encoding='utf-8')
    return [env for line in config['tox']['env_list'].split() for env in expand(line)]


def rows_of(envs: list[str]) -> list[tuple[str, str]]:
    seen: list[tuple[str, str]] = []
    for env in envs:
        _kind, python, core = env.split('-')
        if (python, core) not in seen:
            seen.append((python, core))
    return seen


def read_table(text: str) -> dict[tuple[str, str, str], str]:
    results = {}
    table = text.split(START, 1)[1].split(END, 1)[0] if START in text else ''
    for line in table.splitlines():
        fields = [field.strip() for field in line.strip().strip('|').split('|')]
        if len(fields) == 2 + len(KINDS) and fields[0].startswith('py'):
            for kind, value in zip(KINDS, fields[2:], strict=True):
                results[(fields[0], fields[1], kind)] = value
    return results


def write_table(text: str, envs: list[str], results: dict) -> str:
    lines = [START, '| Python | ansible-core | ' + ' | '.join(KINDS) + ' |', '|---|---|' + '---|' * len(KINDS)]
    for python, core in rows_of(envs):
        lines.append(
            f'| {python} | {core} | {" | ".join(results.get((python, core, kind), NOT_RUN) for kind in KINDS)} |'
        )
    lines.append(END)
    table = '\n'.join(lines)
    if START in text:
        return text.split(START, 1)[0] + table + text.split(END, 1)[1]
    return text.rstrip('\n') + '\n\n' + table + '\n'


def core_version(env: str) -> str:
    python = ROOT / '.tox' / env / 'bin' / 'python'
    if not python.is_file():
        return 'not installed'  # tox could not make the cell's venv (its Python is not on PATH)
    found = subprocess.run(
        [str(python), '-c', 'import ansible; print(ansible.__version__)'], capture_output=True, text=True, check=False
    )
    return found.stdout.strip() or '?'


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--envs', help='comma-separated cells (default: every cell of tox-ansible.ini)')
    args = parser.parse_args()
    envs = cells()
    chosen = args.envs.split(',') if args.envs else envs
    unknown = sorted(set(chosen) - set(envs))
    if unknown:
        sys.stderr.write(f'--envs: {", ".join(unknown)} not in tox-ansible.ini; cells are {", ".join(envs)}\n')
        return 2
    text = DOC.read_text(encoding='utf-8')
    results = read_table(text)
    failed = []
    for env in chosen:
        kind, python, core = env.split('-')
        print(f'=== matrix cell {env}', flush=True)
        code = subprocess.run(
            [str(Path(sys.executable).parent / 'tox'), '--ansible', '-c', str(INI), '-e', env], cwd=ROOT, check=False
        ).returncode
        outcome = 'pass' if code == 0 else 'FAIL'
        skipped_file = ROOT / '.tox' / env / 'tmp' / 'skipped-sanity.txt'
        skipped = (
            skipped_file.read_text(encoding='utf-8').split() if kind == 'sanity' and skipped_file.is_file() else []
        )
        if skipped:
            outcome += f' without {", ".join(skipped)} (not installable offline)'
        if code:
            failed.append(env)
        results[(python, core, kind)] = f'{outcome} ({core_version(env)}, {datetime.date.today().isoformat()})'
        DOC.write_text(write_table(text, envs, results), encoding='utf-8')
        text = DOC.read_text(encoding='utf-8')
    print(f'matrix: {len(chosen)} cell(s) run, {len(failed)} failed{((": " + ", ".join(failed)) if failed else "")}')
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
