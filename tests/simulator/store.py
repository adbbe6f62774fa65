# Copyright (c) 2026 aicc.cms contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Terminal data: generation, loading, wildcard matching and pages shaped like the vendor's answer."""

from __future__ import annotations

import bisect
import functools
import json
import random
import re
import threading
from pathlib import Path

REGISTERED = "registered"
NOT_REGISTERED = "not register"
REGISTER_STATUSES = (REGISTERED, NOT_REGISTERED)
SOCKET_STATUSES = ("fault", "normal", "connecting", "uninstall")
WILDCARDS = "*%?"
COUNT_SEMANTICS = ("ids", "rows")
PAGING_UNITS = ("ids", "rows")
ROW_ORDERS = ("id", "uap")

# Vendor field name -> Row attribute, in the order of Table 5.
FIELDS = (
    ("ccuModuleNumber", "ccu_module_number"),
    ("terminationType", "termination_type"),
    ("equipmentId", "equipment_id"),
    ("registerStatus", "register_status"),
    ("socketStatus", "socket_status"),
    ("ipAndPort", "ip_and_port"),
    ("monitorFlag", "monitor_flag"),
    ("protocolType", "protocol_type"),
    ("roamIpAndPort", "roam_ip_and_port"),
    ("tlsStatus", "tls_status"),
    ("ipType", "ip_type"),
)
_FIELD_BY_VENDOR_NAME = dict(FIELDS)


class DataError(ValueError):
    """The terminal data or a status change is invalid; the message names the cause and the fix."""


def uap_key(index: int) -> str:
    """UAP key of pool member ``index`` (1-based), ``10.10.0.<i>#<i>``."""
    return "10.10.0.%d#%d" % (index, index)


class Row:
    """One terminal as one UAP sees it. Every field is a string, as in the vendor's answer."""

    __slots__ = ("uap", "_json") + tuple(attribute for _name, attribute in FIELDS)

    def __init__(self, uap: str, equipment_id: str, register_status: str, **fields: str) -> None:
        self.uap = uap
        self.equipment_id = equipment_id
        self.ccu_module_number = fields.get("ccu_module_number", "56")
        self.termination_type = fields.get("termination_type", "sip")
        self.ip_type = fields.get("ip_type", "IPv4")
        self.roam_ip_and_port = fields.get("roam_ip_and_port", "0.0.0.0:0")
        self._json = None
        self.register_status = register_status
        self.socket_status = ""
        self.ip_and_port = ""
        self.monitor_flag = ""
        self.protocol_type = ""
        self.tls_status = ""
        self.set_status(register_status, fields.get("socket_status"))
        for name in ("ip_and_port", "monitor_flag", "protocol_type", "tls_status"):
            if fields.get(name) is not None:
                setattr(self, name, str(fields[name]))

    def set_status(self, register_status: str, socket_status: str | None = None) -> None:
        """Change the status; the other fields follow as a real UAP would show them."""
        registered = register_status == REGISTERED
        self.register_status = register_status
        self.socket_status = socket_status or ("normal" if registered else "uninstall")
        self.ip_and_port = _phone_address(self.equipment_id) if registered else "0.0.0.0:0"
        self.monitor_flag = "started" if registered else "unstarted"
        self.protocol_type = "UDP" if registered else "invalid protocol"
        self.tls_status = "unconnect" if registered else "uninstall"
        self._json = None

    def as_dict(self) -> dict:
        return {name: getattr(self, attribute) for name, attribute in FIELDS}

    def json(self) -> str:
        """The row serialised once and cached until the status changes (keeps pages cheap)."""
        if self._json is None:
            self._json = json.dumps(self.as_dict())
        return self._json


def _phone_address(equipment_id: str) -> str:
    number = sum(ord(char) * (index + 1) for index, char in enumerate(equipment_id))
    return "10.30.%d.%d:5060" % ((number // 250) % 250, number % 250 + 1)


def has_wildcard(pattern: str) -> bool:
    return any(char in WILDCARDS for char in pattern)


@functools.lru_cache(maxsize=4096)
def compile_pattern(pattern: str) -> re.Pattern:
    """``*``/``%`` zero or more characters, ``?`` exactly one, everything else literal."""
    regex = "".join(".*" if char in "*%" else "." if char == "?" else re.escape(char) for char in pattern)
    return re.compile(regex, re.DOTALL)


def literal_prefix(pattern: str) -> str:
    for index, char in enumerate(pattern):
        if char in WILDCARDS:
            return pattern[:index]
    return pattern


def parse_range(text: str) -> tuple[int, int, int]:
    """``A-B`` -> (first, last, width); the width keeps leading zeros of ``A``."""
    first, sep, last = str(text).partition("-")
    if not sep or not first.strip().isdigit() or not last.strip().isdigit() or int(first) > int(last):
        raise DataError("Range %r is not A-B with digits and A <= B; write it like 8880000-8880499." % text)
    return int(first), int(last), len(first.strip())


def expand_ranges(ranges) -> list[str]:
    eids = []
    for text in ranges:
        first, last, width = parse_range(text)
        eids.extend(str(number).zfill(width) for number in range(first, last + 1))
    return eids


class TerminalStore:
    """All terminals, indexed for fast exact and wildcard lookups."""

    def __init__(self, uaps: list[str], rows_by_eid: dict[str, list[Row]]) -> None:
        self.uaps = list(uaps)
        self._uap_order = {uap: index for index, uap in enumerate(self.uaps)}
        self.rows_by_eid = rows_by_eid
        for rows in rows_by_eid.values():
            rows.sort(key=lambda row: self._uap_order[row.uap])
        self.eids = sorted(rows_by_eid)
        self.lock = threading.RLock()

    def __len__(self) -> int:
        return len(self.eids)

    # --- construction ------------------------------------------------------------------------
    @classmethod
    def generate(cls, ranges, uaps: int = 1, registered_ratio: float = 0.97, seed: int = 1,
                 uap_disagreement: float = 0.02) -> "TerminalStore":
        """Deterministic terminals: each under ``uaps`` UAPs, mostly agreeing on the status."""
        if uaps < 1:
            raise DataError("--uaps must be 1 or more.")
        if not 0.0 <= registered_ratio <= 1.0 or not 0.0 <= uap_disagreement <= 1.0:
            raise DataError("--registered-ratio and --uap-disagreement must be between 0 and 1.")
        rng = random.Random(seed)
        keys = [uap_key(index) for index in range(1, uaps + 1)]
        rows_by_eid = {}
        for eid in expand_ranges(ranges):
            registered = rng.random() < registered_ratio
            rows = []
            for key in keys:
                row_registered = registered
                if uaps > 1 and rng.random() < uap_disagreement:
                    row_registered = not registered
                rows.append(Row(key, eid, REGISTERED if row_registered else NOT_REGISTERED))
            rows_by_eid[eid] = rows
        return cls(keys, rows_by_eid)

    @classmethod
    def load(cls, path: str | Path) -> "TerminalStore":
        """Load a JSON or YAML list of ``{equipmentId, rows: {"<ip>#<no>": {registerStatus, ...}}}``."""
        text = Path(path).read_text(encoding="utf-8")
        try:
            if str(path).endswith((".yml", ".yaml")):
                import yaml  # pylint: disable=import-outside-toplevel
                entries = yaml.safe_load(text)
            else:
                entries = json.loads(text)
        except Exception as exc:  # pylint: disable=broad-exception-caught
            raise DataError("Data file %s cannot be parsed (%s); fix its JSON/YAML syntax." % (path, exc)) from None
        return cls.from_entries(entries, source=str(path))

    @classmethod
    def from_entries(cls, entries, source: str = "data") -> "TerminalStore":
        if not isinstance(entries, list):
            raise DataError("%s must be a list of terminals; see tests/simulator/README.md for the format." % source)
        uaps: list[str] = []
        rows_by_eid: dict[str, list[Row]] = {}
        for position, entry in enumerate(entries):
            if not isinstance(entry, dict) or not isinstance(entry.get("rows"), dict) or not entry["rows"]:
                raise DataError("%s entry %d needs equipmentId and a non-empty rows mapping." % (source, position))
            eid = str(entry.get("equipmentId", "")).strip()
            if not eid or has_wildcard(eid):
                raise DataError("%s entry %d has no usable equipmentId (no wildcards allowed)." % (source, position))
            if eid in rows_by_eid:
                raise DataError("%s lists equipmentId %s twice; merge its rows." % (source, eid))
            rows = []
            for uap, fields in entry["rows"].items():
                fields = fields or {}
                if not isinstance(fields, dict):
                    raise DataError("%s: row %s of %s must be a mapping of vendor fields." % (source, uap, eid))
                status = fields.get("registerStatus", REGISTERED)
                check_status(status, fields.get("socketStatus"))
                extra = {_FIELD_BY_VENDOR_NAME[name]: str(value) for name, value in fields.items()
                         if name in _FIELD_BY_VENDOR_NAME and name not in ("equipmentId", "registerStatus")}
                rows.append(Row(str(uap), eid, status, **extra))
                if str(uap) not in uaps:
                    uaps.append(str(uap))
            rows_by_eid[eid] = rows
        return cls(uaps, rows_by_eid)

    # --- lookups -----------------------------------------------------------------------------
    def match(self, pattern: str) -> list[str]:
        """Sorted equipment IDs matching ``pattern`` (bisect on the literal prefix, then a regex)."""
        if not has_wildcard(pattern):
            return [pattern] if pattern in self.rows_by_eid else []
        prefix = literal_prefix(pattern)
        low = bisect.bisect_left(self.eids, prefix)
        high = bisect.bisect_left(self.eids, prefix + "\U0010ffff", low)
        regex = compile_pattern(pattern)
        if pattern == prefix + "*" or pattern == prefix + "%":
            return self.eids[low:high]
        return [eid for eid in self.eids[low:high] if regex.fullmatch(eid)]

    def page_json(self, eids: list[str], semantics: str, limit: int, offset: int,
                  paging_unit: str | None = None, row_order: str | None = None) -> tuple[str, int]:
        """The success body for matched ``eids`` and the number of rows it carries.

        ``semantics``: what ``count`` counts (distinct IDs or rows). ``paging_unit``: what
        ``limit``/``offset`` count (default: the same as ``semantics``); paging over IDs returns
        every row of each paged ID. ``row_order``: matches sorted by equipment ID (``id``) or
        grouped by UAP first (``uap``); default ``uap`` when paging rows, ``id`` when paging IDs.
        """
        paging_unit = paging_unit or semantics
        row_order = row_order or ("uap" if paging_unit == "rows" else "id")
        with self.lock:
            rows_of = self.rows_by_eid
            if paging_unit == "ids" and row_order == "id":
                # Fast path (IDs already sorted): never builds the rows of unpaged IDs.
                rows = [row for eid in eids[offset:offset + limit] for row in rows_of[eid]]
                count = len(eids) if semantics == "ids" else sum(len(rows_of[eid]) for eid in eids)
            else:
                all_rows = [row for eid in eids for row in rows_of[eid]]  # each ID's rows in pool order
                if row_order == "uap":
                    all_rows.sort(key=lambda row: self._uap_order[row.uap])  # stable: IDs stay sorted per UAP
                count = len(eids) if semantics == "ids" else len(all_rows)
                if paging_unit == "ids":
                    ordered_ids = list(dict.fromkeys(row.equipment_id for row in all_rows))
                    paged = set(ordered_ids[offset:offset + limit])
                    rows = [row for row in all_rows if row.equipment_id in paged]
                else:
                    rows = all_rows[offset:offset + limit]
            grouped: dict[str, list[str]] = {}
            for row in sorted(rows, key=lambda row: self._uap_order[row.uap]):
                grouped.setdefault(row.uap, []).append(row.json())
        data = ", ".join("%s: [%s]" % (json.dumps(uap), ", ".join(items)) for uap, items in grouped.items())
        body = '{"resultCode": "0100000", "resultDesc": {"data": {%s}, "count": %d}}' % (data, count)
        return body, len(rows)

    def terminal(self, eid: str) -> dict | None:
        with self.lock:
            rows = self.rows_by_eid.get(eid)
            if rows is None:
                return None
            return {row.uap: row.as_dict() for row in rows}

    def is_registered(self, eid: str, uap: str | None = None) -> bool:
        return any(row.register_status == REGISTERED for row in self.rows_by_eid[eid] if uap is None or row.uap == uap)

    def set_status(self, eids, register_status: str, uap: str | None = None, socket_status: str | None = None) -> list[str]:
        """Set the status of ``eids`` (on one UAP or all); returns the IDs changed. Unknown IDs are an error."""
        check_status(register_status, socket_status)
        eids = [str(eid) for eid in eids]
        unknown = [eid for eid in eids if eid not in self.rows_by_eid]
        if unknown:
            raise DataError("Unknown equipment IDs %s; use IDs the simulator serves." % ", ".join(unknown[:5]))
        if uap is not None and uap not in self._uap_order:
            raise DataError("Unknown UAP %r; use one of %s." % (uap, ", ".join(self.uaps)))
        with self.lock:
            for eid in eids:
                for row in self.rows_by_eid[eid]:
                    if uap is None or row.uap == uap:
                        row.set_status(register_status, socket_status)
        return eids


def check_status(register_status, socket_status=None) -> None:
    if register_status not in REGISTER_STATUSES:
        raise DataError("registerStatus %r is invalid; use 'registered' or 'not register'." % (register_status,))
    if socket_status is not None and socket_status not in SOCKET_STATUSES:
        raise DataError("socketStatus %r is invalid; use one of %s." % (socket_status, ", ".join(SOCKET_STATUSES)))
