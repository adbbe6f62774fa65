# Copyright (c) 2026 aicc.cms contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Set the release's version in galaxy.yml and, with --home-url, its four links: ``make release``.

    python tests/tools/release.py 1.0.0 [--home-url https://github.com/ORG/aicc.cms]

galaxy.yml is the one place both are stated; ``repository`` and ``homepage`` are the home URL,
``issues`` and ``documentation`` derive from it (tests/unit/test_publishing.py checks that). The
file is edited line by line, so its comments and order stay. ``make release`` then runs
``antsibull-changelog release``.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

GALAXY = Path(__file__).resolve().parents[2] / 'galaxy.yml'
VERSION = re.compile(r'^\d+\.\d+\.\d+$')
# what galaxy.yml holds until the collection has a public home
PLACEHOLDER = 'https://aicc-cms.example/'
HOME_URL = re.compile(r'^https://[^\s/]+(/[^\s]*[^\s/])?$')


def links(home: str) -> dict[str, str]:
    return {
        'repository': home,
        'documentation': home + '/blob/main/docs/user-guide.md',
        'homepage': home,
        'issues': home + '/issues',
    }


def set_key(text: str, key: str, value: str) -> str:
    updated, count = re.subn(rf'^{key}: .*$', f'{key}: {value}', text, count=1, flags=re.MULTILINE)
    if count != 1:
        raise SystemExit(f'galaxy.yml has no top-level {key}: line to set')
    return updated


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('version')
    parser.add_argument('--home-url')
    args = parser.parse_args()
    if not VERSION.match(args.version):
        sys.stderr.write(f'VERSION must be X.Y.Z (semantic version, no pre-release suffix), got {args.version!r}\n')
        return 2
    if args.home_url is not None and not HOME_URL.match(args.home_url):
        sys.stderr.write(f'HOME_URL must be an https:// address without a trailing slash, got {args.home_url!r}\n')
        return 2
    text = set_key(GALAXY.read_text(encoding='utf-8'), 'version', args.version)
    for key, value in (links(args.home_url) if args.home_url else {}).items():
        text = set_key(text, key, value)
    GALAXY.write_text(text, encoding='utf-8')
    if PLACEHOLDER in text:
        print(f'galaxy.yml: the links still point at {PLACEHOLDER}; set HOME_URL before publishing')
    print(f'galaxy.yml: version {args.version}{(f", links under {args.home_url}" if args.home_url else "")}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
