# Copyright (c) 2026 aicc.cms contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""TLS against the simulator's own CA: refused without ca_path, trusted with it, warned about without verification."""

from __future__ import annotations

import json

import yaml
from ansible_collections.aicc.cms.plugins.module_utils._query.client import CmsClient
from ansible_collections.aicc.cms.plugins.module_utils._query.engine import query_status
from ansible_collections.aicc.cms.plugins.module_utils._query.planner import plan_queries


def test_module_tls(run_ansible, sim, tmp_path):
    address = f'127.0.0.1:{sim.port}'
    conn = {
        'url': sim.url,
        'access_key': sim.access_key,
        'secret_key': sim.secret_key,
        'eids': ['8880001'],
        'retries': 0,
    }
    tasks = [
        {
            'name': 'Without ca_path',
            'aicc.cms.aicc_terminal_status': conn,
            'register': 'untrusted',
            'ignore_errors': True,
        },
        {
            'name': 'With ca_path',
            'aicc.cms.aicc_terminal_status': dict(conn, ca_path=sim.ca_path),
            'register': 'trusted',
        },
        {
            'name': 'Without verification',
            'aicc.cms.aicc_terminal_status': dict(conn, validate_certs=False),
            'register': 'unverified',
        },
        {
            'name': 'Lookup without ca_path',
            'ignore_errors': True,
            'register': 'lookup_untrusted',
            'ansible.builtin.set_fact': {
                'looked_up': (
                    f"{{{{ query('aicc.cms.aicc_terminal_status', '8880001', url='{sim.url}',"
                    f" access_key='{sim.access_key}', secret_key='{sim.secret_key}', retries=0) }}}}"
                )
            },
        },
        {
            'name': 'Write',
            'ansible.builtin.copy': {
                'content': (
                    "{{ {'untrusted': untrusted, 'trusted': trusted, 'unverified': unverified, 'lookup_untrusted':"
                    ' lookup_untrusted} | to_json }}'
                ),
                'dest': str(tmp_path / 'out.json'),
                'mode': '0600',
            },
        },
    ]
    playbook = tmp_path / 'tls.yml'
    playbook.write_text(
        yaml.safe_dump([{'name': 'TLS', 'hosts': 'localhost', 'gather_facts': False, 'tasks': tasks}], sort_keys=False)
    )

    proc = run_ansible(['ansible-playbook', str(playbook)])

    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    results = json.loads((tmp_path / 'out.json').read_text())
    refusal = f'certificate verify failed for {address}: set ca_path, or validate_certs=false'
    assert results['untrusted']['failed'] is True
    assert (
        results['untrusted']['msg']
        == '1 of 1 queries failed, so 1 requested terminals are unknown; first failure: EID 8880001: ' + refusal
    )
    assert results['untrusted']['unknown'] == ['8880001'] and results['untrusted']['terminals'] == {}
    assert results['lookup_untrusted']['failed'] is True and refusal in results['lookup_untrusted']['msg']
    for name in ('trusted', 'unverified'):
        assert results[name]['failed'] is False and results[name]['summary']['total'] == 1, name
    output = ' '.join((proc.stdout + proc.stderr).split())
    warning = (
        f'[WARNING]: the TLS certificate of {address} is not verified (validate_certs=false): set ca_path to verify it'
    )
    assert output.count(warning) == 1, output[-3000:]
    assert 'InsecureRequestWarning' not in output


def test_client_tls(sim):
    """The same three cases at the core, where the warning is a value the front ends show."""
    plan = plan_queries(eids=['8880001'])
    options = {'url': sim.url, 'access_key': sim.access_key, 'secret_key': sim.secret_key, 'retries': 0}
    with CmsClient(**options) as client:
        refused = query_status(client, plan)
    with CmsClient(ca_path=sim.ca_path, **options) as client:
        trusted = query_status(client, plan)
    with CmsClient(validate_certs=False, **options) as client:
        unverified = query_status(client, plan)

    assert refused['errors'] == [
        f'EID 8880001: certificate verify failed for 127.0.0.1:{sim.port}: set ca_path, or validate_certs=false'
    ]
    assert trusted['errors'] == [] and trusted['warnings'] == [] and trusted['summary']['total'] == 1
    assert unverified['errors'] == [] and unverified['summary']['total'] == 1
    assert unverified['warnings'] == [
        f'the TLS certificate of 127.0.0.1:{sim.port} is not verified (validate_certs=false): set ca_path to verify it'
    ]
