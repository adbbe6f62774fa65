# Copyright (c) 2026 aicc.cms contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The inventory's cache: the raw rows of each query recorded on the way, and replayed without a request.

Private to the collection: names and signatures may change in any release.
"""

from __future__ import annotations

import hashlib
import json
import typing as t

from ansible_collections.aicc.cms.plugins.module_utils._errors import ApiError
from ansible_collections.aicc.cms.plugins.module_utils._query.normalizer import Row

# Version of the raw results stored in the cache; bump it when their shape changes.
CACHE_FORMAT = 1


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

    def fetch_each(self, eids: t.Sequence[str], wanted=None) -> t.Iterator[tuple[int, list[Row] | ApiError]]:
        """The recorded rows of each EID (recorded with the same plan, so already the wanted ones)."""
        for index, eid in enumerate(eids):
            yield index, list(self._rows[eid])
