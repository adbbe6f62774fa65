# Copyright (c) 2026 aicc.cms contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Put the guides of docs/*.md into the docsite ``make docs`` builds (myst-parser renders them).

    python tests/tools/docsite_guides.py RST_DIR

Run between antsibull-docs (which writes RST_DIR afresh) and sphinx-build: copies docs/*.md to
RST_DIR/guides/ and lists them in a "Guides" toctree of RST_DIR/index.rst, first.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

DOCS = Path(__file__).resolve().parents[2] / 'docs'
# the reader's order: how to use it first, how it is built last
ORDER = ('user-guide', 'awx', 'troubleshooting', 'architecture', 'performance', 'testing')


def main() -> int:
    rst = Path(sys.argv[1])
    guides = rst / 'guides'
    guides.mkdir(exist_ok=True)
    names = sorted(
        (path.stem for path in DOCS.glob('*.md')),
        key=lambda name: (ORDER.index(name) if name in ORDER else len(ORDER), name),
    )
    for name in names:
        shutil.copy(DOCS / f'{name}.md', guides / f'{name}.md')
    index = rst / 'index.rst'
    text = index.read_text(encoding='utf-8')
    toctree = (
        '.. toctree::\n   :maxdepth: 1\n   :caption: Guides:\n\n'
        + ''.join(f'   guides/{name}\n' for name in names)
        + '\n\n'
    )
    first = text.index('.. toctree::')
    index.write_text(text[:first] + toctree + text[first:], encoding='utf-8')
    return 0


if __name__ == '__main__':
    sys.exit(main())
