# Copyright (c) 2026 aicc.cms contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Two sites in one run of the shipped playbooks, each its own CC-CMS simulator.

The gate must query every site in both phases, fail only the site the change broke (naming it and
its terminals), and refuse any baseline that is not this site's, this window's and this scope's.
"""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

import pytest
import yaml

pytestmark = pytest.mark.slow

GATE_FILES = Path(__file__).parent / 'gate_files'
SITES = ('site-a', 'site-b')
RANGE = '8880000-8880049'


@pytest.fixture
def sites(sim_factory):
    return {
        name: sim_factory(ranges=(RANGE,), uaps=2, registered_ratio=0.9, seed=index + 1)
        for index, name in enumerate(SITES)
    }


@pytest.fixture
def inventory(sites, tmp_path):
    hosts = {
        name: {
            'aicc_gate_connection': {
                'url': sim.url,
                'access_key': sim.access_key,
                'secret_key': sim.secret_key,
                'ca_path': sim.ca_path,
            },
            'aicc_gate_eid_ranges': [RANGE],
        }
        for name, sim in sites.items()
    }
    path = tmp_path / 'sites.yml'
    path.write_text(yaml.safe_dump({'aicc_sites': {'hosts': hosts}}))
    return path


@pytest.fixture
def gate(run_ansible, inventory, tmp_path):
    reports = tmp_path / 'reports'

    def run(playbook: str, *extra: str, hosts: str = 'aicc_sites', check: bool = False):
        command = [
            'ansible-playbook',
            '-i',
            str(inventory),
            playbook,
            '-e',
            f'aicc_gate_hosts={hosts}',
            '-e',
            json.dumps(
                {'aicc_gate_report_dir': str(reports), 'aicc_gate_wait_timeout': 2, 'aicc_gate_wait_interval': 1}
            ),
        ]
        command += list(extra) + (['--check'] if check else [])
        return run_ansible(command)

    run.reports = reports
    return run


def registered(sim) -> list[str]:
    """Terminals registered on at least one UAP of the simulator (its rows as the API shows them)."""
    return sorted(
        eid
        for eid in (str(8880000 + index) for index in range(50))
        if any(row.get('registerStatus') == 'registered' for row in (sim.terminal(eid) or {}).values())
    )


def recap(stdout: str, host: str) -> dict:
    line = re.search(rf'^{re.escape(host)}\s+:\s+(.*)$', stdout, re.MULTILINE).group(1)
    return {key: int(value) for key, value in re.findall(r'(\w+)=(\d+)', line)}


def test_a_regression_on_one_site_fails_that_site_by_name_and_both_sites_are_queried(sites, gate):
    pre = gate('aicc.cms.precheck')
    assert pre.returncode == 0, pre.stdout + pre.stderr
    for name in SITES:
        baseline = json.loads((gate.reports / name / 'aicc_gate_baseline.json').read_text())
        assert baseline['site'] == name and baseline['address'] == sites[name].url.rstrip('/')
        assert 'secret' not in json.dumps(baseline).replace('secret_key', '')
    broken = registered(sites['site-a'])[:2]
    sites['site-a'].set_status(broken, 'not register')
    for sim in sites.values():
        sim.reset_stats()

    post = gate('aicc.cms.postcheck')
    assert post.returncode == 2, post.stdout + post.stderr
    assert all(sim.stats()['requests'] > 0 for sim in sites.values()), 'a site was not queried in the postcheck'
    assert recap(post.stdout, 'site-a')['failed'] == 1 and recap(post.stdout, 'site-b')['failed'] == 0
    failure = re.search(r'fatal: \[site-a\]: FAILED! => (.*)', post.stdout).group(1)
    assert 'site site-a: FAIL: Do not close the window: 2 regressed; roll back or fix.' in failure
    assert all(eid in failure for eid in broken)
    fleet = (gate.reports / 'aicc_gate_fleet_post.txt').read_text()
    assert '1 of 2 sites failed the postcheck: site-a' in fleet and 'PASS site-b: The window may close' in fleet
    page = (gate.reports / 'aicc_gate_fleet_post.html').read_text()
    assert 'href="site-a/aicc_gate_post.html"' in page and 'href="site-b/aicc_gate_post.html"' in page
    report = (gate.reports / 'site-a' / 'aicc_gate_post.html').read_text()
    assert 'do not close the window: roll back or fix' in report and 'ansible-playbook aicc.cms.postcheck -i ' in report
    assert 'socket normal' in report or 'socket ' in report
    # Reports are kept per run as well as under the latest name.
    assert len(list((gate.reports / 'site-a').glob('aicc_gate_post_*.json'))) == 1


def test_a_failed_change_still_gets_its_postcheck_and_fails_the_run(sites, gate):
    broken = registered(sites['site-b'])[:1]
    extra = {
        'aicc_change_tasks': str(GATE_FILES / 'failed_change.yml'),
        'aicc_test_broken_site': 'site-b',
        'aicc_test_drop_eids': broken,
        'aicc_test_admin_urls': {name: sim.admin_url for name, sim in sites.items()},
        'aicc_test_ca_paths': {name: sim.ca_path for name, sim in sites.items()},
    }
    window = gate('aicc.cms.change_window', '-e', json.dumps(extra))
    assert window.returncode == 2, window.stdout + window.stderr
    post = json.loads((gate.reports / 'site-b' / 'aicc_gate_post.json').read_text())
    assert post['regressed'] == broken and not post['passed']
    assert json.loads((gate.reports / 'site-a' / 'aicc_gate_post.json').read_text())['passed']
    assert recap(window.stdout, 'site-a')['failed'] == 0 and recap(window.stdout, 'site-b')['failed'] == 1


def test_check_mode_leaves_the_baseline_untouched(gate):
    pre = gate('aicc.cms.precheck')
    assert pre.returncode == 0, pre.stdout + pre.stderr
    files = {name: gate.reports / name / 'aicc_gate_baseline.json' for name in SITES}
    before = {name: path.read_bytes() for name, path in files.items()}
    checked = gate('aicc.cms.precheck', check=True)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert {name: path.read_bytes() for name, path in files.items()} == before
    assert json.loads((gate.reports / 'site-a' / 'aicc_gate_pre.json').read_text())['baseline_written'] is False


@pytest.mark.parametrize(
    ('case', 'sentence'),
    [
        ('foreign', "The baseline is of site 'site-b', not of site 'site-a'"),
        ('old', 'older than aicc_gate_max_baseline_age (1 seconds)'),
        ('edited', "The baseline's digest does not verify: the file was edited"),
        ('wider', "The postcheck scope differs from the baseline's: 10 terminals in scope that the baseline never saw"),
    ],
)
def test_each_untrustworthy_baseline_is_refused_with_its_sentence(gate, case, sentence):
    pre = gate('aicc.cms.precheck')
    assert pre.returncode == 0, pre.stdout + pre.stderr
    extra: dict = {}
    if case == 'foreign':
        extra['aicc_gate_baseline_file'] = str(gate.reports / 'site-b' / 'aicc_gate_baseline.json')
    elif case == 'old':
        extra['aicc_gate_max_baseline_age'] = 1
        time.sleep(2)
    elif case == 'edited':
        path = gate.reports / 'site-a' / 'aicc_gate_baseline.json'
        baseline = json.loads(path.read_text())
        first = sorted(baseline['terminals'])[0]
        baseline['terminals'][first][0] = not baseline['terminals'][first][0]
        path.write_text(json.dumps(baseline))
    elif case == 'wider':
        extra['aicc_gate_eid_ranges'] = ['8880000-8880059']
    post = gate('aicc.cms.postcheck', '-e', json.dumps(extra), hosts='site-a')
    assert post.returncode == 2, post.stdout + post.stderr
    assert sentence in post.stdout
    report = json.loads((gate.reports / 'site-a' / 'aicc_gate_post.json').read_text())
    assert not report['passed'] and sentence in report['refused']
