# Copyright (c) 2026 aicc.cms contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
name: registration_report
short_description: Render a change-window gate verdict as HTML, Markdown, JUnit XML or JSON
version_added: 0.1.0
author: aicc.cms contributors (!UNKNOWN)
description:
  - Renders the verdict of P(aicc.cms.registration_gate#filter) as a report document.
  - C(html) is a self-contained page with a coloured verdict banner that also says PASS or FAIL,
    the counts and tables of the terminals that matter with their per-UAP status.
    C(markdown) is a short summary. C(junit) has a test case per terminal in scope (failures for
    regressed and missing terminals, errors for unknown ones). C(json) is the whole verdict.
  - Every value that came from CC-CMS is escaped.
options:
  _input:
    description: The verdict of P(aicc.cms.registration_gate#filter).
    type: dict
    required: true
  report_format:
    description: The document to render.
    type: str
    choices: [html, markdown, junit, json]
    required: true
"""

EXAMPLES = r"""
- name: Write the HTML report
  ansible.builtin.copy:
    content: "{{ aicc_gate_result | aicc.cms.registration_report('html') }}"
    dest: /tmp/gate.html
    mode: "0644"
"""

RETURN = r"""
_value:
  description: The report document.
  type: str
"""

from ansible.errors import AnsibleFilterError
from ansible_collections.aicc.cms.plugins.module_utils._errors import AiccError
from ansible_collections.aicc.cms.plugins.module_utils._gate.report import render


def registration_report(verdict, report_format):
    """Filter entry point: the core renderer, its input errors as one Ansible sentence."""
    try:
        return render(verdict, report_format)
    except AiccError as error:
        raise AnsibleFilterError(f'registration_report: {error}') from None


class FilterModule:
    """aicc.cms gate report filter."""

    def filters(self):
        return {'registration_report': registration_report}
