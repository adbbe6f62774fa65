# Copyright (c) 2026 aicc.cms contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The aicc_terminal_status lookup in real ansible-playbook runs against the HTTPS simulator.

The connection comes, in turn, from ansible_aicc_* variables, from AICC_* environment variables and
from the [aicc] section of ansible.cfg; the playbook itself checks the records against the truth the
test computes from the simulator.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from core_compat import validator_wording

PLAYBOOK = Path(__file__).resolve().parent / 'plugins_files' / 'playbooks' / 'lookup.yml'
CALL_PLAYBOOK = PLAYBOOK.with_name('lookup_call.yml')
REQUESTED = sorted({'8880001', '9999999'} | {f'88800{number:02d}' for number in range(40, 50)})
UNREACHABLE_URL = 'https://127.0.0.1:9'  # nothing listens there: a run that used it would fail

pytestmark = pytest.mark.slow


def expectations(sim, tmp_path, **more) -> Path:
    """Extra-vars file with the IDs the lookup must return and those registered on the simulator."""
    registered = [
        eid
        for eid in REQUESTED
        if any(row['registerStatus'] == 'registered' for row in (sim.terminal(eid) or {}).values())
    ]
    path = tmp_path / 'expected.json'
    path.write_text(json.dumps(dict(expected_ids=REQUESTED, expected_registered=registered, **more)), encoding='utf-8')
    return path


def assert_played(result, sim, registered_count):
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert f'LOOKUP_REGISTERED {registered_count} of {len(REQUESTED)}' in result.stdout
    assert sim.secret_key not in output


def registered_count(sim) -> int:
    return sum(
        any(row['registerStatus'] == 'registered' for row in (sim.terminal(eid) or {}).values()) for eid in REQUESTED
    )


def test_options_from_variables_win_over_the_environment(run_ansible, sim, tmp_path):
    sim.set_status(['8880045'], 'not register')
    # the secret as a template, as it would come from a vault variable
    extra = expectations(
        sim,
        tmp_path,
        vault_secret=sim.secret_key,
        ansible_aicc_url=sim.url,
        ansible_aicc_access_key=sim.access_key,
        ansible_aicc_secret_key='{{ vault_secret }}',
        ansible_aicc_ca_path=sim.ca_path,
    )
    env = {'AICC_URL': UNREACHABLE_URL, 'AICC_ACCESS_KEY': 'wrong-access-key'}
    result = run_ansible(['ansible-playbook', PLAYBOOK, '-e', f'@{extra}'], env=env)
    assert_played(result, sim, registered_count(sim))
    assert sim.stats()['unauthorized'] == 0


def test_options_from_ansible_cfg(run_ansible, sim, tmp_path):
    config = tmp_path / 'ansible.cfg'
    config.write_text(
        f'[aicc]\nurl = {sim.url}\naccess_key = {sim.access_key}\nsecret_key = {sim.secret_key}\nca_path ='
        f' {sim.ca_path}\nmax_concurrency = 2\n',
        encoding='utf-8',
    )
    result = run_ansible(
        ['ansible-playbook', PLAYBOOK, '-e', f'@{expectations(sim, tmp_path)}'],
        env={'ANSIBLE_CONFIG': str(config)},
    )
    assert_played(result, sim, registered_count(sim))
    assert sim.stats()['max_in_flight'] <= 2


def test_a_failed_query_fails_the_task_with_the_reason(run_ansible, sim, aicc_env, tmp_path):
    sim.set_faults(['503:1@9999999'])
    result = run_ansible(
        ['ansible-playbook', PLAYBOOK, '-e', f'@{expectations(sim, tmp_path)}'],
        env=dict(aicc_env, AICC_RETRIES='0'),
    )
    assert result.returncode != 0
    assert '1 of 2 queries failed, so 1 requested terminals are unknown; first failure: EID 9999999' in result.stdout
    assert 'LOOKUP_REGISTERED' not in result.stdout
    assert sim.secret_key not in result.stdout + result.stderr


def test_a_bad_option_is_one_sentence(run_ansible, sim, aicc_env, tmp_path):
    result = run_ansible(
        ['ansible-playbook', PLAYBOOK, '-e', f'@{expectations(sim, tmp_path)}'],
        env=dict(aicc_env, AICC_MAX_CONCURRENCY='11'),
    )
    assert result.returncode != 0
    assert 'max_concurrency must be an integer between 1 and 10, got 11' in result.stdout
    assert 'Traceback' not in result.stdout + result.stderr
    assert sim.stats()['requests'] == 0


def call_lookup(run_ansible, tmp_path, terms, options=None, env=None):
    """One lookup call from lookup_call.yml with these terms and keyword options."""
    extra = tmp_path / 'call.json'
    extra.write_text(json.dumps({'lookup_terms': terms, 'lookup_options': options or {}}), encoding='utf-8')
    return run_ansible(['ansible-playbook', CALL_PLAYBOOK, '-e', f'@{extra}'], env=env)


@pytest.mark.parametrize('misspelt', [{'eid_range': ['8880000-8880009']}, {'summary_onyl': True}])
def test_an_unknown_keyword_option_is_refused_not_ignored(run_ansible, sim, aicc_env, tmp_path, misspelt):
    result = call_lookup(run_ansible, tmp_path, ['8880001'], misspelt, env=aicc_env)
    assert result.returncode != 0
    assert (
        f'unknown option {next(iter(misspelt))} for aicc.cms.aicc_terminal_status: check the spelling; valid options'
        ' are ' in result.stdout
    )
    assert '"msg": "LOOKUP_IDS' not in result.stdout and 'Traceback' not in result.stdout + result.stderr
    assert sim.stats()['requests'] == 0


@pytest.mark.parametrize('source', ['ansible.cfg', 'environment', 'variable'])
def test_a_misspelt_boolean_is_refused_instead_of_turning_certificate_checks_off(
    run_ansible, sim, aicc_env, tmp_path, source
):
    env = dict(aicc_env)
    config = tmp_path / 'ansible.cfg'
    config.write_text(
        '[aicc]\nvalidate_certs = %s\n' % ('ture' if source == 'ansible.cfg' else 'true'), encoding='utf-8'
    )
    env['ANSIBLE_CONFIG'] = str(config)
    if source == 'environment':
        env['AICC_VALIDATE_CERTS'] = 'ture'
    options = {'validate_certs': 'ture'} if source == 'variable' else {}
    result = call_lookup(run_ansible, tmp_path, ['8880001'], options, env=env)
    assert result.returncode != 0
    assert (
        "argument 'validate_certs' is of type str and we were unable to convert to bool: The value 'ture' is not a"
        ' valid boolean.' in validator_wording(result.stdout)
    )
    assert sim.stats()['requests'] == 0


def test_a_non_integer_cc_id_gets_the_module_sentence(run_ansible, sim, aicc_env, tmp_path):
    result = call_lookup(run_ansible, tmp_path, ['8880001'], env=dict(aicc_env, AICC_CC_ID='abc'))
    assert result.returncode != 0
    assert "argument 'cc_id' is of type str and we were unable to convert to int" in validator_wording(result.stdout)
    assert 'has an invalid value' not in result.stdout  # Ansible's own wording
    assert sim.stats()['requests'] == 0


def test_empty_optional_variables_count_as_not_set(run_ansible, sim, aicc_env, tmp_path):
    # AWX injects an empty string for an empty optional credential field
    env = dict(aicc_env, AICC_CC_ID='', AICC_TIMEOUT='', AICC_MAX_CONCURRENCY='')
    result = call_lookup(run_ansible, tmp_path, ['8880001'], env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert '"msg": "LOOKUP_IDS 8880001"' in result.stdout


def test_an_empty_validate_certs_keeps_certificate_checks_on(run_ansible, sim, aicc_env, tmp_path):
    # not set means the default (verify), never false: without the CA the simulator's certificate is refused
    env = {name: value for name, value in aicc_env.items() if name != 'AICC_CA_PATH'}
    result = call_lookup(run_ansible, tmp_path, ['8880001'], env=dict(env, AICC_VALIDATE_CERTS=''))
    assert result.returncode != 0
    assert f'certificate verify failed for 127.0.0.1:{sim.port}: set ca_path, or validate_certs=false' in result.stdout
    assert 'is not verified (validate_certs=false)' not in result.stdout + result.stderr


def test_a_list_variable_as_a_term_is_its_ids(run_ansible, sim, aicc_env, tmp_path):
    result = call_lookup(run_ansible, tmp_path, [['8880005', '8880001']], env=aicc_env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert '"msg": "LOOKUP_IDS 8880001,8880005"' in result.stdout
