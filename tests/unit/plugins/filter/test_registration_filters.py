# Copyright (c) 2026 aicc.cms contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The filter plugins are thin: they expose the core and turn its errors into one Ansible sentence."""

from __future__ import annotations

import pytest
from ansible.errors import AnsibleFilterError
from ansible_collections.aicc.cms.plugins.filter import registration_diff, registration_gate, registration_report


def record(registered):
    return {'registered': registered, 'uaps': []}


def test_filters_are_registered_under_their_names():
    assert registration_diff.FilterModule().filters() == {'registration_diff': registration_diff.registration_diff}
    assert 'registration_gate' in registration_gate.FilterModule().filters()
    assert 'registration_report' in registration_report.FilterModule().filters()


def test_diff_filter():
    assert registration_diff.registration_diff({'1': record(True)}, {'1': record(False)})['regressed'] == ['1']
    with pytest.raises(AnsibleFilterError, match='^registration_diff: The baseline must be a dict'):
        registration_diff.registration_diff('nope', {})


def test_gate_and_report_filters_stamp_the_time_and_render():
    verdict = registration_gate.registration_gate(
        {'terminals': {'1': record(True)}}, 'post', baseline={'1': record(True)}
    )
    assert verdict['passed'] and verdict['checked_at'].endswith('Z')
    assert 'data-verdict="PASS"' in registration_report.registration_report(verdict, 'html')
    with pytest.raises(AnsibleFilterError, match="^registration_gate: The gate phase must be 'pre' or 'post'"):
        registration_gate.registration_gate({}, 'later')
    with pytest.raises(AnsibleFilterError, match="^registration_report: Unknown report format 'pdf'"):
        registration_report.registration_report(verdict, 'pdf')


def test_the_gate_filter_takes_the_policy():
    before = {f'8880{number:04d}': record(True) for number in range(10)}
    after = {'terminals': dict(before, **{eid: record(False) for eid in list(before)[:2]})}
    verdict = registration_gate.registration_gate(
        after, 'post', baseline=before, max_regressions=5, policy={'warn_regressions': 1}
    )
    assert verdict['verdict'] == 'WARN'
    with pytest.raises(AnsibleFilterError, match='^registration_gate: aicc_gate_uap_policy must be one of'):
        registration_gate.registration_gate(after, 'post', baseline=before, policy={'uap_policy': 'most'})
