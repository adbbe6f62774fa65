# Copyright (c) 2026 aicc.cms contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""A faithful CC-CMS ``queryterminalstatus`` simulator (see README.md beside this file)."""

from __future__ import annotations

from .api import API_PATH
from .simulator import DEFAULT_ACCESS_KEY, DEFAULT_SECRET_KEY, Simulator, SimulatorOptions

__all__ = ['API_PATH', 'DEFAULT_ACCESS_KEY', 'DEFAULT_SECRET_KEY', 'Simulator', 'SimulatorOptions']
