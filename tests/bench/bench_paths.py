# Copyright (c) 2026 aicc.cms contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Where the benchmarks find the collection and the simulator; importing this puts them on sys.path."""

from __future__ import annotations

import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
BENCH_DIR = Path(__file__).resolve().parent


for _path in (str(BENCH_DIR), str(REPO_ROOT / 'tests')):
    if _path not in sys.path:
        sys.path.insert(0, _path)

from integration.ansible_runs import collections_root  # noqa: E402  (needs tests/ on sys.path)

if str(collections_root()) not in sys.path:
    sys.path.insert(0, str(collections_root()))
