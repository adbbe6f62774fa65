# Copyright (c) 2026 aicc.cms contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The aicc_terminals inventory through the real ansible-inventory / ansible-playbook, against the HTTPS simulator.

Golden files are in plugins_files/golden; after a deliberate change of the output, regenerate them with
AICC_UPDATE_GOLDEN=1 and review the diff.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path

import pytest
from core_compat import as_on_2_19

FILES = Path(__file__).resolve().parent / 'plugins_files'
INVENTORY = FILES / 'inventory'
GOLDEN = FILES / 'golden'
PLAYBOOKS = FILES / 'playbooks'
TERMINALS = INVENTORY / 'terminals.aicc_terminals.yml'
REQUESTED = sorted({'8880001', '8880006', '8880041', '9999999'} | {f'88800{number:02d}' for number in range(40, 50)})

pytestmark = pytest.mark.slow


def normalised(text: str, sim) -> str:
    """Output without what changes from run to run (the simulator's port and state folder)."""
    text = text.replace(sim.url, 'https://127.0.0.1:PORT').replace(str(Path(sim.ca_path).parent), 'STATE_DIR')
    return re.sub(r'127\.0\.0\.1:\d+', '127.0.0.1:PORT', text)


def check_golden(name: str, actual: str) -> None:
    path = GOLDEN / name
    if os.environ.get('AICC_UPDATE_GOLDEN') == '1':
        path.write_text(actual, encoding='utf-8')
    assert path.exists(), f'golden file {path} is missing: run once with AICC_UPDATE_GOLDEN=1 and review it'
    assert actual == path.read_text(encoding='utf-8'), f'output differs from {path}'


def plain(value):
    """JSON from ansible-inventory with the unsafe markers (``{"__ansible_unsafe": text}``) removed."""
    if isinstance(value, dict):
        if set(value) == {'__ansible_unsafe'}:
            return value['__ansible_unsafe']
        return {key: plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [plain(item) for item in value]
    return value


def with_output_profile(listed: dict) -> dict:
    """``--list`` output as ansible-core 2.19 prints it: it names the output profile that older cores use unnamed."""
    listed.get('_meta', {}).setdefault('profile', 'inventory_legacy')
    return listed


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


def truth(sim, eids) -> dict:
    """What the simulator holds: equipment ID -> 'registered' / 'not registered' / 'missing'."""
    states = {}
    for eid in eids:
        rows = sim.terminal(eid)
        if not rows:
            states[eid] = 'missing'
        else:
            states[eid] = (
                'registered'
                if any(row['registerStatus'] == 'registered' for row in rows.values())
                else 'not registered'
            )
    return states


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


def test_list_and_graph_match_the_golden_files(run_ansible, sim, aicc_env):
    listed = inventory_list(run_ansible, aicc_env, TERMINALS)
    assert listed.returncode == 0, listed.stderr
    assert 'unknown to CC-CMS (group aicc_missing): 9999999' in listed.stderr
    marked = with_output_profile(json.loads(listed.stdout))
    check_golden('terminals_list.json', normalised(json.dumps(marked, indent=2, sort_keys=True) + '\n', sim))
    # every string that came from the API is marked unsafe
    assert [
        path
        for host_vars in marked['_meta']['hostvars'].values()
        for path in unmarked_strings(host_vars['aicc_terminal'])
    ] == []
    inventory = plain(marked)

    graphed = run_ansible(['ansible-inventory', '-i', TERMINALS, '--graph'], env=aicc_env)
    assert graphed.returncode == 0, graphed.stderr
    check_golden('terminals_graph.txt', normalised(graphed.stdout, sim))

    # The golden file agrees with the simulator, not only with an earlier run.
    states = truth(sim, REQUESTED)
    hostvars = inventory['_meta']['hostvars']
    assert sorted(hostvars) == REQUESTED
    assert sorted(inventory['aicc_registered']['hosts']) == sorted(
        eid for eid, state in states.items() if state == 'registered'
    )
    assert sorted(inventory['aicc_not_registered']['hosts']) == sorted(
        eid for eid, state in states.items() if state != 'registered'
    )
    assert inventory['aicc_missing']['hosts'] == ['9999999']
    for eid, host_vars in hostvars.items():
        assert set(host_vars) == {'aicc_terminal'}, 'only the record, nothing that connects to a phone'
        assert host_vars['aicc_terminal']['registered'] is (states[eid] == 'registered')
    assert sim.secret_key not in listed.stdout + listed.stderr


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
