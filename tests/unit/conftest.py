# Copyright (c) 2026 aicc.cms contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Import paths every unit test relies on, whichever runner loads them (make, pytest, ansible-test units).

The CC-CMS simulator (``simulator``) and ``core_compat`` are test helpers in ``tests/``, not part of
the collection: put that folder on ``sys.path`` here rather than asking every runner for a PYTHONPATH.
"""

from __future__ import annotations

import sys
from pathlib import Path

TESTS_DIR = str(Path(__file__).resolve().parents[1])
if TESTS_DIR not in sys.path:
    sys.path.insert(0, TESTS_DIR)
