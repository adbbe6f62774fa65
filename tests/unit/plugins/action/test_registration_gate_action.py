# Copyright (c) 2026 aicc.cms contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The action behind the role accepts what the role's argument specs declare, and the role passes the policy on.

Here, not under module_utils/: the action imports the controller's ansible packages, which
ansible-test units keeps out of the module_utils context."""

from __future__ import annotations

from pathlib import Path

import yaml
from ansible_collections.aicc.cms.plugins.action.registration_gate import SETTING_NAMES
from ansible_collections.aicc.cms.plugins.module_utils._gate.verdict import POLICY_NAMES

ROOT = Path(__file__).resolve().parents[4]


def test_argument_specs_name_every_setting_the_action_accepts():
    specs = yaml.safe_load((ROOT / 'roles/registration_gate/meta/argument_specs.yml').read_text(encoding='utf-8'))[
        'argument_specs'
    ]
    pre, post_options = set(specs['pre']['options']), set(specs['post']['options'])
    assert {'aicc_gate_' + name for name in SETTING_NAMES} <= post_options
    # The policy is shared by both entry points (one anchor), so the precheck validates it too.
    policy = {'aicc_gate_' + name for name in ('max_regressions', *POLICY_NAMES)}
    assert policy <= pre
    for entry in ('pre', 'post'):
        task = yaml.safe_load((ROOT / f'roles/registration_gate/tasks/{entry}.yml').read_text(encoding='utf-8'))[0]
        given = set(task['aicc.cms.registration_gate']) - {'phase'}
        assert {'aicc_gate_' + name for name in given} <= (pre if entry == 'pre' else post_options)
        assert {name[len('aicc_gate_') :] for name in policy} <= given
