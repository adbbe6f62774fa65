#!/usr/bin/python
# Copyright (c) 2026 aicc.cms contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: aicc_cms_info
short_description: First contact with a CC-CMS, and what its answers prove about how it pages
version_added: 1.0.0
description:
  - Sends a few harmless, bounded queries (at most O(max_queries) requests, with small pages so that
    even a short range spans several) and reports what the answers prove about the server.
  - The vendor page leaves open what C(count) counts, what C(limit) and C(offset) page over, whether
    the server caps C(limit), and the answer's shape. The collection is right under every reading;
    this module shows which readings the server's answers leave standing, the page cap seen, whether
    C(limit) and C(offset) were accepted as integers or strings, the UAP keys (pool or single mode),
    the round-trip latency, and the server's clock against this host's (from the C(Date) header).
  - Run it once against a new CC-CMS, and send its result when another module of the collection
    reports that no reading explains the answers.
  - The module only reads; it never changes anything on CC-CMS.
author:
  - aicc.cms contributors (!UNKNOWN)
requirements:
  - requests >= 2.28 on the host that runs the module
  - urllib3 >= 2.0 on the host that runs the module
extends_documentation_fragment:
  - aicc.cms.connection
  - aicc.cms.connection.module
  - aicc.cms.query
  - aicc.cms.query.module
options:
  page_size:
    description:
      - C(limit) of each request. Small pages make a short range span several pages, which is what
        tells the readings apart.
    type: int
    default: 10
  max_queries:
    description:
      - Most requests the probe sends, retries included, between V(1) and V(100).
    type: int
    default: 6
attributes:
  check_mode:
    description: Can run in check mode and return the status the task would return.
    support: full
    details: The module only reads, so it sends its queries in check mode too.
  diff_mode:
    description: Would return details on what changed in diff mode.
    support: none
  action_group:
    description: Use C(group/aicc.cms.aicc) in O(ignore:module_defaults) to set defaults for this module.
    support: full
    membership:
      - aicc.cms.aicc
"""

EXAMPLES = r"""
- name: What does this CC-CMS do with limit, offset and count?
  aicc.cms.aicc_cms_info:
    url: https://10.1.1.10:28443
    access_key: "{{ aicc_access_key }}"
    secret_key: "{{ aicc_secret_key }}"
    ca_path: /etc/pki/aicc/ca.pem
    eid_ranges:
      - 8780000-8780099
  register: cms

- name: Show the verdict
  ansible.builtin.debug:
    msg: "{{ cms.advice }}"
"""

RETURN = r"""
readings:
  description:
    - The readings of the vendor page the answers leave standing, per question.
    - C(limit_counts) (V(ids), V(rows), V(per_key)), C(offset) (V(items), V(pages), V(ignored)),
      C(count) (V(ids), V(rows), V(page_rows), V(page_ids), V(key_max), V(key_first), V(absent)),
      C(uap_count) (V(none), V(key_total), V(key_page)); C(page_cap) the caps still possible;
      C(standing) how many combinations stand, and C(described) each of them when there are few.
  returned: always
  type: dict
  sample: {limit_counts: [ids], offset: [items], count: [ids], uap_count: [none], page_cap: none below limit 10, standing: 1}
parameter_type:
  description: How the server accepted C(limit) and C(offset), V(integer) or V(string); null when no answer came.
  returned: always
  type: str
  sample: integer
uap_keys:
  description: The UAP keys (C(<UAP IP>#<UAP ID>)) seen in the answers.
  returned: always
  type: list
  elements: str
  sample: ["10.10.0.1#1", "10.10.0.2#2"]
pool_mode:
  description: Whether terminals are answered under more than one UAP key.
  returned: always
  type: bool
latency:
  description: Round-trip time of the successful requests, seconds (C(min), C(median), C(max)); null when none succeeded.
  returned: always
  type: dict
  sample: {min: 0.012, median: 0.015, max: 0.031}
clock_offset_seconds:
  description: The server's C(Date) minus this host's clock, seconds; null when the answers carry no C(Date) header.
  returned: always
  type: float
  sample: -0.4
queries:
  description: Queries run (of RV(queries_planned)).
  returned: always
  type: int
queries_planned:
  description: Queries the selection plans.
  returned: always
  type: int
complete:
  description: Whether every planned query ran within O(max_queries).
  returned: always
  type: bool
requests:
  description: HTTP requests sent.
  returned: always
  type: int
errors:
  description: One sentence per failed query.
  returned: always
  type: list
  elements: str
exchanges:
  description: Every exchange, as the O(aicc.cms.aicc_terminal_status#module:trace) option returns them.
  returned: always
  type: list
  elements: dict
advice:
  description: One sentence on what the probe found and what to do next.
  returned: always
  type: str
"""

import traceback

from ansible.module_utils.basic import missing_required_lib
from ansible_collections.aicc.cms.plugins.module_utils._errors import AiccError
from ansible_collections.aicc.cms.plugins.module_utils._options import (
    PROBE_SPEC,
    ScreenedModule,
    check_values,
    client_from_params,
    error_message,
    plan_from_params,
)
from ansible_collections.aicc.cms.plugins.module_utils._query.client import HAS_REQUESTS, REQUESTS_IMPORT_ERROR
from ansible_collections.aicc.cms.plugins.module_utils._query.probe import probe_server


def main() -> None:
    module = ScreenedModule(argument_spec=PROBE_SPEC, supports_check_mode=True)
    if not HAS_REQUESTS:
        module.fail_json(msg=missing_required_lib('requests'), exception=REQUESTS_IMPORT_ERROR)
    params = module.params
    try:
        check_values(params)
        plan = plan_from_params(params)
        with client_from_params(dict(params, trace=True)) as client:
            client.max_requests = params['max_queries']
            result = probe_server(client, plan)
    except AiccError as error:
        module.fail_json(msg=error_message(error, params['secret_key']))
    except Exception as error:  # pylint: disable=broad-exception-caught
        module.fail_json(msg=error_message(error, params['secret_key']), exception=traceback.format_exc())
    module.exit_json(changed=False, **result)


if __name__ == '__main__':
    main()
