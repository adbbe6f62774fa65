# Copyright (c) 2026 aicc.cms contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The docsite `make docs` builds: the guides of docs/*.md are in it, and no page is wider than the
window in headless Chromium (wide parameter tables scroll inside the page). Screenshots of the
pages checked land in tests/output/docsite/ for a person to look at.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = shutil.which('chromium') or '/usr/bin/chromium'
CHROMIUM_FLAGS = [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
]
WINDOW = (1024, 768)
SCREENSHOTS = ROOT / 'tests' / 'output' / 'docsite'
# the page is wider than the window when its content overflows; the script writes the answer into the DOM
MEASURE = (
    "<script>window.addEventListener('load', function () { document.body.setAttribute('data-overflow',"
    ' String(document.documentElement.scrollWidth - window.innerWidth)); });</script></body>'
)

pytestmark = pytest.mark.slow


@pytest.fixture(scope='module')
def site(tmp_path_factory) -> Path:
    """The docsite built by the docs target's recipe into a folder of its own."""
    out = tmp_path_factory.mktemp('docsite') / 'build'
    make = shutil.which('make') or 'make'
    env = dict(os.environ, PATH=os.pathsep.join([str(Path(sys.executable).parent), os.environ.get('PATH', '')]))
    built = subprocess.run(
        [make, '--no-print-directory', '-C', str(ROOT), 'docs', f'DOCS_SITE={out}'],
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    assert built.returncode == 0, built.stdout[-4000:] + built.stderr[-4000:]
    return out / 'build' / 'html'


def chromium(tmp_path, *args) -> subprocess.CompletedProcess:
    if not shutil.which(CHROMIUM):
        pytest.skip('chromium is not installed (make test installs it)')
    return subprocess.run(
        [CHROMIUM, *CHROMIUM_FLAGS, '--user-data-dir=%s' % (tmp_path / 'profile'), *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )


def test_the_guides_are_in_the_docsite(site):
    index = (site / 'index.html').read_text(encoding='utf-8')
    for guide in sorted((ROOT / 'docs').glob('*.md')):
        assert (site / 'guides' / f'{guide.stem}.html').is_file(), f'{guide.name} is not in the docsite'
        assert f'guides/{guide.stem}.html' in index


@pytest.mark.parametrize(
    'page',
    [
        'collections/aicc/cms/aicc_terminal_status_module.html',
        'collections/aicc/cms/aicc_terminals_inventory.html',
        'guides/user-guide.html',
    ],
)
def test_no_page_is_wider_than_the_window(site, tmp_path, page):
    path = site / page
    measured = path.with_name('measured-' + path.name)
    measured.write_text(path.read_text(encoding='utf-8').replace('</body>', MEASURE, 1), encoding='utf-8')
    size = f'--window-size={WINDOW[0]},{WINDOW[1]}'
    dom = chromium(
        tmp_path, size, '--hide-scrollbars', '--virtual-time-budget=5000', '--dump-dom', measured.as_uri()
    ).stdout
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    shot = SCREENSHOTS / (page.replace('/', '_').replace('.html', '.png'))
    chromium(
        tmp_path,
        f'--window-size={WINDOW[0]},3000',
        '--hide-scrollbars',
        f'--screenshot={shot}',
        path.as_uri(),
    )  # tall: the tables show
    assert shot.stat().st_size > 0
    assert 'data-overflow="' in dom, 'the measuring script did not run'
    overflow = int(dom.split('data-overflow="', 1)[1].split('"', 1)[0])
    assert overflow <= 0, f'{page} is {overflow} px wider than a {WINDOW[0]} px window (screenshot: {shot})'
