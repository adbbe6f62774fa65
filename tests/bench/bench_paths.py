# Copyright (c) 2026 aicc.cms contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Where the benchmarks find the collection and the simulator; importing this puts them on sys.path."""

from __future__ import annotations

import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
BENCH_DIR = Path(__file__).resolve().parent


def collections_root() -> Path:
    """The folder holding ansible_collections/aicc/cms for this checkout."""
    if REPO_ROOT.parent.name == 'aicc' and REPO_ROOT.parent.parent.name == 'ansible_collections':
        return REPO_ROOT.parents[2]
    return REPO_ROOT / '.build'


for _path in (str(BENCH_DIR), str(REPO_ROOT / 'tests'), str(collections_root())):
    if _path not in sys.path:
        sys.path.insert(0, _path)
