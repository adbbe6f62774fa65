# Copyright (c) 2026 aicc.cms contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The AWX credential type in extensions/awx/ injects every input the collection needs, and hides the secret."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import pytest

_HELPER = Path(__file__).resolve().parent / 'awx_files' / 'awx_injection.py'
_spec = importlib.util.spec_from_file_location('awx_injection', _HELPER)
awx_injection = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(awx_injection)

PEM = '-----BEGIN CERTIFICATE-----\nMIIBfake\n-----END CERTIFICATE-----\n'
FULL_INPUTS = {
    'url': 'https://10.22.26.181:28080',
    'access_key': 'globalaktest',
    'secret_key': 'example-secret-key',
    'cc_id': '1',
    'ca_cert': PEM,
}


@pytest.fixture(scope='module')
def credential_type():
    return awx_injection.load_credential_type()


def _fields(credential_type):
    return {field['id']: field for field in credential_type['inputs']['fields']}


def test_inputs_are_the_connection_settings_and_only_the_secret_key_is_secret(credential_type):
    fields = _fields(credential_type)

    assert credential_type['kind'] == 'cloud'
    assert set(fields) == {'url', 'access_key', 'secret_key', 'cc_id', 'ca_cert'}
    assert awx_injection.secret_field_ids(credential_type) == {'secret_key'}
    assert fields['ca_cert']['multiline'] is True
    assert fields['ca_cert']['secret'] is False
    # AWX injects an empty field as an empty string, which the collection takes as not set: the call
    # center (default: the AICC's) and the CA (default: the system's bundle) may stay empty.
    assert set(credential_type['inputs']['required']) == {'url', 'access_key', 'secret_key'}
    for field in fields.values():
        assert field['type'] == 'string' and field['label'] and field['help_text'], field['id']


def test_every_input_is_referenced_by_an_injector(credential_type):
    templates = list(credential_type['injectors']['env'].values()) + list(credential_type['injectors']['file'].values())
    referenced = set()
    for template in templates:
        referenced.update(re.findall(r'\b([a-z_]+)\b', template))

    assert set(_fields(credential_type)) <= referenced


def test_injects_the_collection_environment_variables(credential_type, tmp_path):
    env, safe_env = awx_injection.inject_credential(credential_type, FULL_INPUTS, tmp_path)

    assert set(env) == {'AICC_URL', 'AICC_ACCESS_KEY', 'AICC_SECRET_KEY', 'AICC_CC_ID', 'AICC_CA_PATH'}
    assert env['AICC_URL'] == FULL_INPUTS['url']
    assert env['AICC_ACCESS_KEY'] == FULL_INPUTS['access_key']
    assert env['AICC_SECRET_KEY'] == FULL_INPUTS['secret_key']
    assert env['AICC_CC_ID'] == '1'
    ca_file = Path(env['AICC_CA_PATH'])
    assert ca_file.parent == tmp_path / 'env'
    assert ca_file.read_text(encoding='utf-8') == PEM
    # What AWX stores and shows for the job: the secret is masked, nothing else is.
    assert safe_env['AICC_SECRET_KEY'] == awx_injection.HIDDEN
    assert 'example-secret-key' not in repr(safe_env)
    assert safe_env['AICC_ACCESS_KEY'] == FULL_INPUTS['access_key']


def test_empty_optional_inputs_inject_empty_values_not_an_empty_ca_file(credential_type, tmp_path):
    inputs = dict(FULL_INPUTS, cc_id='', ca_cert='')

    env, dummy = awx_injection.inject_credential(credential_type, inputs, tmp_path)

    assert env['AICC_CC_ID'] == ''
    assert env['AICC_CA_PATH'] == ''
