# Copyright (c) 2026 aicc.cms contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""What is published with the collection states each fact once, or keeps its copies in step."""

from __future__ import annotations

from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]


def _requirements(path: Path) -> dict[str, str]:
    lines = (line.split('#', 1)[0].strip() for line in path.read_text(encoding='utf-8').splitlines())
    return {line.split('>')[0].split('<')[0].split('=')[0].strip().lower(): line for line in lines if line}


def test_ansible_test_units_installs_the_collection_requirements_as_requirements_txt_states_them():
    collection = _requirements(ROOT / 'requirements.txt')
    units = _requirements(ROOT / 'tests' / 'unit' / 'requirements.txt')
    assert {name: units.get(name) for name in collection} == collection


def test_galaxy_links_all_derive_from_the_repository_url():
    galaxy = yaml.safe_load((ROOT / 'galaxy.yml').read_text(encoding='utf-8'))
    home = galaxy['repository']
    assert home.startswith('https://') and not home.endswith('/')
    assert galaxy['homepage'] == home
    assert galaxy['issues'] == home + '/issues'
    assert galaxy['documentation'] == home + '/blob/main/docs/user-guide.md'
