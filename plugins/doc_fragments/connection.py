# Copyright (c) 2026 aicc.cms contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Connection options of CC-CMS, shared by the module, the lookup and the inventory."""

from __future__ import annotations


class ModuleDocFragment:
    """DOCUMENTATION describes the options; MODULE and PLUGINS add what differs per front end.

    Plugins must not declare url and the keys as required to the config system: a missing value has
    to reach the option layer, which rejects it with the same sentence as the module. For the same
    reason the non-string options are C(raw) for plugins: Ansible's config system would convert them
    leniently (V(ture) becomes false, silently turning off certificate checks) before the option layer
    converts them strictly, as the module does. Each such option's type is therefore in MODULE and PLUGINS.
    """

    DOCUMENTATION = r"""
options:
  url:
    description:
      - Address of CC-CMS, or of the NSLB in front of it, as V(https://ip:port).
      - The API path C(/rest/cmsapp/v1/openapi/uap/queryterminalstatus) is added by the collection. A path in O(url) is
        kept as a base path in front of it, for an NSLB or proxy that publishes CC-CMS under a prefix, for example
        V(https://nslb.example.com:443/cms) calls C(https://nslb.example.com:443/cms/rest/cmsapp/v1/openapi/uap/queryterminalstatus).
      - A query or fragment (C(?), C(#)) and user credentials in O(url) are refused.
      - Required. When not set, the environment variable E(AICC_URL) is used. An empty E(AICC_*) variable counts as not set.
    type: str
  access_key:
    description:
      - Global access key (AK) of CC-CMS, used to sign every request (C2 auth-v2).
      - Required. When not set, the environment variable E(AICC_ACCESS_KEY) is used.
    type: str
    aliases: [ak]
  secret_key:
    description:
      - Secret key (SK) that belongs to O(access_key).
      - It is never logged, returned, cached or put in an error message.
      - Required. When not set, the environment variable E(AICC_SECRET_KEY) is used.
    type: str
    aliases: [sk]
  cc_id:
    description:
      - ID of the call center, an integer between V(0) and V(2147483647), sent as C(ccId).
      - When not set, the environment variable E(AICC_CC_ID) is used; when neither is set, CC-CMS uses its Default Call Center ID.
  validate_certs:
    description:
      - Whether to verify the TLS certificate of CC-CMS.
      - Only set it to V(false) on a lab system; prefer O(ca_path) for a private CA. V(false) together with O(ca_path) is refused
        as a contradiction.
      - A value that is not a boolean (such as V(ture)) is refused, never taken as V(false).
      - When not set, the environment variable E(AICC_VALIDATE_CERTS) is used.
    default: true
  ca_path:
    description:
      - Path of a PEM file with the CA certificate(s) that sign the certificate of CC-CMS.
      - When not set, the environment variable E(AICC_CA_PATH) is used; when neither is set, the system trust store is used.
  timeout:
    description:
      - Seconds (a number) one attempt may take, greater than 0 and at most 3600, before it is retried. It bounds the
        whole exchange (connection, TLS, headers and body together) on the wall clock, whatever the pace of the server;
        an answer dripped one byte at a time ends by it.
      - When not set, the environment variable E(AICC_TIMEOUT) is used.
    default: 30
  total_timeout:
    description:
      - Seconds (a number) the whole task may take, greater than 0 and at most 86400, every request, retry, backoff,
        wait for a slot of the in-flight budget and the polls of C(wait_for) (module and lookup) included. When it runs out,
        the queries not answered yet fail (their terminals are unknown) with a sentence naming O(total_timeout).
      - An attempt never runs past it; its deadline is the smaller of O(timeout) and what is left of O(total_timeout).
      - When not set, the environment variable E(AICC_TOTAL_TIMEOUT) is used.
    default: 3600
  retries:
    description:
      - How many times a request is repeated after a time-out, a lost connection, an HTTP 5xx or 429 answer (after its
        C(Retry-After)), or an answer that is not JSON; never after HTTP 401 or a failure C(resultCode).
      - An integer between V(0) (each request is sent once) and V(10).
      - When not set, the environment variable E(AICC_RETRIES) is used.
    default: 3
  max_concurrency:
    description:
      - Most requests in flight at the same time against one CC-CMS from this host, an integer between V(1) and V(10).
      - The API degrades and times out with more than 10 concurrent requests. The budget is shared by every process of
        the collection on the host (the module in each fork, lookups, inventories, several playbooks at once) through
        lock files in a private folder of the user, keyed by the address of CC-CMS; so the server sees at most the
        largest O(max_concurrency) in use from this host, however many forks run. Several hosts (AWX execution nodes) do
        not share it.
      - When not set, the environment variable E(AICC_MAX_CONCURRENCY) is used.
    default: 5
"""

    MODULE = r"""
options:
  url:
    required: true
  access_key:
    required: true
  secret_key:
    required: true
  cc_id:
    type: int
  validate_certs:
    type: bool
  ca_path:
    type: path
  timeout:
    type: float
  total_timeout:
    type: float
  retries:
    type: int
  max_concurrency:
    type: int
"""

    PLUGINS = r"""
options:
  url:
    env:
      - name: AICC_URL
    ini:
      - section: aicc
        key: url
    vars:
      - name: ansible_aicc_url
  access_key:
    env:
      - name: AICC_ACCESS_KEY
    ini:
      - section: aicc
        key: access_key
    vars:
      - name: ansible_aicc_access_key
  secret_key:
    env:
      - name: AICC_SECRET_KEY
    ini:
      - section: aicc
        key: secret_key
    vars:
      - name: ansible_aicc_secret_key
  cc_id:
    type: raw
    env:
      - name: AICC_CC_ID
    ini:
      - section: aicc
        key: cc_id
    vars:
      - name: ansible_aicc_cc_id
  validate_certs:
    type: raw
    env:
      - name: AICC_VALIDATE_CERTS
    ini:
      - section: aicc
        key: validate_certs
    vars:
      - name: ansible_aicc_validate_certs
  ca_path:
    type: raw
    env:
      - name: AICC_CA_PATH
    ini:
      - section: aicc
        key: ca_path
    vars:
      - name: ansible_aicc_ca_path
  timeout:
    type: raw
    env:
      - name: AICC_TIMEOUT
    ini:
      - section: aicc
        key: timeout
    vars:
      - name: ansible_aicc_timeout
  retries:
    type: raw
    env:
      - name: AICC_RETRIES
    ini:
      - section: aicc
        key: retries
    vars:
      - name: ansible_aicc_retries
  max_concurrency:
    type: raw
    env:
      - name: AICC_MAX_CONCURRENCY
    ini:
      - section: aicc
        key: max_concurrency
    vars:
      - name: ansible_aicc_max_concurrency
  total_timeout:
    type: raw
    env:
      - name: AICC_TOTAL_TIMEOUT
    ini:
      - section: aicc
        key: total_timeout
    vars:
      - name: ansible_aicc_total_timeout
"""
