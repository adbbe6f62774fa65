# Copyright (c) 2026 aicc.cms contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""What the lookup and the inventory share on top of the core: their options in, records out.

Private to the collection: names and signatures may change in any release.
"""

from __future__ import annotations

import typing as t

from ansible_collections.aicc.cms.plugins.module_utils._options import CONNECTION_SPEC, SELECTION_SPEC

# The options both plugins offer: connection and selection (the lookup adds summary_only and the wait options).
PLUGIN_SPEC: dict[str, dict[str, t.Any]] = dict(CONNECTION_SPEC, **SELECTION_SPEC)


def option_values(get_option: t.Callable[[str], t.Any], spec: t.Mapping[str, t.Any] | None = None) -> dict[str, t.Any]:
    """Read every option of ``spec`` (default: PLUGIN_SPEC) from a plugin's config; unset options come back as None.

    An empty connection option counts as not set: AWX injects an empty AICC_* variable for an empty optional
    credential field, which would otherwise be a bad cc_id or a CA path naming the current folder.
    """
    values = {name: get_option(name) for name in (PLUGIN_SPEC if spec is None else spec)}
    return {
        name: None if name in CONNECTION_SPEC and isinstance(value, str) and value == '' else value
        for name, value in values.items()
    }


def unknown_options_message(
    given: t.Iterable[str], definitions: t.Mapping[str, t.Mapping[str, t.Any]], plugin_name: str
) -> str | None:
    """The sentence for names in ``given`` that are neither a documented option of the plugin nor an alias of one, else None.

    ``definitions`` are the plugin's option definitions as Ansible loaded them from its documentation, so the valid
    names never drift from the docs. Ansible itself ignores unknown names: a typo such as ``eid_range`` would narrow
    the query without a word.
    """
    documented = {
        name: tuple(definition.get('aliases') or ())
        for name, definition in definitions.items()
        if not name.startswith('_')
    }  # _terms: the lookup's positional arguments, not a keyword
    accepted = set(documented).union(*documented.values())
    unknown = sorted(str(name) for name in given if name not in accepted)
    if not unknown:
        return None
    valid = ', '.join(
        name + (f' (alias {", ".join(aliases)})' if aliases else '') for name, aliases in sorted(documented.items())
    )
    return (
        f'unknown option{("s" if len(unknown) > 1 else "")} {", ".join(unknown)} for {plugin_name}: check the spelling;'
        f' valid options are {valid}'
    )


def missing_record(equipment_id: str) -> dict:
    """The record of a requested ID that CC-CMS does not know: never registered, no UAP row."""
    return {'equipment_id': equipment_id, 'registered': False, 'missing': True, 'uaps': []}


def records_by_id(result: dict) -> dict[str, dict]:
    """Found terminals (``missing: false``) and requested-but-unknown IDs (``missing: true``), sorted by ID."""
    records = {eid: dict(record, missing=False) for eid, record in result['terminals'].items()}
    for eid in result['missing']:
        records[eid] = missing_record(eid)
    return dict(sorted(records.items()))
