# Copyright (c) 2026 aicc.cms contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Check the groups ansible-inventory --list made of ../setup_simulator/files/terminals.yml."""

from __future__ import annotations

import json
import sys


def hosts(inventory: dict, group: str) -> list[str]:
    return sorted(inventory.get(group, {}).get('hosts', []))


def main() -> int:
    with open(sys.argv[1], encoding='utf-8') as listing:
        inventory = json.load(listing)
    everything = [f'88800{number:02d}' for number in range(12)] + ['9999999']
    expected = {
        'aicc_registered': [eid for eid in everything[:12] if eid not in ('8880003', '8880007')],
        'aicc_not_registered': ['8880003', '8880007', '9999999'],
        'aicc_missing': ['9999999'],
        'socket_fault': ['8880007'],
        'single_homed': ['8880011'],
    }
    found = {group: hosts(inventory, group) for group in expected}
    if found != expected or sorted(inventory['_meta']['hostvars']) != everything:
        sys.stderr.write(f'unexpected inventory: {json.dumps(found, sort_keys=True)}\n')
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(main())
