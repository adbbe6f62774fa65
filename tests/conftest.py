# Copyright (c) 2026 aicc.cms contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Settings for every test: no test may fail on wall-clock time (the machine is shared and noisy)."""

from __future__ import annotations

from hypothesis import settings

# Hypothesis' per-example deadline is a wall-clock check: off everywhere. Derandomized: every run draws the
# same examples, so a property test can never pass or fail by chance (a fresh clone once failed on one).
settings.register_profile('aicc', deadline=None, derandomize=True)
settings.load_profile('aicc')
