# Copyright (c) 2026 aicc.cms contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
name: aicc_terminal_status
author:
  - aicc.cms contributors (!UNKNOWN)
requirements:
  - requests (on the controller)
version_added: 0.1.0
short_description: Registration status of Huawei AICC terminals, from CC-CMS
description:
  - Queries the CC-CMS C(queryterminalstatus) API for the terminals named by the terms and returns one record per
    terminal, ordered by equipment ID.
  - Takes the same connection, selection, O(select), O(summary_only) and O(wait_for) options as the
    M(aicc.cms.aicc_terminal_status) module, with the same validation; any other keyword (a typo such as
    C(eid_range)) is refused. Each option is taken
    from, in this order, the lookup's keyword argument, a variable (C(ansible_aicc_*)), an environment variable
    (C(AICC_*)), the C([aicc]) section of C(ansible.cfg), the default. An empty connection option counts as not set.
  - A requested exact ID that CC-CMS does not know is returned as a record with C(registered=false),
    C(missing=true) and no UAP rows, so it is never taken for a registered terminal.
  - When a query fails (after its retries) the lookup fails with the reason; it never returns a partial list.
  - One HTTP session is kept per process and per connection settings, so repeated lookups in a task
    (a loop, several lookups in one template) reuse its keep-alive connections.
  - The lookup runs on the controller, which needs the Python library C(requests).
options:
  _terms:
    description:
      - Equipment IDs, exact (V(8780001)) or patterns, as in O(eids).
      - They are queried together with O(eids) and O(eid_ranges).
      - A list given as one term, such as a list variable in C(query('aicc.cms.aicc_terminal_status', phones)),
        stands for its IDs.
    type: list
    elements: str
  summary_only:
    description:
      - When V(true), only the terminals that are not registered (and requested IDs CC-CMS does not know) are returned.
      - A boolean; any other value (such as V(perhaps)) is refused.
    type: raw
    default: false
extends_documentation_fragment:
  - aicc.cms.connection
  - aicc.cms.connection.plugins
  - aicc.cms.query
  - aicc.cms.query.plugins
  - aicc.cms.query.wait
  - aicc.cms.query.wait_plugins
  - aicc.cms.query.trace
  - aicc.cms.query.trace_plugins
  - aicc.cms.query.select
seealso:
  - module: aicc.cms.aicc_terminal_status
  - plugin: aicc.cms.aicc_terminals
    plugin_type: inventory
notes:
  - The secret key is never returned, logged, cached or put in an error message.
"""

EXAMPLES = r"""
- name: Fail early when one phone is not registered (connection from AICC_* environment variables)
  ansible.builtin.assert:
    that: lookup('aicc.cms.aicc_terminal_status', '8780001', wantlist=True) | map(attribute='registered') | min
    fail_msg: phone 8780001 is not registered on any UAP

- name: Count the unregistered phones of a range, with the connection given as variables
  vars:
    ansible_aicc_url: https://cms.example.com:28080
    ansible_aicc_access_key: "{{ vault_aicc_access_key }}"
    ansible_aicc_secret_key: "{{ vault_aicc_secret_key }}"
    ansible_aicc_ca_path: /etc/pki/aicc/ca.pem
    phones: "{{ lookup('aicc.cms.aicc_terminal_status', eid_ranges=['88880000-88880999'], wantlist=True) }}"
  ansible.builtin.debug:
    msg: "{{ phones | rejectattr('registered') | map(attribute='equipment_id') | list }}"

- name: Loop over the phones of a bounded pattern (options as keyword arguments)
  ansible.builtin.debug:
    msg: "{{ item.equipment_id }} socket {{ item.uaps | map(attribute='socket_status') | join(',') }}"
  loop: "{{ query('aicc.cms.aicc_terminal_status', '888800??', url='https://cms.example.com:28080', cc_id=1) }}"
"""

RETURN = r"""
_raw:
  description:
    - One record per terminal, ordered by equipment ID.
    - With O(trace=true), the HTTP exchanges instead (see O(trace)).
  type: list
  elements: dict
  contains:
    equipment_id:
      description: Equipment ID of the terminal.
      type: str
      sample: '8780001'
    registered:
      description: Whether at least one UAP reports the terminal as registered.
      type: bool
      sample: true
    missing:
      description: >-
        Whether the ID was requested but CC-CMS does not know it (then O(_terms) named it exactly and
        RV(_raw[].uaps) is empty).
      type: bool
      sample: false
    uaps:
      description:
        - One entry per UAP that reports the terminal, ordered by UAP, with the fields C(uap), C(uap_ip), C(uap_id),
          C(register_status), C(socket_status), C(ip_and_port), C(monitor_flag), C(protocol_type), C(roam_ip_and_port),
          C(tls_status), C(ip_type), C(ccu_module_number), C(termination_type) and C(unrecognized) (the fields whose
          value is outside the documented ones).
      type: list
      elements: dict
      sample:
        - uap: '10.10.0.1#1'
          uap_ip: 10.10.0.1
          uap_id: 1
          register_status: registered
          socket_status: normal
          ip_and_port: '10.20.0.11:5060'
          monitor_flag: started
          protocol_type: sip
          roam_ip_and_port: '0.0.0.0:0'
          tls_status: unconnect
          ip_type: IPv4
          ccu_module_number: '56'
          termination_type: sip
          unrecognized: []
"""

from ansible.errors import AnsibleLookupError
from ansible.plugins.lookup import LookupBase
from ansible.utils.display import Display
from ansible_collections.aicc.cms.plugins.module_utils._options import (
    RESULT_SPEC,
    alias_conflict,
    error_message,
    plan_from_params,
    query_arguments,
    validate_params,
)
from ansible_collections.aicc.cms.plugins.module_utils._query.engine import failure_sentence, run_query
from ansible_collections.aicc.cms.plugins.plugin_utils._client_pool import shared_client
from ansible_collections.aicc.cms.plugins.plugin_utils._terminal_query import (
    PLUGIN_SPEC,
    option_values,
    records_by_id,
    unknown_options_message,
)

display = Display()

# The plugins' options, and what the answer holds and whether to wait, as in the module.
LOOKUP_SPEC = dict(PLUGIN_SPEC, **RESULT_SPEC)

VAR_PREFIX = 'ansible_aicc_'


class LookupModule(LookupBase):
    def _rendered_connection_vars(self, variables):
        """Task variables with the ansible_aicc_* ones rendered: they often hold templates (vault variables)."""
        if not variables:
            return variables
        rendered = dict(variables)
        for name in rendered:
            if name.startswith(VAR_PREFIX):
                rendered[name] = self._templar.template(rendered[name])
        return rendered

    def run(self, terms, variables=None, **kwargs):
        unknown = unknown_options_message(kwargs, self.option_definitions, self.ansible_name) or alias_conflict(
            kwargs, LOOKUP_SPEC
        )
        if unknown:
            raise AnsibleLookupError(unknown)
        self.set_options(var_options=self._rendered_connection_vars(variables), direct=kwargs)
        raw = option_values(self.get_option, LOOKUP_SPEC)
        # a list variable passed as one term (query(..., phones)) is its IDs, not one ID
        raw['eids'] = self._flatten(terms or []) + list(raw.get('eids') or [])
        try:
            params = validate_params(raw, LOOKUP_SPEC)
            plan = plan_from_params(params)
            client = shared_client(params)
            traced = len(client.trace) if client.trace is not None else 0
            result = run_query(client, plan, **query_arguments(params))
        except Exception as error:  # pylint: disable=broad-exception-caught
            # core errors are one sentence already; anything else is masked the same way, without a traceback
            raise AnsibleLookupError(error_message(error, raw.get('secret_key'))) from None

        for warning in result['warnings']:
            display.warning(warning)
        if client.trace is not None:
            return client.trace[
                traced:
            ]  # for troubleshooting: the exchanges instead of the records, whatever the outcome
        problem = failure_sentence(result)
        if problem:
            raise AnsibleLookupError(problem)
        return list(records_by_id(result).values())
