# Copyright (c) 2026 aicc.cms contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The select option (JMESPath over each terminal record) of the module and the lookup, in one real
ansible-playbook run against the HTTPS simulator; the truth comes from the simulator itself."""

from __future__ import annotations

import json

import pytest

pytestmark = pytest.mark.slow

SCOPE = '8880000-8880099'
# Pool mode: a terminal registered on UAP 1 but not on UAP 2 is what the selection looks for.
SELECT = "uaps[?uap_id == `2` && register_status != 'registered']"
PLAYBOOK = f"""---
- name: Select terminals with JMESPath
  hosts: localhost
  gather_facts: false
  module_defaults:
    group/aicc.cms.aicc: "{{{{ connection }}}}"
  tasks:
    - name: The module, with select
      aicc.cms.aicc_terminal_status:
        eid_ranges: ["{SCOPE}"]
        select: "{{{{ expression }}}}"
      register: selected

    - name: The lookup, with select
      ansible.builtin.set_fact:
        looked_up: "{{{{ query('aicc.cms.aicc_terminal_status', eid_ranges=['{SCOPE}'], select=expression,
                       url=connection.url, access_key=connection.access_key, secret_key=connection.secret_key,
                       ca_path=connection.ca_path) }}}}"

    - name: A bad expression
      aicc.cms.aicc_terminal_status:
        eid_ranges: ["{SCOPE}"]
        select: "uaps[?register_status =="
      register: refused
      ignore_errors: true

    - name: Keep what the test checks
      ansible.builtin.copy:
        content: "{{{{ {{'selected': selected, 'looked_up': looked_up, 'refused': refused}} | to_json }}}}"
        dest: "{{{{ out }}}}"
        mode: "0600"
"""


def test_module_and_lookup_keep_only_the_records_the_expression_selects(run_ansible, sim, tmp_path, connection_vars):
    lost_on_uap_2 = ['8880003', '8880017', '8880042']
    sim.set_status(lost_on_uap_2, 'not register', uap=sim.store.uaps[1])
    truth = sorted(
        eid
        for eid in (str(number) for number in range(8880000, 8880100))
        if (rows := sim.terminal(eid))
        and any(key.endswith('#2') and row['registerStatus'] != 'registered' for key, row in rows.items())
    )
    assert set(lost_on_uap_2) <= set(truth)
    playbook, out = tmp_path / 'select.yml', tmp_path / 'out.json'
    playbook.write_text(PLAYBOOK, encoding='utf-8')
    extra = tmp_path / 'vars.json'
    extra.write_text(
        json.dumps({'connection': connection_vars, 'expression': SELECT, 'out': str(out)}), encoding='utf-8'
    )
    proc = run_ansible(['ansible-playbook', str(playbook), '-e', f'@{extra}'])
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-4000:]
    assert 'Traceback' not in proc.stdout + proc.stderr and sim.secret_key not in proc.stdout + proc.stderr
    found = json.loads(out.read_text(encoding='utf-8'))

    selected = found['selected']
    assert sorted(selected['terminals']) == truth
    assert selected['select'] == SELECT
    known = sum(1 for number in range(8880000, 8880100) if sim.terminal(str(number)))
    assert selected['deselected'] == known - len(truth)
    assert selected['summary']['total'] == len(truth)
    assert sorted(record['equipment_id'] for record in found['looked_up']) == truth

    refused = found['refused']
    assert refused['failed'] is True
    assert refused['msg'].startswith("select='uaps[?register_status ==' is not a valid JMESPath expression: ")
    assert '\n' not in refused['msg'] and 'terminals' not in refused
