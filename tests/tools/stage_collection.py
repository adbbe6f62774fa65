# Copyright (c) 2026 aicc.cms contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Copy the files git tracks (or would track) into DEST, as a git repository of its own.

ansible-test requires its physical working directory to sit inside
``ansible_collections/<namespace>/<name>``; a symlinked layout is not enough. It lists the files
to test with git, and the copy lies in a folder the checkout ignores: hence a repository there.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys


def main() -> int:
    dest = sys.argv[1]
    listing = subprocess.run(
        ['git', 'ls-files', '-z', '--cached', '--others', '--exclude-standard'], check=True, capture_output=True
    ).stdout.decode()
    shutil.rmtree(dest, ignore_errors=True)
    for path in filter(None, listing.split('\0')):
        if os.path.isfile(path):
            target = os.path.join(dest, path)
            os.makedirs(os.path.dirname(target), exist_ok=True)
            shutil.copy2(path, target)
    subprocess.run(['git', 'init', '--quiet', dest], check=True)
    subprocess.run(['git', 'add', '--all'], cwd=dest, check=True)
    return 0


if __name__ == '__main__':
    sys.exit(main())
