#!/usr/bin/python
# Copyright (c) 2026 aicc.cms contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: aicc_terminal_status
short_description: Query the registration status of Huawei AICC terminals through CC-CMS
version_added: 0.1.0
description:
  - Asks CC-CMS (C(POST /rest/cmsapp/v1/openapi/uap/queryterminalstatus)) whether terminals (SIP
    phones and other UAP devices) are registered, and returns one record per equipment ID.
  - Exact IDs and ranges are grouped into bounded wildcard queries so that no request can match 200
    terminals or more, which the API forbids; the answers are filtered back to the IDs asked for.
  - Requested IDs that CC-CMS does not know are listed in RV(missing), and IDs whose query failed
    in RV(unknown); neither is ever counted as registered or not registered.
  - When a query fails after its retries the module fails, but still returns what it found.
  - With O(wait_for=registered) it polls the terminals not yet registered until all are, and fails
    after O(wait_timeout).
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
  - aicc.cms.query.result
  - aicc.cms.query.select
  - aicc.cms.query.trace
  - aicc.cms.query.trace_module
  - aicc.cms.query.wait
  - aicc.cms.query.wait_module
attributes:
  check_mode:
    description: Can run in check mode and return the status the task would return.
    support: full
    details: The module only reads, so it sends its queries in check mode too and returns real results.
  diff_mode:
    description: Would return details on what changed in diff mode.
    support: none
    details: The module never changes anything.
  action_group:
    description: Use C(group/aicc.cms.aicc) in O(ignore:module_defaults) to set defaults for this module.
    support: full
    membership:
      - aicc.cms.aicc
notes:
  - Records of the same terminal on several UAPs (pool mode) are all kept in RV(terminals), each under C(uaps);
    a terminal is registered when at least one UAP says so.
  - Quote equipment IDs in YAML; an unquoted one is read as a number and refused.
  - Every request counts against the API's limit of 10 concurrent requests; O(max_concurrency)
    stays at or below it, and every fork of the play shares it (see O(max_concurrency)).
"""

EXAMPLES = r"""
- name: Check two phones by exact equipment ID
  aicc.cms.aicc_terminal_status:
    url: https://10.1.1.10:28443
    access_key: "{{ aicc_access_key }}"
    secret_key: "{{ aicc_secret_key }}"
    ca_path: /etc/pki/aicc/ca.pem
    eids:
      - "8780001"
      - "8780002"
  register: phones

- name: Stop when one of them is not registered
  ansible.builtin.assert:
    that: phones.summary.not_registered == 0 and phones.summary.missing == 0
    fail_msg: "Not registered: {{ phones.terminals | dict2items | rejectattr('value.registered') | map(attribute='key') | list }}"

- name: Check a whole block of IDs, one bounded query per 100 IDs
  aicc.cms.aicc_terminal_status:
    url: https://10.1.1.10:28443
    access_key: "{{ aicc_access_key }}"
    secret_key: "{{ aicc_secret_key }}"
    eid_ranges:
      - 88880000-88880999
    summary_only: true
  register: floor3

- name: Check every phone of an extension block with a bounded pattern (two ? match at most 100 IDs)
  aicc.cms.aicc_terminal_status:
    url: https://10.1.1.10:28443
    access_key: "{{ aicc_access_key }}"
    secret_key: "{{ aicc_secret_key }}"
    eids: "66661??"

- name: Only the SIP phones of a block, whatever else shares its IDs (JMESPath over each terminal record)
  aicc.cms.aicc_terminal_status:
    eid_ranges:
      - "88880000-88880499"
    select: "uaps[?termination_type == 'sip']"
  register: sip_phones

- name: Give the connection options once, for every module of the aicc action group
  module_defaults:
    group/aicc.cms.aicc:
      url: https://10.1.1.10:28443
      access_key: "{{ aicc_access_key }}"
      secret_key: "{{ aicc_secret_key }}"
      ca_path: /etc/pki/aicc/ca.pem
  block:
    - name: Query with the connection options of the group
      aicc.cms.aicc_terminal_status:
        eid_ranges: [8780001-8780200]

- name: After a change, wait up to 10 minutes until every phone of the block is registered again (connection from AICC_*)
  aicc.cms.aicc_terminal_status:
    eid_ranges: [8780001-8780200]
    wait_for: registered
    wait_timeout: 600
    wait_interval: 15
  environment:
    AICC_URL: https://10.1.1.10:28443
    AICC_ACCESS_KEY: "{{ aicc_access_key }}"
    AICC_SECRET_KEY: "{{ aicc_secret_key }}"
"""

RETURN = r"""
terminals:
  description:
    - One record per equipment ID found, keyed and sorted by equipment ID.
    - With O(summary_only=true) only the terminals that are not registered.
  returned: always
  type: dict
  sample:
    "8780001":
      equipment_id: "8780001"
      registered: true
      uaps:
        - uap: "10.1.1.21#1"
          uap_ip: 10.1.1.21
          uap_id: 1
          register_status: registered
          socket_status: normal
          ip_and_port: "10.2.3.4:5060"
          monitor_flag: unstarted
          protocol_type: SIP
          roam_ip_and_port: ""
          tls_status: uninstall
          ip_type: IPv4
          ccu_module_number: "1"
          termination_type: "0"
          unrecognized: []
  contains:
    equipment_id:
      description: The equipment ID.
      type: str
    registered:
      description: Whether at least one UAP reports the terminal as registered.
      type: bool
    uaps:
      description:
        - One entry per UAP that knows the terminal (several in pool mode), ordered by UAP.
        - Values are the API's strings, kept as they are even when outside the documented values.
      type: list
      elements: dict
      contains:
        uap:
          description: The UAP key of the answer, V(<UAP IP>#<UAP number>).
          type: str
        uap_ip:
          description: IP address of the UAP.
          type: str
        uap_id:
          description: Number of the UAP (an integer when the answer gives digits).
          type: raw
        register_status:
          description: V(registered) or V(not register).
          type: str
        socket_status:
          description: V(fault), V(normal), V(connecting) or V(uninstall).
          type: str
        ip_and_port:
          description: Address of the terminal.
          type: str
        monitor_flag:
          description: V(unstarted) or V(started).
          type: str
        protocol_type:
          description: Signalling protocol, for example V(SIP).
          type: str
        roam_ip_and_port:
          description: Roaming address of the terminal.
          type: str
        tls_status:
          description: V(unconnect), V(connect) or V(uninstall).
          type: str
        ip_type:
          description: IP version of the terminal.
          type: str
        ccu_module_number:
          description: CCU module number.
          type: str
        termination_type:
          description: Termination type.
          type: str
        unrecognized:
          description: Fields of this entry whose value is outside the documented values.
          type: list
          elements: str
missing:
  description: Requested equipment IDs that CC-CMS does not know; never counted as registered.
  returned: always
  type: list
  elements: str
  sample: ["8780003"]
unknown:
  description:
    - Requested equipment IDs (or patterns) whose query failed, so their status is not known.
    - Never counted as registered or not registered. Not empty only when the module fails.
  returned: always
  type: list
  elements: str
  sample: []
errors:
  description: One sentence per failed query. Not empty only when the module fails.
  returned: always
  type: list
  elements: str
  sample: []
summary:
  description: Counts over the whole request, also with O(summary_only=true).
  returned: always
  type: dict
  sample:
    total: 2
    registered: 1
    not_registered: 1
    missing: 1
    unknown: 0
    by_socket_status:
      normal: 1
      fault: 1
    by_uap:
      "10.1.1.21#1":
        total: 2
        registered: 1
        not_registered: 1
  contains:
    total:
      description: Terminals found (registered plus not registered).
      type: int
    registered:
      description: Terminals registered on at least one UAP.
      type: int
    not_registered:
      description: Terminals found but registered on no UAP.
      type: int
    missing:
      description: Requested IDs CC-CMS does not know.
      type: int
    unknown:
      description: Requested IDs or patterns whose query failed.
      type: int
    by_socket_status:
      description: UAP entries per socket status.
      type: dict
    by_uap:
      description: UAP entries per UAP, as V(total), V(registered) and V(not_registered).
      type: dict
requests:
  description: HTTP requests sent, pages and retries included.
  returned: always
  type: int
  sample: 3
queries:
  description: The EID values sent, exact IDs or bounded patterns, sorted.
  returned: always
  type: list
  elements: str
  sample: ["87800??", "8780100"]
waited:
  description: Seconds spent until every terminal was registered, or until O(wait_timeout).
  returned: when O(wait_for) is set
  type: float
  sample: 42.5
still_unregistered:
  description: Requested IDs not registered (or missing, or unknown) when the wait ended; empty on success.
  returned: when O(wait_for) is set
  type: list
  elements: str
  sample: []
select:
  description: The O(select) expression the terminals were chosen with.
  returned: when O(select) is set
  type: str
  sample: "uaps[?termination_type == 'sip']"
deselected:
  description: How many terminals CC-CMS returned that O(select) left out (not in RV(terminals) nor in RV(summary)).
  returned: when O(select) is set
  type: int
  sample: 3
trace:
  description: Every HTTP exchange, in the order sent, with C(eid), C(limit), C(offset), C(status), C(result_code),
    C(rows), C(count) and C(duration) (seconds); retried attempts included.
  returned: when O(trace=true)
  type: list
  elements: dict
  sample:
    - {eid: "87800??", limit: 100, offset: 0, status: 200, result_code: "0100000", rows: 100, count: 100, duration: 0.031}
"""

import traceback

from ansible.module_utils.basic import missing_required_lib
from ansible_collections.aicc.cms.plugins.module_utils._errors import AiccError
from ansible_collections.aicc.cms.plugins.module_utils._options import (
    MODULE_SPEC,
    ScreenedModule,
    check_values,
    client_from_params,
    error_message,
    plan_from_params,
    query_arguments,
)
from ansible_collections.aicc.cms.plugins.module_utils._query.client import HAS_REQUESTS, REQUESTS_IMPORT_ERROR
from ansible_collections.aicc.cms.plugins.module_utils._query.engine import failure_sentence, run_query

RESULT_KEYS = ('terminals', 'missing', 'unknown', 'errors', 'summary', 'requests', 'queries')


def query(params: dict) -> dict:
    """Validate, plan and query (or wait); the core's result as is, with the exchanges under ``trace``
    when asked (raises AiccError on bad input)."""
    check_values(params)
    plan = plan_from_params(params)
    with client_from_params(params) as client:
        result = run_query(client, plan, **query_arguments(params))
        if client.trace is not None:
            result['trace'] = client.trace
        return result


def main() -> None:
    module = ScreenedModule(argument_spec=MODULE_SPEC, supports_check_mode=True)
    if not HAS_REQUESTS:
        module.fail_json(msg=missing_required_lib('requests'), exception=REQUESTS_IMPORT_ERROR)

    params = module.params
    try:
        result = query(params)
    except AiccError as error:
        module.fail_json(msg=error_message(error, params['secret_key']))
    except Exception as error:  # pylint: disable=broad-exception-caught
        module.fail_json(msg=error_message(error, params['secret_key']), exception=traceback.format_exc())

    for warning in result['warnings']:
        module.warn(warning)
    output = dict(changed=False, **{key: result[key] for key in RESULT_KEYS})
    if params['wait_for'] == 'registered':
        output.update(waited=result['waited'], still_unregistered=result['still_unregistered'])
    if 'trace' in result:
        output['trace'] = result['trace']
    if params['select'] is not None:
        output.update(select=result['select'], deselected=result['deselected'])

    message = failure_sentence(result)
    if message:
        module.fail_json(msg=message, **output)
    module.exit_json(**output)


if __name__ == '__main__':
    main()
