# Copyright (c) 2026 aicc.cms contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
name: registration_gate
short_description: Decide a change-window gate from terminal registration results
version_added: 0.1.0
author: aicc.cms contributors (!UNKNOWN)
description:
  - Turns a result of M(aicc.cms.aicc_terminal_status) into the verdict of the change-window gate
    used by the role C(aicc.cms.registration_gate).
  - C(pre) (before the change) fails when a query failed or a terminal could not be queried, when
    the scope matched no terminal, when the registered ratio is below O(min_registered_ratio), or
    when a required terminal is not registered.
  - C(post) (after the change) compares with the baseline (see P(aicc.cms.registration_diff#filter))
    and fails when regressed plus missing terminals exceed O(max_regressions), when a required
    terminal is not registered, or when any query failed. Unknown is never a pass.
options:
  _input:
    description: The registered result of M(aicc.cms.aicc_terminal_status), failed or not.
    type: dict
    required: true
  phase:
    description: Which side of the change this result was taken on.
    type: str
    choices: [pre, post]
    required: true
  baseline:
    description: For O(phase=post), the baseline saved by the precheck (a module result or its C(terminals)).
    type: dict
  required_eids:
    description: Exact equipment IDs that must be registered.
    type: list
    elements: str
    default: []
  max_regressions:
    description: For O(phase=post), how many terminals may be regressed or missing before the gate fails.
    type: int
    default: 0
  min_registered_ratio:
    description: For O(phase=pre), the lowest share (0 to 1) of the terminals found that must be registered.
    type: float
    default: 0
  waited:
    description: Seconds spent waiting for re-registration, shown in the reports; omit it when nothing was waited for.
    type: int
  policy:
    description:
      - The gate policy, as the role's variables without the C(aicc_gate_) prefix (C(max_regressions_ratio),
        C(warn_regressions), C(warn_regressions_ratio), C(warn_fails), C(exceptions), C(uap_policy), C(exclude_when),
        C(flapping_fails), C(stable_polls)); see the role C(aicc.cms.registration_gate).
    type: dict
    default: {}
  checked_at:
    description: When the result was taken (ISO 8601); the current UTC time when omitted.
    type: str
"""

EXAMPLES = r"""
- name: Decide the postcheck
  ansible.builtin.set_fact:
    gate: "{{ after | aicc.cms.registration_gate('post', baseline=before, max_regressions=0) }}"
"""

RETURN = r"""
_value:
  description:
    - The verdict. C(passed) (bool), C(warned) (bool), C(verdict) (C(PASS), C(WARN) or C(FAIL)), C(warnings),
      C(headline) (one sentence), C(reasons) (one sentence per failed condition), C(errors) (query errors), C(counts),
      C(summary_lines) (what the task output shows), and the sorted ID lists of the phase
      (pre C(registered), C(not_registered), C(missing), C(unknown), C(required_not_registered);
      post the categories of P(aicc.cms.registration_diff#filter) and C(required_not_registered)) with C(details).
    - For O(phase=post) also C(baseline_taken_at), the C(taken_at) of the baseline (null when it has none),
      and C(waited), null when nothing was waited for.
  type: dict
"""

from datetime import UTC, datetime

from ansible.errors import AnsibleFilterError
from ansible_collections.aicc.cms.plugins.module_utils._errors import AiccError
from ansible_collections.aicc.cms.plugins.module_utils._gate.verdict import evaluate


def registration_gate(
    current,
    phase,
    baseline=None,
    required_eids=None,
    max_regressions=0,
    min_registered_ratio=0,
    waited=None,
    checked_at=None,
    policy=None,
):
    """Filter entry point: the core decision, its input errors as one Ansible sentence."""
    checked_at = checked_at or datetime.now(UTC).strftime('%Y-%m-%dT%H:%M:%SZ')
    if policy is not None and not isinstance(policy, dict):
        raise AnsibleFilterError("registration_gate: policy must be a dict of the gate's policy settings.")
    try:
        return evaluate(
            current,
            phase,
            baseline,
            required_eids,
            max_regressions,
            min_registered_ratio,
            waited,
            checked_at,
            policy=policy,
        )
    except AiccError as error:
        raise AnsibleFilterError(f'registration_gate: {error}') from None


class FilterModule:
    """aicc.cms gate decision filter."""

    def filters(self):
        return {'registration_gate': registration_gate}
