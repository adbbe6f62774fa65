# Copyright (c) 2026 aicc.cms contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
name: registration_diff
short_description: Compare two terminal registration states
version_added: 0.1.0
author: aicc.cms contributors (!UNKNOWN)
description:
  - Compares a baseline with the current registration state of AICC terminals and sorts every
    equipment ID into exactly one category (see RETURN).
  - Both inputs are what M(aicc.cms.aicc_terminal_status) returns, either its C(terminals) dict or
    the whole registered result. Pass the whole result so that terminals it could not query
    (C(unknown)) and IDs the server does not know (C(missing)) are taken into account.
  - A terminal that could not be queried before or now is C(unknown), never counted as fine.
options:
  _input:
    description: The baseline, taken before the change.
    type: dict
    required: true
  current:
    description: The current state, taken after the change.
    type: dict
    required: true
"""

EXAMPLES = r"""
- name: What did the change do to registrations?
  ansible.builtin.debug:
    msg: "{{ before | aicc.cms.registration_diff(after) }}"

- name: Fail on any regression
  ansible.builtin.assert:
    that: (before | aicc.cms.registration_diff(after)).counts.regressed == 0
"""

RETURN = r"""
_value:
  description:
    - Sorted lists of equipment IDs per category, C(counts), and per-terminal and per-UAP detail of
      the terminals that changed.
    - C(regressed) registered before, not registered now; C(recovered) the reverse; C(missing) known
      before, absent now; C(new) absent before, known now; C(still_unregistered);
      C(unchanged_registered); C(still_missing) unknown to the server both times; C(unknown) could not
      be queried before or now.
    - C(details) maps the ID of each regressed, recovered, missing, new or unknown terminal to its
      C(category), C(before) and C(after) state and its C(uaps) (register status before and after per UAP).
    - C(by_uap) maps each UAP to the IDs per category that touched it.
  type: dict
  sample:
    regressed: ["70001"]
    recovered: []
    missing: []
    new: []
    still_unregistered: []
    unchanged_registered: ["70002"]
    still_missing: []
    unknown: []
    counts: {regressed: 1, recovered: 0, missing: 0, new: 0, still_unregistered: 0, unchanged_registered: 1,
             still_missing: 0, unknown: 0, scope: 2, registered_before: 2, registered_now: 1}
    details:
      "70001":
        category: regressed
        before: registered
        after: not registered
        uaps: [{uap: "10.1.1.1#1", before: registered, after: not register}]
    by_uap:
      "10.1.1.1#1": {regressed: ["70001"], recovered: [], missing: [], new: [], unknown: []}
"""

from ansible.errors import AnsibleFilterError
from ansible_collections.aicc.cms.plugins.module_utils._gate.diff import DiffInputError
from ansible_collections.aicc.cms.plugins.module_utils._gate.diff import registration_diff as _registration_diff


def registration_diff(baseline, current):
    """Filter entry point: the core diff, its input errors as one Ansible sentence."""
    try:
        return _registration_diff(baseline, current)
    except DiffInputError as error:
        raise AnsibleFilterError(f'registration_diff: {error}') from None


class FilterModule:
    """aicc.cms registration filters."""

    def filters(self):
        return {'registration_diff': registration_diff}
