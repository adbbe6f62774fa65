# Copyright (c) 2026 aicc.cms contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Stand-in Python interpreter for benchmark 5: runs the real one and records the peak RSS of that process.

Ansible starts it as ``<interpreter> AnsiballZ_<module>.py``; stdin, stdout and the exit code pass
through unchanged, and ``ru_maxrss`` of the child (the module process alone, not the controller)
is appended in KiB to the file named by ``AICC_BENCH_RSS_LOG``.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys


def main() -> int:
    completed = subprocess.run([sys.executable] + sys.argv[1:], check=False)
    log = os.environ.get('AICC_BENCH_RSS_LOG')
    if log:
        with open(log, 'a', encoding='utf-8') as handle:
            handle.write(f'{resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss}\n')
    return completed.returncode


if __name__ == '__main__':
    sys.exit(main())
