# Copyright (c) 2026 aicc.cms contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
name: aicc_terminals
author:
  - aicc.cms contributors (!UNKNOWN)
requirements:
  - requests (on the controller)
version_added: 0.1.0
short_description: Huawei AICC terminals from CC-CMS as inventory hosts, grouped by registration and UAP
description:
  - Queries the CC-CMS C(queryterminalstatus) API and adds one host per terminal found, named by its equipment ID
    (or by O(hostname)), with the host variable C(aicc_terminal) holding its record.
  - "Groups: C(aicc_registered), C(aicc_not_registered), C(aicc_missing) (requested exact IDs that CC-CMS does not know;
    they are also in C(aicc_not_registered)) and one group per UAP, C(aicc_uap_<ip>_<no>) with every character other
    than letters, digits and C(_) replaced by C(_), for example C(aicc_uap_10_10_0_1_1)."
  - "Terminals are not connection targets. No host variable tells Ansible how to reach a phone; run plays on them with
    C(connection: local) and C(gather_facts: false)."
  - A query that fails after its retries fails the whole source with the reason; the inventory never silently lacks
    terminals. Ansible only warns about a failed source by default; set C(any_unparsed_is_failed=true) in the
    C([inventory]) section of C(ansible.cfg) (or E(ANSIBLE_INVENTORY_ANY_UNPARSED_IS_FAILED=true)) so that the run stops.
    C(unparsed_is_failed) is not enough, it stops only when every source fails. Plays that rely on the groups should
    also start with a guard task, an C(ansible.builtin.assert) that C('aicc_registered' in groups).
  - A key that is not an option of this plugin (a typo such as C(eid_range)) fails the source with the valid keys.
  - With O(cache=true) the raw API answers are cached under a key made of the configuration file path and the query
    (never the secret key); a cache hit sends no request, so it shows the state of the earlier query. Do not cache an
    inventory that checks a change window, or run it with C(--flush-cache).
  - Every string that comes from the API is marked unsafe, so it is never rendered as a template.
  - O(url), O(access_key) and O(secret_key) may be templates when they are set in the configuration file, for example a
    lookup that reads a vault; extra variables (C(-e)) are available to them.
  - The configuration file name must end with C(aicc_terminals.yml) or C(aicc_terminals.yaml).
  - The controller needs the Python library C(requests).
options:
  plugin:
    description: Token that marks the file as a configuration of this plugin.
    type: str
    required: true
    choices: [aicc.cms.aicc_terminals]
  hostname:
    description:
      - Template for the name of each host; the variable C(aicc_terminal) holds the terminal's record.
      - When not set, the host is named by the equipment ID.
      - Two terminals that get the same name fail the source.
    type: str
extends_documentation_fragment:
  - aicc.cms.connection
  - aicc.cms.connection.plugins
  - aicc.cms.query
  - aicc.cms.query.plugins
  - ansible.builtin.constructed
  - ansible.builtin.inventory_cache
seealso:
  - module: aicc.cms.aicc_terminal_status
  - plugin: aicc.cms.aicc_terminal_status
    plugin_type: lookup
notes:
  - The secret key is never put into host variables, the cache or an error message.
"""

EXAMPLES = r"""
# lab.aicc_terminals.yml -- connection in the file, keys from a vault, groups by socket status, cached for 5 minutes
# (a report; an inventory that checks a change window is not cached).
# The smallest source takes its connection from the AICC_* environment variables (an AWX credential):
#   plugin: aicc.cms.aicc_terminals
#   eid_ranges: [88880000-88880999]
plugin: aicc.cms.aicc_terminals
url: https://cms.example.com:28080
access_key: "{{ lookup('ansible.builtin.env', 'AICC_LAB_AK') }}"
secret_key: "{{ lookup('community.hashi_vault.hashi_vault', 'secret=aicc/lab:sk') }}"
ca_path: /etc/pki/aicc/ca.pem
cc_id: 1
eid_ranges: [88880000-88880999]
eids:
  - '8780001'
hostname: "phone-{{ aicc_terminal.equipment_id }}"
keyed_groups:
  - key: aicc_terminal.uaps | map(attribute='socket_status') | list
    prefix: socket
compose:
  phone_ip: (aicc_terminal.uaps | map(attribute='ip_and_port') | first | default('')).split(':') | first
cache: true
cache_plugin: ansible.builtin.jsonfile
cache_connection: /var/tmp/aicc_inventory_cache
cache_timeout: 300

# A play over the terminals that are not registered: nothing connects to the phones.
# - hosts: aicc_not_registered
#   connection: local
#   gather_facts: false
#   tasks:
#     - ansible.builtin.debug:
#         msg: >-
#           {{ inventory_hostname }} is not registered
#           ({{ aicc_terminal.uaps | map(attribute='socket_status') | join(', ') }})
"""

import re

from ansible.errors import AnsibleParserError
from ansible.plugins.inventory import BaseInventoryPlugin, Cacheable, Constructable
from ansible.utils.unsafe_proxy import wrap_var
from ansible_collections.aicc.cms.plugins.module_utils._errors import first_ids
from ansible_collections.aicc.cms.plugins.module_utils._options import (
    alias_conflict,
    client_from_params,
    error_message,
    plan_from_params,
    validate_params,
)
from ansible_collections.aicc.cms.plugins.module_utils._query.engine import incomplete_answer, query_status
from ansible_collections.aicc.cms.plugins.plugin_utils._inventory_cache import (
    RecordingClient,
    ReplayClient,
    fingerprint,
)
from ansible_collections.aicc.cms.plugins.plugin_utils._terminal_query import (
    PLUGIN_SPEC,
    option_values,
    records_by_id,
    unknown_options_message,
)

CONFIG_SUFFIXES = ('aicc_terminals.yml', 'aicc_terminals.yaml')
TEMPLATED_OPTIONS = ('url', 'access_key', 'secret_key')
REGISTERED_GROUP = 'aicc_registered'
NOT_REGISTERED_GROUP = 'aicc_not_registered'
MISSING_GROUP = 'aicc_missing'
_UNSAFE_GROUP_CHARACTERS = re.compile(r'[^A-Za-z0-9_]')


def uap_group_name(uap: dict) -> str | None:
    """``aicc_uap_<ip>_<no>`` with every character other than letters, digits and ``_`` replaced by ``_``."""
    if uap.get('uap_ip') is None:
        return None
    parts = ['aicc_uap', str(uap['uap_ip'])] + ([] if uap.get('uap_id') is None else [str(uap['uap_id'])])
    return _UNSAFE_GROUP_CHARACTERS.sub('_', '_'.join(parts))


class InventoryModule(BaseInventoryPlugin, Constructable, Cacheable):
    NAME = 'aicc.cms.aicc_terminals'

    def verify_file(self, path):
        return super().verify_file(path) and path.endswith(CONFIG_SUFFIXES)

    def parse(self, inventory, loader, path, cache=True):
        super().parse(inventory, loader, path, cache)
        config = self._read_config_data(path)
        unknown = unknown_options_message(config, self.option_definitions, self.NAME) or alias_conflict(
            config, PLUGIN_SPEC
        )
        if unknown:
            raise AnsibleParserError(unknown)
        raw = option_values(self.get_option)
        try:
            for name in TEMPLATED_OPTIONS:
                raw[name] = self._rendered(name, raw[name])
            params = validate_params(raw, PLUGIN_SPEC)
            plan = plan_from_params(params)
            result = self._query(path, params, plan, cache)
        except AnsibleParserError:
            raise
        except Exception as error:  # pylint: disable=broad-exception-caught
            # core errors are one sentence already; anything else is masked the same way, without a traceback
            raise AnsibleParserError(error_message(error, raw.get('secret_key'))) from None

        for warning in result['warnings']:
            self.display.warning(warning)
        if result['missing']:
            self.display.warning(
                f'{len(result["missing"])} requested terminals are unknown to CC-CMS (group {MISSING_GROUP}):'
                f' {first_ids(result["missing"])}'
            )
        self._populate(records_by_id(result))

    def _rendered(self, name, value):
        """Render a templatable option; values from the environment stay as they are (they are not trusted templates)."""
        if not isinstance(value, str) or not self.templar.is_template(value):
            return value
        self.templar.available_variables = self._vars or {}
        try:
            return self.templar.template(value)
        except Exception as error:  # pylint: disable=broad-exception-caught
            detail = 'check the template' if name == 'secret_key' else str(error)
            raise AnsibleParserError(f'the {name} option of {self.NAME} could not be rendered: {detail}') from None

    def _query(self, path, params, plan, cache):
        """The core's answer, from the cache when allowed and present, else from CC-CMS (then cached)."""
        eids = sorted({query.eid for query in plan.queries})
        # The query and the server it goes to; the secret key never takes part in the key.
        cache_key = f'{self.get_cache_key(path)}_{fingerprint([params["url"], params["access_key"], params.get("cc_id"), eids])}'
        use_cache = self.get_option('cache')
        replay = ReplayClient.from_cache_entry(self._cache.get(cache_key), eids) if use_cache and cache else None
        if replay is not None:
            return query_status(replay, plan)

        with client_from_params(params) as client:
            recorder = RecordingClient(client)
            result = query_status(recorder, plan)
        problem = incomplete_answer(result)
        if problem:
            raise AnsibleParserError(problem)
        if use_cache:
            self._cache[cache_key] = recorder.cache_entry()
        return result

    def _populate(self, records):
        strict = self.get_option('strict')
        for group in (REGISTERED_GROUP, NOT_REGISTERED_GROUP):
            self.inventory.add_group(group)
        names = {}
        for equipment_id, record in records.items():
            record = wrap_var(record)
            host_vars = {'aicc_terminal': record}
            name = self._host_name(equipment_id, host_vars)
            if name in names:
                raise AnsibleParserError(
                    f'hostname gives the same name {name!r} to terminals {names[name]} and {equipment_id}: make it'
                    ' unique, for example with the equipment ID'
                )
            names[name] = equipment_id
            self.inventory.add_host(name)
            self.inventory.set_variable(name, 'aicc_terminal', record)
            self._add_to_group(REGISTERED_GROUP if record['registered'] else NOT_REGISTERED_GROUP, name)
            if record['missing']:
                self._add_to_group(MISSING_GROUP, name)
            for uap in record['uaps']:
                group = uap_group_name(uap)
                if group:
                    self._add_to_group(group, name)
            self._set_composite_vars(self.get_option('compose'), host_vars, name, strict=strict)
            self._add_host_to_composed_groups(self.get_option('groups'), host_vars, name, strict=strict)
            self._add_host_to_keyed_groups(self.get_option('keyed_groups'), host_vars, name, strict=strict)

    def _add_to_group(self, group, host):
        self.inventory.add_group(group)
        self.inventory.add_child(group, host)

    def _host_name(self, equipment_id, host_vars):
        template = self.get_option('hostname')
        if not template:
            return equipment_id
        self.templar.available_variables = host_vars
        try:
            name = self.templar.template(template)
        except Exception as error:  # pylint: disable=broad-exception-caught
            raise AnsibleParserError(
                f'hostname {template!r} could not be rendered for terminal {equipment_id}: {error}'
            ) from None
        if not isinstance(name, str) or not name.strip():
            raise AnsibleParserError(
                f'hostname {template!r} gives no name for terminal {equipment_id}: it must render to a non-empty string'
            )
        return name.strip()
