# Copyright (c) 2026 aicc.cms contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The collection's real path is right under every paging reading the vendor page allows.

The page leaves open whether ``count`` counts equipment IDs or rows, whether ``limit``/``offset``
count IDs or rows, in which order rows come, and the largest ``limit``. The simulator serves
each reading (and a server that silently caps ``limit``) over HTTPS; the core facade, and for
the nastiest readings a real ``ansible-playbook`` run of the module, must give back exactly what
the simulator holds: every (UAP, equipment) row with its own status, the holes as missing, and
nothing unknown. The ``sim_factory`` fixture checks the API's rules (at most 10 requests in
flight, no wildcard query reaching 200 matches) at teardown.
"""

from __future__ import annotations

import itertools
import json

import pytest

from ansible_collections.aicc.cms.plugins.module_utils._client import CmsClient
from ansible_collections.aicc.cms.plugins.module_utils._planner import plan_queries
from ansible_collections.aicc.cms.plugins.module_utils._terminal_status import query_status
from simulator.store import TerminalStore

FIRST, LAST = 8880000, 8880299
REQUESTED_RANGE = "%d-%d" % (FIRST, LAST)   # planned as 88800??, 88801??, 88802??
UAPS = ("10.10.0.1#1", "10.10.0.2#2", "10.10.0.3#3")
CAP = 30

READINGS = [dict(zip(("count_semantics", "paging_unit", "row_order"), reading))
            for reading in itertools.product(("ids", "rows"), ("ids", "rows"), ("id", "uap"))]
NASTIEST = {"count_semantics": "ids", "paging_unit": "rows", "row_order": "uap"}
# (page_size asked by the client, items per page the server really serves)
PAGINGS = [pytest.param(100, None, id="page100"), pytest.param(7, None, id="page7"),
           pytest.param(100, CAP, id="page100-capped%d" % CAP)]


def _reading_id(reading: dict) -> str:
    return "count-%(count_semantics)s-paging-%(paging_unit)s-order-%(row_order)s" % reading


@pytest.fixture(scope="module")
def pool_data(tmp_path_factory) -> str:
    """300 requested IDs under 3 UAPs with some UAP rows disagreeing; some terminals are absent from
    UAP 1 or UAP 3 (so UAP-first order differs from ID order even when paging IDs), and some IDs are
    holes the server does not know at all (they must come back missing)."""
    store = TerminalStore.generate([REQUESTED_RANGE], uaps=len(UAPS), registered_ratio=0.8, seed=5, uap_disagreement=0.2)
    entries = []
    for eid in store.eids:
        number = int(eid)
        if number % 13 == 5:
            continue  # a hole
        rows = store.terminal(eid)
        if number % 7 == 2:
            del rows[UAPS[0]]
        elif number % 11 == 4:
            del rows[UAPS[2]]
        entries.append({"equipmentId": eid, "rows": rows})
    assert list(entries[0]["rows"]) == list(UAPS)  # the first terminal fixes the pool order
    path = tmp_path_factory.mktemp("paging-data") / "pool.json"
    path.write_text(json.dumps(entries), encoding="utf-8")
    return str(path)


def _start(sim_factory, pool_data: str, reading: dict, limit_cap=None):
    return sim_factory(data=pool_data, limit_cap=limit_cap, **reading)


def _truth(sim) -> tuple[dict, list[str]]:
    """{eid: {uap: (registerStatus, socketStatus)}} read from the simulator, and the IDs it does not know."""
    known, missing = {}, []
    for number in range(FIRST, LAST + 1):
        rows = sim.terminal(str(number))
        if rows is None:
            missing.append(str(number))
        else:
            known[str(number)] = {uap: (row["registerStatus"], row["socketStatus"]) for uap, row in rows.items()}
    return known, missing


def _assert_matches_simulator(result: dict, sim, label: str = "") -> None:
    known, missing = _truth(sim)
    assert len(known) > 250 and missing and any(len(rows) < len(UAPS) for rows in known.values())
    assert result["errors"] == [] and result["unknown"] == [], label
    assert result["missing"] == missing, label
    got = {eid: {uap["uap"]: (uap["register_status"], uap["socket_status"]) for uap in record["uaps"]}
           for eid, record in result["terminals"].items()}
    expected_rows = {(eid, uap) for eid, rows in known.items() for uap in rows}
    got_rows = {(eid, uap) for eid, rows in got.items() for uap in rows}
    lost = sorted(expected_rows - got_rows)
    wrong_verdicts = sorted(eid for eid, record in result["terminals"].items()
                            if record["registered"] is not any(status == "registered" for status, _socket in known[eid].values()))
    assert not lost, "%s%d of %d (equipment, UAP) rows lost silently (no error, nothing unknown), e.g. %s; %d terminals' registered wrong: %s" % (
        label and label + ": ", len(lost), len(expected_rows), lost[:4], len(wrong_verdicts), wrong_verdicts[:4])
    assert got == known, label
    for eid, record in result["terminals"].items():
        assert record["equipment_id"] == eid
        assert record["registered"] is any(status == "registered" for status, _socket in known[eid].values())
        assert [uap["uap"] for uap in record["uaps"]] == sorted(known[eid])
    registered = sum(any(status == "registered" for status, _socket in rows.values()) for rows in known.values())
    summary = result["summary"]
    assert (summary["total"], summary["registered"], summary["not_registered"], summary["missing"], summary["unknown"]) == (
        len(known), registered, len(known) - registered, len(missing), 0)
    assert 0 < registered < len(known)


@pytest.mark.parametrize("page_size, limit_cap", PAGINGS)
@pytest.mark.parametrize("reading", READINGS, ids=_reading_id)
def test_core_facade_over_https_returns_what_the_simulator_holds(sim_factory, pool_data, reading, page_size, limit_cap):
    sim = _start(sim_factory, pool_data, reading, limit_cap)
    plan = plan_queries(eid_ranges=[REQUESTED_RANGE])
    assert [query.eid for query in plan.queries] == ["88800??", "88801??", "88802??"]
    with CmsClient(sim.url, sim.access_key, sim.secret_key, ca_path=sim.ca_path, page_size=page_size) as client:
        result = query_status(client, plan)
    _assert_matches_simulator(result, sim)
    stats = sim.stats()
    assert stats["requests"] == result["requests"] == stats["pages_served"]  # no retry, no failed page
    assert (stats["limits_capped"] > 0) is (limit_cap is not None)


PLAYBOOK = """\
- name: The module under the nastiest paging readings
  hosts: localhost
  gather_facts: false
  tasks:
    - name: Query each simulator
      aicc.cms.aicc_terminal_status:
        url: "{{ item.url }}"
        access_key: "{{ item.access_key }}"
        secret_key: "{{ item.secret_key }}"
        ca_path: "{{ item.ca_path }}"
        eid_ranges: ["%s"]
        page_size: 100
      loop: "{{ servers }}"
      loop_control:
        label: "{{ item.name }}"
      register: answers
      ignore_errors: true

    - name: Write the results for the test
      ansible.builtin.copy:
        content: "{{ answers.results | to_json }}"
        dest: "{{ out }}"
        mode: "0600"
""" % REQUESTED_RANGE


@pytest.mark.slow
def test_module_under_the_nastiest_readings(sim_factory, pool_data, run_ansible, tmp_path):
    sims = {"uap-order-rows-paged-ids-counted": _start(sim_factory, pool_data, NASTIEST),
            "same-with-limit-capped-at-%d" % CAP: _start(sim_factory, pool_data, NASTIEST, CAP)}
    playbook = tmp_path / "nastiest.yml"
    playbook.write_text(PLAYBOOK, encoding="utf-8")
    out = tmp_path / "answers.json"
    servers = [{"name": name, "url": sim.url, "access_key": sim.access_key, "secret_key": sim.secret_key, "ca_path": sim.ca_path}
               for name, sim in sims.items()]
    vars_file = tmp_path / "vars.json"
    vars_file.write_text(json.dumps({"servers": servers, "out": str(out)}), encoding="utf-8")

    proc = run_ansible(["ansible-playbook", str(playbook), "-e", "@%s" % vars_file])

    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-4000:]
    answers = json.loads(out.read_text(encoding="utf-8"))
    assert [answer["item"]["name"] for answer in answers] == list(sims)
    for answer, (name, sim) in zip(answers, sims.items()):
        assert answer.get("failed") is not True, "%s: %s" % (name, answer.get("msg"))
        assert answer["changed"] is False
        _assert_matches_simulator(answer, sim, label=name)
    assert sims["same-with-limit-capped-at-%d" % CAP].stats()["limits_capped"] > 0
