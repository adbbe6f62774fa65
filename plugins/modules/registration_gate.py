#!/usr/bin/python
# Copyright (c) 2026 aicc.cms contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: registration_gate
short_description: Precheck or postcheck of one site for the change-window gate (runs on the controller)
version_added: 1.0.0
description:
  - The one call behind each entry point of the role C(aicc.cms.registration_gate). Each host of the play is one site
    (one CC-CMS endpoint or call center); the task queries its terminals, decides, writes its reports and returns
    the verdict and the counts. It runs in the controller process (an action plugin); the host is never contacted.
  - O(phase=pre) queries the scope once, decides whether the change may start, and writes the site's baseline to
    O(baseline_file), also when the precheck fails (marked as failed, so no stale baseline is left to be used). In
    check mode no baseline is written; the result says where it would be.
  - O(phase=post) reads the baseline (O(baseline), else O(baseline_file)), refuses it with one sentence when it is of
    another site, CC-CMS address or call center, older than O(max_baseline_age), fails its digest, was taken by a
    failed precheck, or was taken over another scope than O(eids) and O(eid_ranges) (when given); then it queries the
    scope, waits up to O(wait_timeout) seconds for the terminals registered before that are not registered now
    (polling only those), and decides whether the window may close.
  - O(phase=fleet) writes the summary of every site of the play (one line each, and an HTML page linking the sites'
    reports) from the results the other phases left as facts; the role runs it once per run.
  - The baseline records the site, the address, the ccId, the scope and its fingerprint, when it was taken, the
    collection version, and an HMAC-SHA256 digest keyed with a key derived from the secret key. The secret itself is
    never written, returned or shown.
  - Every problem with an option is one sentence naming the role variable that sets it (C(aicc_gate_) and the option
    name) and what it accepts.
options:
  phase:
    description: Which check to run.
    type: str
    choices: [pre, post, fleet]
    required: true
  site:
    description:
      - Name of the site (role variable C(aicc_gate_site), default the inventory host name); 1 to 100 letters, digits,
        C(.), C(_) or C(-). It names the site's report folder and is recorded in its baseline.
    type: str
  connection:
    description:
      - Connection options of the site, as M(aicc.cms.aicc_terminal_status) takes them (C(url), C(access_key),
        C(secret_key), C(cc_id), C(validate_certs), C(ca_path), C(timeout), C(retries), C(max_concurrency)).
      - Unset ones come from C(module_defaults) for M(aicc.cms.aicc_terminal_status) or the group C(aicc.cms.aicc),
        then from the C(AICC_*) environment variables of the controller. An empty value counts as unset.
    type: dict
    default: {}
  eids:
    description: Equipment IDs and bounded patterns in scope. For O(phase=post), empty takes the baseline's scope.
    type: list
    elements: str
    default: []
  eid_ranges:
    description: C(START-END) ranges in scope. For O(phase=post), empty (with O(eids) empty) takes the baseline's scope.
    type: list
    elements: str
    default: []
  required_eids:
    description: Exact equipment IDs that must be registered; they are part of the scope.
    type: list
    elements: str
    default: []
  min_registered_ratio:
    description: For O(phase=pre), the lowest share (0 to 1) of the terminals found that must be registered.
    type: float
    default: 0
  max_regressions:
    description:
      - For O(phase=post), how many regressions (0 to 1000000) are allowed. A regression is a terminal registered or
        known before that is not registered now (regressed or missing), breaks O(uap_policy), or did not stay
        registered for O(stable_polls) polls; terminals under O(exceptions) or excluded by O(exclude_when) do not count.
    type: int
    default: 0
  max_regressions_ratio:
    description:
      - For O(phase=post), the highest share (0 to 1) of regressions, regressions divided by the terminals registered
        before (at least 1); above it the gate fails. Unset, no ratio applies. Both fail levels apply.
    type: float
  warn_regressions:
    description:
      - For O(phase=post), above this many regressions (0 to 1000000, below O(max_regressions)) the verdict is C(WARN);
        it passes (RV(passed) true, RV(warned) true) and is marked in every report. Unset, no count warns.
    type: int
  warn_regressions_ratio:
    description:
      - For O(phase=post), above this share of regressions (0 to 1, below O(max_regressions_ratio) when set) the verdict
        is C(WARN).
    type: float
  warn_fails:
    description: Turn a C(WARN) into a failure, the crossed warn level being the reason.
    type: bool
    default: false
  exceptions:
    description:
      - Terminals excepted for a while; each entry has exactly one of C(eid), C(range) (C(START-END)) or C(pattern)
        (C(?) one character, C(*) or C(%) any run), a non-empty C(reason), and C(until), an ISO date (through that day,
        UTC) or date-time (UTC without a zone). The first matching entry applies.
      - A terminal under an exception in force is reported in its own section and never counted as a regression; it
        stays in the scope. An unknown terminal still fails the gate, and a required one must still be registered (a
        warning names the overlap). An expired entry no longer applies and gives a warning.
    type: list
    elements: dict
    default: []
  stable_polls:
    description:
      - For O(phase=post), a terminal waited for counts as back only once registered in this many consecutive answers
        (1 to 100); one still not stable when O(wait_timeout) runs out counts as a regression.
    type: int
    default: 2
  flapping_fails:
    description:
      - For O(phase=post), whether terminals waited for that were registered in one answer and not in a later one
        (flapping, always reported) fail the gate; false makes the verdict C(WARN) at most.
    type: bool
    default: true
  uap_policy:
    description:
      - For O(phase=post), where a terminal registered before must be registered now. C(any) on at least one UAP,
        C(all) on every UAP it was registered on before, C(same) on exactly those UAPs. A terminal that breaks it
        counts as regressed, with the UAP lost or where it moved; moves are reported whatever the policy.
    type: str
    choices: [any, all, same]
    default: any
  exclude_when:
    description:
      - A JMESPath expression over a terminal record (C(equipment_id), C(registered), C(uaps)); matching terminals are
        excluded from the verdict and reported in their own section with their count. The postcheck applies it to the
        baseline's record (without the IP addresses, which the baseline does not keep), the precheck to the current
        one; a terminal without a record and a required one are never excluded.
    type: str
  wait_timeout:
    description: >-
      For O(phase=post), seconds (0 to 86400) to wait for the terminals registered before to register again;
      0 does not wait.
    type: int
    default: 600
  wait_interval:
    description: For O(phase=post), seconds (1 to 3600) between two polls while waiting.
    type: int
    default: 10
  max_baseline_age:
    description: For O(phase=post), the oldest baseline accepted, in seconds (1 to 31622400).
    type: int
    default: 86400
  report_dir:
    description:
      - Folder of the reports; each site writes into its own subfolder O(site). For O(phase=fleet), the folder of the
        fleet summary.
    type: path
    required: true
  baseline_file:
    description: The site's baseline file; default C(aicc_gate_baseline.json) in the site's report folder.
    type: path
  baseline:
    description:
      - For O(phase=post), the baseline handed over (the precheck's C(aicc_gate_baselines) artifact entry of this
        site, as a dict or its JSON text). It is checked like the file.
    type: raw
  gate_phase:
    description: For O(phase=fleet), the phase whose results are summarised.
    type: str
    choices: [pre, post]
attributes:
  check_mode:
    description: Can run in check mode.
    support: full
    details: The queries are sent (they only read); the precheck writes its reports but not the baseline.
  diff_mode:
    description: Would return details on what changed in diff mode.
    support: none
  action:
    description: Runs on the controller as an action plugin.
    support: full
  async:
    description: Cannot run asynchronously.
    support: none
  platform:
    description: Runs on the controller; the host of the play only names the site.
    support: full
    platforms: all
notes:
  - Use it through the role C(aicc.cms.registration_gate) (entry points C(pre) and C(post)), which also publishes the
    results with C(set_stats) and fails the site's host when the gate fails.
  - The task never fails on a verdict; it fails on an invalid option or an unreadable baseline, with one sentence.
seealso:
  - module: aicc.cms.aicc_terminal_status
author:
  - aicc.cms contributors (!UNKNOWN)
"""

EXAMPLES = r"""
- name: Precheck of this host's site (connection from AICC_* or module_defaults)
  aicc.cms.registration_gate:
    phase: pre
    site: "{{ inventory_hostname }}"
    eid_ranges: ["70000-70999"]
    report_dir: /var/lib/aicc/gate
  register: precheck

- name: Postcheck against the baseline of that precheck
  aicc.cms.registration_gate:
    phase: post
    site: "{{ inventory_hostname }}"
    report_dir: /var/lib/aicc/gate
    wait_timeout: 300
  register: postcheck

- name: Stop when the window must not close
  ansible.builtin.fail:
    msg: "{{ postcheck.msg }}"
  when: not postcheck.passed
"""

RETURN = r"""
site:
  description: The site.
  returned: phase is pre or post
  type: str
  sample: site-a
passed:
  description: Whether the gate passed.
  returned: phase is pre or post
  type: bool
verdict:
  description: C(PASS), C(WARN) (passed, with a warn level crossed or flapping tolerated) or C(FAIL).
  returned: phase is pre or post
  type: str
warned:
  description: Whether the gate passed with a warning (RV(verdict) C(WARN)).
  returned: phase is pre or post
  type: bool
gate_warnings:
  description:
    - Warning sentences of the verdict (the crossed warn level, tolerated flapping, expired exceptions, a required
      terminal under an exception); Ansible also shows each as a warning in the play's output.
  returned: phase is pre or post
  type: list
  elements: str
headline:
  description: The verdict in one sentence, in the words of the phase.
  returned: phase is pre or post
  type: str
  sample: "Do not close the window: 3 regressed; roll back or fix."
reasons:
  description: One sentence per failed condition (a refused baseline is one of them).
  returned: phase is pre or post
  type: list
  elements: str
counts:
  description: The counts of the verdict (scope, registered, regressed, missing, unknown...).
  returned: phase is pre or post
  type: dict
msg:
  description: Site, verdict, headline, reasons and report path in one line (what the role fails with).
  returned: phase is pre or post
  type: str
summary_lines:
  description: What the role shows in the task output.
  returned: always
  type: list
  elements: str
address:
  description: The CC-CMS address of the site (C(https://host:port)).
  returned: phase is pre or post
  type: str
cc_id:
  description: The call-center ID of the site, null when not set.
  returned: phase is pre or post
  type: int
reports:
  description: Paths of the latest reports (C(html), C(markdown), C(junit), C(json)) and of this run's HTML report (C(run)).
  returned: phase is pre or post
  type: dict
baseline_file:
  description: The site's baseline file (written by the precheck unless in check mode).
  returned: phase is pre or post
  type: str
baseline_written:
  description: Whether this task wrote the baseline file (false in check mode and for the postcheck).
  returned: phase is pre or post
  type: bool
baseline:
  description: The compact signed baseline, when it is at most 262144 bytes of JSON (else only RV(baseline_file)).
  returned: phase is pre and the baseline is small enough
  type: dict
baseline_size:
  description: Size in bytes of the baseline's JSON.
  returned: phase is pre
  type: int
waited:
  description: Seconds waited for re-registration, null when nothing was waited for.
  returned: phase is post
  type: int
baseline_taken_at:
  description: When the baseline was taken (null when it was refused before its time could be read).
  returned: phase is post
  type: str
sites:
  description: Per host of the play, its site, verdict, headline and report.
  returned: phase is fleet
  type: list
  elements: dict
failed_sites:
  description: The sites that failed or have no verdict.
  returned: phase is fleet
  type: list
  elements: str
report:
  description: The fleet summary's HTML page.
  returned: phase is fleet
  type: str
"""
