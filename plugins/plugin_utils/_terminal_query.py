# Copyright (c) 2026 aicc.cms contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""What the lookup and the inventory share on top of the core: options in, a complete answer out.

Private to the collection: names and signatures may change in any release.
"""

from __future__ import annotations

import hashlib
import json
import typing as t

from ansible_collections.aicc.cms.plugins.module_utils._errors import ApiError
from ansible_collections.aicc.cms.plugins.module_utils._options import CONNECTION_SPEC, SELECTION_SPEC
from ansible_collections.aicc.cms.plugins.module_utils._query.normalizer import Row

# The options both plugins offer: connection and selection (the lookup adds summary_only and the wait options).
PLUGIN_SPEC: dict[str, dict[str, t.Any]] = dict(CONNECTION_SPEC, **SELECTION_SPEC)

# Every option client_from_params reads: one client per distinct combination.
CLIENT_OPTION_NAMES = tuple(sorted(CONNECTION_SPEC)) + ('page_size', 'trace')

# Version of the raw results stored in the inventory cache; bump it when their shape changes.
CACHE_FORMAT = 1


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


def fingerprint(values: t.Iterable[t.Any]) -> str:
    """A short stable digest of JSON-serialisable values (callers never pass the secret key)."""
    text = json.dumps(list(values), sort_keys=True, default=str, separators=(',', ':'))
    return hashlib.sha256(text.encode('utf-8')).hexdigest()[:16]


class RecordingClient:
    """Passes queries to a real client and keeps the raw rows of each successful EID for the cache."""

    def __init__(self, client) -> None:
        self._client = client
        self.recorded: dict[str, list[Row]] = {}

    def fetch_each(self, eids: t.Sequence[str], wanted=None) -> t.Iterator[tuple[int, list[Row] | ApiError]]:
        """The real client's answers as each query ends (what the core reads), recorded on the way."""
        eids = list(eids)
        for index, result in self._client.fetch_each(eids, wanted):
            if not isinstance(result, ApiError):
                self.recorded[eids[index]] = list(result)
            yield index, result

    def __getattr__(self, name: str) -> t.Any:
        # requests_sent, warnings, reported_counts: the real client's
        return getattr(self._client, name)

    def cache_entry(self) -> dict:
        """Raw results with their format version; the secret is not part of them."""
        return {
            'format': CACHE_FORMAT,
            'results': {
                eid: {'rows': [row._asdict() for row in rows], 'count': self._client.reported_counts.get(eid)}
                for eid, rows in self.recorded.items()
            },
        }


class ReplayClient:
    """Answers queries from cached raw results without sending any request."""

    requests_sent = 0

    def __init__(self, rows: dict[str, list[Row]], reported_counts: dict[str, int]) -> None:
        self._rows = rows
        self.reported_counts = reported_counts
        self.warnings: list[str] = []

    @classmethod
    def from_cache_entry(cls, entry: t.Any, eids: t.Iterable[str]) -> ReplayClient | None:
        """A replay client when ``entry`` is a current-format entry holding every EID, else None (a cache miss)."""
        if (
            not isinstance(entry, dict)
            or entry.get('format') != CACHE_FORMAT
            or not isinstance(entry.get('results'), dict)
        ):
            return None
        rows: dict[str, list[Row]] = {}
        counts: dict[str, int] = {}
        try:
            for eid in eids:
                stored = entry['results'][eid]
                rows[eid] = [Row(**fields) for fields in stored['rows']]
                if isinstance(stored.get('count'), int):
                    counts[eid] = stored['count']
        except (KeyError, TypeError, AttributeError):
            return None
        return cls(rows, counts)

    def fetch_many(self, eids: t.Sequence[str]) -> list[list[Row] | ApiError]:
        return [list(self._rows[eid]) for eid in eids]
