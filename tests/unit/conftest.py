# Copyright (c) 2026 aicc.cms contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""What every unit test relies on, whichever runner loads them (make, pytest, ansible-test units).

- Import paths: the CC-CMS simulator (``simulator``) and ``core_compat`` are test helpers in
  ``tests/``, not part of the collection. pytest.ini puts that folder on ``sys.path``
  (``pythonpath``); ansible-test units reads its own pytest configuration, so it goes on here too,
  rather than asking every runner for a PYTHONPATH.
- The host's in-flight budget folders: clients share lock-file slots per CC-CMS address in a
  private folder of the user; unit tests of several checkouts on one host use the same fake
  addresses, so they get a folder of their own.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

TESTS_DIR = str(Path(__file__).resolve().parents[1])
if TESTS_DIR not in sys.path:
    sys.path.insert(0, TESTS_DIR)


@pytest.fixture(autouse=True, scope='session')
def private_budget_folder(tmp_path_factory):
    folder = tmp_path_factory.mktemp('runtime')
    folder.chmod(0o700)
    before = os.environ.get('XDG_RUNTIME_DIR')
    os.environ['XDG_RUNTIME_DIR'] = str(folder)
    yield folder
    if before is None:
        os.environ.pop('XDG_RUNTIME_DIR', None)
    else:
        os.environ['XDG_RUNTIME_DIR'] = before
