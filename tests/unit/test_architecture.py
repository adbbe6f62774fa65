# Copyright (c) 2026 aicc.cms contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""docs/architecture.md's import graph is the code's: each row names what its files import, no more, no less."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PLUGINS = ROOT / 'plugins'
PREFIX = 'ansible_collections.aicc.cms.plugins.'


def _imports(path: Path) -> set[str]:
    """The collection's modules ``path`` imports, named as the document names them (``_query.engine``)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding='utf-8'))):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith(PREFIX):
            module = node.module[len(PREFIX) :]
            if module.split('.')[-1] in ('module_utils', '_query', '_gate'):  # a package: its names are modules
                names = [f'{module}.{alias.name}' for alias in node.names]
            else:
                names = [module]
            found.update(name.removeprefix('module_utils.') for name in names)
    return {name for name in found if not name.startswith('doc_fragments')}


def _documented() -> dict[str, set[str]]:
    text = (ROOT / 'docs/architecture.md').read_text(encoding='utf-8')
    block = text.split('## Who imports whom', 1)[1].split('```', 2)[1]
    rows: dict[str, str] = {}
    current = None
    for line in block.splitlines():
        if not line.strip():
            continue
        if '->' in line:
            current, targets = (part.strip() for part in line.split('->', 1))
            rows[current] = targets
        else:
            rows[current] += ' ' + line.strip()
    return {
        source: {
            name.strip() for name in re.sub(r'\([^)]*\)', '', targets).split(',') if name.strip() not in ('', 'nothing')
        }
        for source, targets in rows.items()
    }


def _files(source: str) -> list[Path]:
    """The files a row speaks of: ``modules/x``, ``filter/registration_*`` or ``_gate/*`` (under module_utils)."""
    base = PLUGINS / 'module_utils' if source.startswith('_') else PLUGINS
    return sorted(base.glob(source + '.py'))


def _expand(names: set[str]) -> set[str]:
    """``_gate/*`` in a row stands for every module of that subpackage."""
    expanded = set()
    for name in names:
        if name.endswith('/*'):
            folder = name[:-2]
            base = PLUGINS / ('module_utils/' + folder if folder.startswith('_') else folder)
            expanded |= {f'{folder.replace("/", ".")}.{path.stem}' for path in base.glob('*.py')}
        else:
            expanded.add(name)
    return expanded


@pytest.mark.parametrize('source', sorted(_documented()))
def test_each_row_of_the_import_graph_is_what_its_files_import(source):
    files = _files(source)
    assert files, f'{source} names no file'
    allowed = _expand(_documented()[source])
    imported = set().union(*(_imports(path) for path in files))
    assert imported <= allowed, f'{source} imports {sorted(imported - allowed)}, which the document does not say'
    if not source.endswith('*'):
        # a row for files of their own names exactly what they import
        assert imported == allowed, f'{source} does not import {sorted(allowed - imported)}'


def test_every_file_of_the_tree_is_in_the_graph():
    covered = {path for source in _documented() for path in _files(source)}
    python_files = {path for path in PLUGINS.rglob('*.py') if 'doc_fragments' not in path.parts}
    python_files.discard(PLUGINS / 'modules/registration_gate.py')  # the action's documentation: it imports nothing
    assert sorted(python_files - covered) == []


def test_only_the_option_layer_of_module_utils_imports_ansible():
    for path in (PLUGINS / 'module_utils').rglob('*.py'):
        tree = ast.parse(path.read_text(encoding='utf-8'))
        modules = {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.module}
        modules |= {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
        uses_ansible = any(name == 'ansible' or name.startswith('ansible.') for name in modules)
        assert uses_ansible == (path.name == '_options.py'), path


def test_the_query_domain_never_imports_the_gate():
    for path in (PLUGINS / 'module_utils/_query').glob('*.py'):
        assert not any(name.startswith('_gate') for name in _imports(path)), path
