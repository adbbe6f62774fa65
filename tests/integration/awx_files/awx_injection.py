# Copyright (c) 2026 aicc.cms contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Apply a custom credential type's injectors the way AWX does before it starts ansible-runner.

Mirrors AWX's CredentialType.inject_credential: only non-empty inputs are defined in the template
namespace, every file injector is written (even when it renders empty) into the job's env/ folder
and exposed as tower.filename.<label>, then every env injector is rendered. A safe copy of the
environment, with secret inputs replaced by asterisks, is what AWX shows in the job details.
"""

from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path

import yaml
from jinja2.sandbox import ImmutableSandboxedEnvironment

CREDENTIAL_TYPE_FILE = Path(__file__).resolve().parents[3] / 'extensions' / 'awx' / 'credential_type_aicc_cms.yml'
HIDDEN = '**********'


class _Namespace:
    """Attribute bag, as AWX's TowerNamespace."""


def load_credential_type(path=CREDENTIAL_TYPE_FILE):
    with open(path, encoding='utf-8') as handle:
        return yaml.safe_load(handle)


def secret_field_ids(credential_type):
    return {field['id'] for field in credential_type['inputs']['fields'] if field.get('secret')}


def inject_credential(credential_type, inputs, private_data_dir):
    """Return (env, safe_env) for the credential inputs; files land in private_data_dir/env."""
    secrets = secret_field_ids(credential_type)
    tower = _Namespace()
    namespace = {'tower': tower}
    safe_namespace = {'tower': tower}
    for field_id, value in inputs.items():
        if len(value):
            namespace[field_id] = value
            safe_namespace[field_id] = HIDDEN if field_id in secrets else value

    sandbox = ImmutableSandboxedEnvironment()
    env_dir = Path(private_data_dir) / 'env'
    env_dir.mkdir(parents=True, exist_ok=True)
    for label, template in credential_type['injectors'].get('file', {}).items():
        handle, path = tempfile.mkstemp(dir=env_dir)
        with os.fdopen(handle, 'w', encoding='utf-8') as file:
            file.write(sandbox.from_string(template).render(**namespace))
        os.chmod(path, stat.S_IRUSR | stat.S_IWUSR)
        if '.' not in label:
            tower.filename = path
        else:
            if not hasattr(tower, 'filename'):
                tower.filename = _Namespace()
            setattr(tower.filename, label.split('.', 1)[1], path)

    env, safe_env = {}, {}
    for name, template in credential_type['injectors'].get('env', {}).items():
        env[name] = sandbox.from_string(template).render(**namespace)
        safe_env[name] = sandbox.from_string(template).render(**safe_namespace)
    return env, safe_env
