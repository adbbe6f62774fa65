# Copyright (c) 2026 aicc.cms contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The aicc_terminals inventory through the real ansible-inventory / ansible-playbook, against the HTTPS simulator."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest
import yaml
from core_compat import as_on_2_19

FILES = Path(__file__).resolve().parent / 'plugins_files'
INVENTORY = FILES / 'inventory'
PLAYBOOKS = FILES / 'playbooks'
TERMINALS = INVENTORY / 'terminals.aicc_terminals.yml'


def scope(config: Path) -> tuple[list[str], list[str]]:
    """The exact IDs (``eids``) and the IDs of the ranges (``eid_ranges``) an inventory file asks for."""
    settings = yaml.safe_load(config.read_text(encoding='utf-8'))
    exact = sorted(str(eid) for eid in settings.get('eids', []))
    ranged = []
    for text in settings.get('eid_ranges', []):
        first, last = str(text).split('-')
        ranged += [str(number).zfill(len(first)) for number in range(int(first), int(last) + 1)]
    return exact, ranged


EXACT, RANGED = scope(TERMINALS)
REQUESTED = sorted(set(EXACT) | set(RANGED))

pytestmark = pytest.mark.slow


def plain(value):
    """JSON from ansible-inventory with the unsafe markers (``{"__ansible_unsafe": text}``) removed."""
    if isinstance(value, dict):
        if set(value) == {'__ansible_unsafe'}:
            return value['__ansible_unsafe']
        return {key: plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [plain(item) for item in value]
    return value


def cached_value(stored: str):
    """What the jsonfile cache plugin holds: ansible-core 2.19 wraps it as JSON text in ``__payload__``; older cores
    store it as is."""
    entry = json.loads(stored)
    return json.loads(entry['__payload__']) if isinstance(entry, dict) and '__payload__' in entry else entry


def unmarked_strings(value, where='aicc_terminal'):
    """Paths of the strings that ansible-inventory did not mark unsafe."""
    if isinstance(value, dict):
        if set(value) == {'__ansible_unsafe'}:
            return []
        return [path for key, item in value.items() for path in unmarked_strings(item, f'{where}.{key}')]
    if isinstance(value, list):
        return [path for index, item in enumerate(value) for path in unmarked_strings(item, f'{where}[{index}]')]
    return [where] if isinstance(value, str) else []


# Record field -> the API's field, as the user guide lists them ("Results"); every one a string.
RECORD_FIELDS = {
    'register_status': 'registerStatus',
    'socket_status': 'socketStatus',
    'ip_and_port': 'ipAndPort',
    'monitor_flag': 'monitorFlag',
    'protocol_type': 'protocolType',
    'roam_ip_and_port': 'roamIpAndPort',
    'tls_status': 'tlsStatus',
    'ip_type': 'ipType',
    'ccu_module_number': 'ccuModuleNumber',
    'termination_type': 'terminationType',
}


def expected_hosts(sim) -> list[str]:
    """One host per terminal in scope: every exact ID (known or not) and each ID of a range the simulator knows."""
    return sorted(set(EXACT) | {eid for eid in RANGED if sim.terminal(eid)})


def expected_record(sim, eid) -> dict:
    """The ``aicc_terminal`` host variable the simulator's rows make: one entry per UAP, in the order of the UAP keys."""
    rows = sim.terminal(eid) or {}
    uaps = []
    for uap in sorted(rows):
        ip, _sep, number = uap.rpartition('#')
        fields = {name: rows[uap][api_name] for name, api_name in RECORD_FIELDS.items()}
        # the simulator only gives documented values, so nothing is unrecognized
        uaps.append({'uap': uap, 'uap_ip': ip, 'uap_id': int(number), **fields, 'unrecognized': []})
    registered = any(row['registerStatus'] == 'registered' for row in rows.values())
    return {'equipment_id': eid, 'missing': not rows, 'registered': registered, 'uaps': uaps}


def expected_groups(sim) -> dict[str, list[str]]:
    """Group -> hosts, from the simulator's rows: the plugin's own groups and those terminals.aicc_terminals.yml adds."""
    records = {eid: expected_record(sim, eid) for eid in expected_hosts(sim)}
    groups = {
        'aicc_registered': [eid for eid, record in records.items() if record['registered']],
        'aicc_not_registered': [eid for eid, record in records.items() if not record['registered']],
        'aicc_missing': [eid for eid in EXACT if records[eid]['missing']],
    }
    for eid, record in records.items():
        for uap in record['uaps']:
            # aicc_uap_<ip>_<no>, every character other than letters, digits and _ replaced by _
            groups.setdefault(re.sub(r'[^A-Za-z0-9_]', '_', f'aicc_uap_{uap["uap_ip"]}_{uap["uap_id"]}'), []).append(
                eid
            )
            # keyed_groups: key aicc_terminal.uaps | map(attribute='socket_status') | list, prefix socket
            groups.setdefault(f'socket_{uap["socket_status"]}', []).append(eid)
        if len(record['uaps']) > 1:  # groups: dual_homed: aicc_terminal.uaps | length > 1
            groups.setdefault('dual_homed', []).append(eid)
    return {name: sorted(set(hosts)) for name, hosts in groups.items()}


def listed_groups(inventory: dict) -> dict[str, list[str]]:
    """Group -> hosts of ``ansible-inventory --list`` (an empty group is not listed)."""
    return {name: sorted(entry['hosts']) for name, entry in inventory.items() if name not in ('_meta', 'all')}


def graphed_groups(text: str) -> dict[str, list[str]]:
    """Group -> hosts of ``ansible-inventory --graph`` under ``@all`` (only one level of groups is expected)."""
    lines = text.splitlines()
    assert lines[0] == '@all:', text
    groups: dict[str, list[str]] = {}
    for line in lines[1:]:
        group = re.fullmatch(r'  \|--@(\S+):', line)
        host = re.fullmatch(r'  \|  \|--(\S+)', line)
        assert group or (host and groups), f'unexpected line in --graph: {line!r}'
        if group:
            groups[group[1]] = []
        else:
            groups[list(groups)[-1]].append(host[1])
    return {name: sorted(hosts) for name, hosts in groups.items()}


# What the docs recommend: fail when ANY source does not parse. ANSIBLE_INVENTORY_UNPARSED_FAILED only
# fails when every source fails, so a failed CC-CMS query next to a good static source would pass.
FAIL_ON_ANY_UNPARSED = {'ANSIBLE_INVENTORY_ANY_UNPARSED_IS_FAILED': 'true'}


def inventory_list(run_ansible, env, *sources, extra=()):
    """``ansible-inventory --list``, failing on any source that does not parse (unless env says otherwise).

    Its stderr is in ansible-core 2.19's layout and wording (see core_compat), whatever the core.
    """
    args = ['ansible-inventory']
    for source in sources:
        args += ['-i', source]
    listed = run_ansible(args + ['--list'] + list(extra), env=dict(FAIL_ON_ANY_UNPARSED, **env))
    return subprocess.CompletedProcess(listed.args, listed.returncode, listed.stdout, as_on_2_19(listed.stderr))


def test_one_host_per_terminal_in_scope_grouped_as_the_simulator_holds_it(run_ansible, sim, aicc_env):
    listed = inventory_list(run_ansible, aicc_env, TERMINALS)
    assert listed.returncode == 0, listed.stderr
    inventory = plain(json.loads(listed.stdout))
    expected = expected_groups(sim)

    # every exact ID and every range ID CC-CMS knows is a host, named by its equipment ID, and no other
    assert sorted(inventory['_meta']['hostvars']) == expected_hosts(sim)
    # each group holds exactly the terminals its rule picks, each once: registration (an unknown exact ID is in
    # aicc_not_registered too), the unknown exact IDs, one group per UAP, the file's keyed_groups and groups
    assert listed_groups(inventory) == expected
    assert sorted(inventory['all']['children']) == sorted([*expected, 'ungrouped'])
    assert inventory['aicc_missing']['hosts'] == ['9999999']  # the data of the check above is not empty
    assert {'aicc_uap_10_10_0_1_1', 'socket_normal', 'socket_uninstall', 'dual_homed'} <= set(expected)
    # the unknown ID is named in a warning, with the group it is in
    assert 'unknown to CC-CMS (group aicc_missing): 9999999' in listed.stderr
    # the plugin sets no group variables (nothing there tells Ansible how to reach a phone either)
    assert all(set(entry) == {'hosts'} for name, entry in inventory.items() if name not in ('_meta', 'all'))
    assert set(inventory['all']) == {'children'}


def test_each_host_gets_only_its_terminal_record_with_every_api_string_unsafe(run_ansible, sim, aicc_env):
    listed = inventory_list(run_ansible, aicc_env, TERMINALS)
    assert listed.returncode == 0, listed.stderr
    marked = json.loads(listed.stdout)
    # the output profile whose {"__ansible_unsafe": ...} markers the unsafe check below reads
    assert marked['_meta'].get('profile', 'inventory_legacy') == 'inventory_legacy'
    # every string that came from the API is marked unsafe, so it is never rendered as a template
    assert [
        path
        for host_vars in marked['_meta']['hostvars'].values()
        for path in unmarked_strings(host_vars['aicc_terminal'])
    ] == []

    hostvars = plain(marked)['_meta']['hostvars']
    assert sorted(hostvars) == expected_hosts(sim)
    for eid, host_vars in hostvars.items():
        assert set(host_vars) == {'aicc_terminal'}, 'only the record, nothing that connects to a phone'
        record = host_vars['aicc_terminal']
        # the record is the simulator's rows under the documented field names, one entry per UAP row
        assert record == expected_record(sim, eid), eid
        # and of the documented types (== alone takes True for 1): flags are booleans, the UAP number an integer
        assert isinstance(record['registered'], bool) and isinstance(record['missing'], bool)
        assert isinstance(record['equipment_id'], str)
        for uap in record['uaps']:
            assert isinstance(uap['uap_id'], int) and not isinstance(uap['uap_id'], bool)
            assert all(isinstance(uap[name], str) for name in ('uap', 'uap_ip', *RECORD_FIELDS))
            assert isinstance(uap['unrecognized'], list)
    # an exact ID CC-CMS does not know is a host with an empty record, flagged missing
    assert hostvars['9999999']['aicc_terminal'] == {
        'equipment_id': '9999999',
        'missing': True,
        'registered': False,
        'uaps': [],
    }
    # neither the secret key nor any other connection setting gets into the output
    for setting in (sim.secret_key, sim.access_key, sim.url, sim.ca_path):
        assert setting not in listed.stdout
    assert sim.secret_key not in listed.stderr


def test_graph_shows_the_groups_and_hosts_of_list(run_ansible, sim, aicc_env):
    listed = inventory_list(run_ansible, aicc_env, TERMINALS)
    assert listed.returncode == 0, listed.stderr
    graphed = run_ansible(['ansible-inventory', '-i', TERMINALS, '--graph'], env=aicc_env)
    assert graphed.returncode == 0, graphed.stderr

    # the same groups with the same members; ungrouped, empty in --list and so not listed there, is empty
    assert graphed_groups(graphed.stdout) == {**listed_groups(plain(json.loads(listed.stdout))), 'ungrouped': []}
    assert sim.secret_key not in graphed.stdout + graphed.stderr


def test_a_cache_hit_sends_no_request(run_ansible, sim, aicc_env, tmp_path):
    cached = INVENTORY / 'cached.aicc_terminals.yml'
    env = dict(aicc_env, ANSIBLE_INVENTORY_CACHE_CONNECTION=str(tmp_path / 'cache'))

    first = inventory_list(run_ansible, env, cached)
    assert first.returncode == 0, first.stderr
    assert sim.stats()['requests'] >= 1
    (cache_file,) = (tmp_path / 'cache').iterdir()
    stored = cache_file.read_text(encoding='utf-8')
    assert cached_value(stored)['format'] == 1
    assert sim.secret_key not in stored

    sim.reset_stats()
    sim.set_status(['8880100'], 'not register')  # a refresh would see this; a cache hit must not
    second = inventory_list(run_ansible, env, cached)
    assert second.returncode == 0, second.stderr
    assert sim.stats()['requests'] == 0
    assert second.stdout == first.stdout

    # What a change window does: ansible-playbook --flush-cache asks CC-CMS again (on every core)...
    played = run_ansible(
        ['ansible-playbook', '-i', cached, '--flush-cache', PLAYBOOKS / 'not_registered.yml'],
        env=dict(FAIL_ON_ANY_UNPARSED, **env),
    )
    assert played.returncode == 0, played.stdout + played.stderr
    assert sim.stats()['requests'] >= 1
    assert 'NOT_REGISTERED 8880100 missing=False' in played.stdout

    # ...and so does ansible-inventory --flush-cache, an option it has from ansible-core 2.19 on.
    if '--flush-cache' in run_ansible(['ansible-inventory', '--help']).stdout:
        sim.reset_stats()
        sim.set_status(['8880101'], 'not register')
        flushed = inventory_list(run_ansible, env, cached, extra=['--flush-cache'])
        assert flushed.returncode == 0, flushed.stderr
        assert sim.stats()['requests'] >= 1
        assert '8880101' in plain(json.loads(flushed.stdout))['aicc_not_registered']['hosts']


def test_connection_options_accept_templates(run_ansible, sim):
    env = {
        'LAB_CMS_URL': sim.url,
        'LAB_CMS_AK': sim.access_key,
        'LAB_CMS_SK': sim.secret_key,
        'AICC_CA_PATH': sim.ca_path,
    }
    listed = inventory_list(run_ansible, env, INVENTORY / 'templated.aicc_terminals.yml')
    assert listed.returncode == 0, listed.stderr
    assert list(json.loads(listed.stdout)['_meta']['hostvars']) == ['phone-8880001']


def test_awx_style_run_with_credentials_only_in_the_environment(run_ansible, sim, aicc_env):
    # What an AWX inventory update runs: the credential's AICC_* variables, failing on any unparsed source.
    exported = inventory_list(run_ansible, aicc_env, TERMINALS, extra=['--export'])
    assert exported.returncode == 0, exported.stderr
    inventory = plain(json.loads(exported.stdout))
    assert sorted(inventory['_meta']['hostvars']) == REQUESTED
    assert sim.secret_key not in exported.stdout + exported.stderr

    without_credentials = inventory_list(run_ansible, {}, TERMINALS)
    assert without_credentials.returncode != 0
    assert 'url' in without_credentials.stderr


def test_a_failed_query_fails_the_inventory_with_the_reason(run_ansible, sim, aicc_env):
    sim.set_faults(['503:1@88800*'])
    env = dict(aicc_env, AICC_RETRIES='0')

    strict = inventory_list(run_ansible, env, TERMINALS)
    assert strict.returncode != 0
    assert '1 of 2 queries failed, so 12 requested terminals are unknown; first failure: EID 88800??' in strict.stderr
    assert sim.secret_key not in strict.stdout + strict.stderr

    # Ansible's default only warns about a failed source: still the reason, and no terminal at all.
    lenient = inventory_list(run_ansible, dict(env, ANSIBLE_INVENTORY_ANY_UNPARSED_IS_FAILED='false'), TERMINALS)
    assert '1 of 2 queries failed' in lenient.stderr
    if lenient.returncode == 0:
        assert not json.loads(lenient.stdout).get('_meta', {}).get('hostvars')


def test_any_unparsed_is_failed_stops_a_failed_source_next_to_a_good_one(run_ansible, sim, aicc_env, tmp_path):
    static = tmp_path / 'hosts.ini'
    static.write_text('[controllers]\nlocalhost ansible_connection=local\n', encoding='utf-8')
    sim.set_faults(['503:1@88800*'])
    env = dict(aicc_env, AICC_RETRIES='0')

    failed = inventory_list(run_ansible, env, static, TERMINALS)
    assert failed.returncode != 0
    assert '1 of 2 queries failed' in failed.stderr

    # unparsed_is_failed alone is not enough: the static source parses, so the run goes on without any terminal
    only_all = inventory_list(
        run_ansible,
        dict(env, ANSIBLE_INVENTORY_ANY_UNPARSED_IS_FAILED='false', ANSIBLE_INVENTORY_UNPARSED_FAILED='true'),
        static,
        TERMINALS,
    )
    assert only_all.returncode == 0, only_all.stderr
    listed = plain(json.loads(only_all.stdout))
    assert 'localhost' in listed['controllers']['hosts']
    assert 'aicc_registered' not in listed and not set(listed.get('_meta', {}).get('hostvars', {})) - {'localhost'}


def write_config(tmp_path, text):
    path = tmp_path / 'lab.aicc_terminals.yml'
    path.write_text('plugin: aicc.cms.aicc_terminals\n' + text, encoding='utf-8')
    return path


def test_a_misspelt_key_fails_the_source_instead_of_narrowing_it(run_ansible, sim, aicc_env, tmp_path):
    config = write_config(tmp_path, "eids: ['8880001']\neid_range: ['8880000-8880009']\n")
    listed = inventory_list(run_ansible, aicc_env, config)
    assert listed.returncode != 0
    assert (
        'unknown option eid_range for aicc.cms.aicc_terminals: check the spelling; valid options are ' in listed.stderr
    )
    assert sim.stats()['requests'] == 0


@pytest.mark.parametrize('where', ['file', 'ansible.cfg', 'environment'])
def test_a_misspelt_boolean_fails_instead_of_turning_certificate_checks_off(
    run_ansible, sim, aicc_env, tmp_path, where
):
    config = write_config(tmp_path, "eids: ['8880001']\n" + ('validate_certs: maybe\n' if where == 'file' else ''))
    env = dict(aicc_env)
    if where == 'ansible.cfg':
        ansible_cfg = tmp_path / 'ansible.cfg'
        ansible_cfg.write_text('[aicc]\nvalidate_certs = maybe\n', encoding='utf-8')
        env['ANSIBLE_CONFIG'] = str(ansible_cfg)
    elif where == 'environment':
        env['AICC_VALIDATE_CERTS'] = 'maybe'
    listed = inventory_list(run_ansible, env, config)
    assert listed.returncode != 0
    assert (
        "argument 'validate_certs' is of type str and we were unable to convert to bool: The value 'maybe' is not a"
        ' valid boolean.' in listed.stderr
    )
    assert sim.stats()['requests'] == 0


def test_a_non_integer_cc_id_gets_the_module_sentence(run_ansible, sim, aicc_env, tmp_path):
    listed = inventory_list(
        run_ansible, dict(aicc_env, AICC_CC_ID='abc'), write_config(tmp_path, "eids: ['8880001']\n")
    )
    assert listed.returncode != 0
    assert "argument 'cc_id' is of type str and we were unable to convert to int" in listed.stderr
    assert 'has an invalid value' not in listed.stderr  # Ansible's own wording
    assert sim.stats()['requests'] == 0


def test_empty_optional_credential_fields_count_as_not_set(run_ansible, sim, aicc_env, tmp_path):
    # AWX injects an empty string for an empty optional credential field; empty validate_certs is not false
    env = {name: value for name, value in aicc_env.items() if name != 'AICC_CA_PATH'}
    config = write_config(tmp_path, "eids: ['8880001']\n")
    refused = inventory_list(run_ansible, dict(env, AICC_CC_ID='', AICC_VALIDATE_CERTS=''), config)
    assert refused.returncode != 0
    assert f'certificate verify failed for 127.0.0.1:{sim.port}' in refused.stderr

    listed = inventory_list(
        run_ansible, dict(aicc_env, AICC_CC_ID='', AICC_VALIDATE_CERTS='', AICC_MAX_CONCURRENCY=''), config
    )
    assert listed.returncode == 0, listed.stderr
    assert list(json.loads(listed.stdout)['_meta']['hostvars']) == ['8880001']
