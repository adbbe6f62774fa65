# Copyright (c) 2026 aicc.cms contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Offline stand-in for the pip bootstrap script ansible-test downloads.

ansible-test builds its sanity venvs without pip and runs
``python get_pip_X_Y.py [pip options] pip==X.Y [--no-setuptools] [--no-wheel]`` from
``~/.ansible/test/cache``. That script normally comes from a host this machine cannot reach.
``make`` copies this file there next to a pip wheel from PyPI; it installs pip from that wheel.
"""

from __future__ import annotations

import glob
import os
import sys

GET_PIP_ONLY_FLAGS = {'--no-setuptools', '--no-wheel'}


def main() -> int:
    here = os.path.dirname(os.path.abspath(__file__))
    wheels = sorted(glob.glob(os.path.join(here, 'pip-*.whl')))
    if not wheels:
        sys.stderr.write(f'no pip wheel next to {__file__}: run make sanity to fetch it\n')
        return 1
    sys.path.insert(0, wheels[-1])
    from pip._internal.cli.main import main as pip_main  # pylint: disable=import-outside-toplevel

    args = [arg for arg in sys.argv[1:] if arg not in GET_PIP_ONLY_FLAGS]
    return pip_main(['install', '--no-index', '--find-links', here] + args)


if __name__ == '__main__':
    sys.exit(main())
