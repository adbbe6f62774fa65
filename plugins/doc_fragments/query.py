# Copyright (c) 2026 aicc.cms contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Query options: which terminals to ask for (all front ends), and what the module returns and waits for."""

from __future__ import annotations


class ModuleDocFragment:
    """DOCUMENTATION: the options that select terminals (every front end); RESULT: what the module returns;
    WAIT: waiting until terminals are registered (module and lookup).

    MODULE / PLUGINS and WAIT_MODULE / WAIT_PLUGINS give the types of the non-string options: the plugins take them
    as C(raw), so that Ansible's config system never converts them (it crashes on V(.inf), spins on V(1e1000000) and
    reads V(perhaps) as false) before the option layer checks them with the module's rules.
    """

    DOCUMENTATION = r"""
options:
  eids:
    description:
      - Equipment IDs to query, exact (V(8780001)) or patterns.
      - In patterns V(?) matches one character; V(*) and V(%) match any number of characters.
      - Exact digit IDs are grouped into bounded V(?) patterns, at most O(max_matches_per_query) IDs per
        request, and the answers are filtered back to the IDs asked for.
      - A pattern that can match more than O(max_matches_per_query) IDs (any V(*) or V(%), or too many V(?))
        is refused unless O(allow_unbounded_wildcards=true).
      - Allowed characters are V(0-9 A-Z a-z * % ? _ - .).
      - Quote every ID in YAML. An unquoted one is read as a number (V(010) becomes V(8), V(0123) becomes V(83)); an ID that
        arrives as a number is refused, never queried in its altered form.
      - At least one of O(eids) and O(eid_ranges) must hold an entry.
    type: list
    elements: str
    aliases: [eid]
  eid_ranges:
    description:
      - Ranges of digit equipment IDs as V(START-END), both bounds included and written with the same
        number of digits, for example V(88880000-88880999).
      - A range may hold at most O(max_range_size) IDs.
    type: list
    elements: str
  page_size:
    description:
      - Records asked for per request (C(limit)); larger answers are paged with C(offset).
      - The API leaves open whether C(count), C(limit) and C(offset) count IDs or rows, so C(count) never ends paging on
        its own; a full page is always followed by one more request.
      - Between V(1) and V(1000).
    default: 100
  max_matches_per_query:
    description:
      - Most IDs a single generated query may match, between V(1) and V(199).
      - The API requires every wildcard query to match fewer than 200 terminals, to protect the UAP.
    default: 100
  allow_unbounded_wildcards:
    description:
      - Send patterns with V(*), V(%) or too many V(?) as they are.
      - Only do this when you know the pattern matches fewer than 200 terminals; larger matches affect UAP services.
    default: false
  max_range_size:
    description:
      - Most IDs a single entry of O(eid_ranges) may hold; a guard against a typo that would query millions of IDs.
      - Between V(1) and V(10000000); all entries of O(eid_ranges) together may hold at most 10000000 IDs, since every
        ID is held in memory while the task runs.
    default: 1000000
"""

    MODULE = r"""
options:
  page_size:
    type: int
  max_matches_per_query:
    type: int
  allow_unbounded_wildcards:
    type: bool
  max_range_size:
    type: int
"""

    PLUGINS = r"""
options:
  page_size:
    type: raw
  max_matches_per_query:
    type: raw
  allow_unbounded_wildcards:
    type: raw
  max_range_size:
    type: raw
"""

    RESULT = r"""
options:
  summary_only:
    description:
      - When V(true), RV(terminals) holds only the terminals that are not registered; RV(summary) still
        counts all of them.
    type: bool
    default: false
"""

    SELECT = r"""
options:
  select:
    description:
      - A JMESPath expression over each terminal record (C(equipment_id), C(registered), C(uaps) with C(uap),
        C(register_status), C(socket_status), C(termination_type), C(protocol_type)...); only the terminals for
        which it is true (not V(false), V(null) or empty) are returned and counted, for example
        V(uaps[?termination_type == 'sip']) or V(!registered).
      - Requested IDs that CC-CMS does not know, and IDs whose query failed, have no record to judge and are
        always returned (missing, unknown). With O(wait_for=registered), terminals left out are not waited for.
      - The module returns the expression as C(select) and how many terminals it left out as C(deselected).
      - Needs the Python library C(jmespath) where the task runs; a bad expression fails the task, before any
        request, with one sentence naming it.
    type: str
"""

    TRACE = r"""
options:
  trace:
    description:
      - When V(true), every HTTP exchange is returned, for troubleshooting a real CC-CMS (EID, limit,
        offset, HTTP status, resultCode, rows, count and duration in seconds), in the order sent. Never
        a header value or a key.
      - The lookup then returns the exchanges instead of the records, whether the query succeeded or not.
    default: false
"""

    TRACE_MODULE = r"""
options:
  trace:
    type: bool
"""

    TRACE_PLUGINS = r"""
options:
  trace:
    type: raw
"""

    WAIT = r"""
options:
  wait_for:
    description:
      - V(registered) polls until every requested terminal is registered, or fails after O(wait_timeout).
      - Each poll queries only the terminals not yet registered.
      - Requested IDs that CC-CMS does not know never count as registered.
    type: str
    choices: [registered]
  wait_timeout:
    description:
      - Seconds to wait with O(wait_for) before failing, a whole number between V(1) and V(86400).
      - It must be less than O(total_timeout), which bounds the whole task, the wait included.
    default: 300
  wait_interval:
    description:
      - Seconds between two polls with O(wait_for), a whole number between V(1) and V(3600).
    default: 10
"""

    WAIT_MODULE = r"""
options:
  wait_timeout:
    type: int
  wait_interval:
    type: int
"""

    WAIT_PLUGINS = r"""
options:
  wait_timeout:
    type: raw
  wait_interval:
    type: raw
"""
