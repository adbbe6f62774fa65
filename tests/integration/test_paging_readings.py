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

The reading matrix below (``MATRIX``) adds every count semantics, paging unit, offset unit, row
order, answer shape, empty page, ``0101002`` for no match and limit type the simulator serves, and
their nastiest combinations, for the facade, the module, the lookup and the inventory alike; one
case is a server no reading can explain, which must fail with its IDs unknown.
"""

from __future__ import annotations

import itertools
import json
import sys
import typing as t

import pytest
from ansible_collections.aicc.cms.plugins.module_utils._query.client import CmsClient
from ansible_collections.aicc.cms.plugins.module_utils._query.engine import incomplete_answer, query_status
from ansible_collections.aicc.cms.plugins.module_utils._query.planner import plan_queries
from integration.ansible_runs import ansible_environment, run
from simulator import Simulator
from simulator.store import TerminalStore

API_MAX_IN_FLIGHT = 10  # the vendor's rule, as in conftest.py

FIRST, LAST = 8880000, 8880299
REQUESTED_RANGE = f'{FIRST}-{LAST}'  # planned as 88800??, 88801??, 88802??
UAPS = ('10.10.0.1#1', '10.10.0.2#2', '10.10.0.3#3')
CAP = 30

READINGS = [
    dict(zip(('count_semantics', 'paging_unit', 'row_order'), reading, strict=True))
    for reading in itertools.product(('ids', 'rows'), ('ids', 'rows'), ('id', 'uap'))
]
NASTIEST = {'count_semantics': 'ids', 'paging_unit': 'rows', 'row_order': 'uap'}
# (page_size asked by the client, items per page the server really serves)
PAGINGS = [
    pytest.param(100, None, id='page100'),
    pytest.param(7, None, id='page7'),
    pytest.param(100, CAP, id=f'page100-capped{CAP}'),
]


def _reading_id(reading: dict) -> str:
    return 'count-{count_semantics}-paging-{paging_unit}-order-{row_order}'.format(**reading)


@pytest.fixture(scope='module')
def pool_data(tmp_path_factory) -> str:
    """300 requested IDs under 3 UAPs with some UAP rows disagreeing; some terminals are absent from
    UAP 1 or UAP 3 (so UAP-first order differs from ID order even when paging IDs), and some IDs are
    holes the server does not know at all (they must come back missing)."""
    store = TerminalStore.generate(
        [REQUESTED_RANGE], uaps=len(UAPS), registered_ratio=0.8, seed=5, uap_disagreement=0.2
    )
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
        entries.append({'equipmentId': eid, 'rows': rows})
    assert list(entries[0]['rows']) == list(UAPS)  # the first terminal fixes the pool order
    path = tmp_path_factory.mktemp('paging-data') / 'pool.json'
    path.write_text(json.dumps(entries), encoding='utf-8')
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
            known[str(number)] = {uap: (row['registerStatus'], row['socketStatus']) for uap, row in rows.items()}
    return known, missing


def _assert_matches_simulator(result: dict, sim, label: str = '') -> None:
    known, missing = _truth(sim)
    assert len(known) > 250 and missing and any(len(rows) < len(UAPS) for rows in known.values())
    assert result['errors'] == [] and result['unknown'] == [], label
    assert result['missing'] == missing, label
    got = {
        eid: {uap['uap']: (uap['register_status'], uap['socket_status']) for uap in record['uaps']}
        for eid, record in result['terminals'].items()
    }
    expected_rows = {(eid, uap) for eid, rows in known.items() for uap in rows}
    got_rows = {(eid, uap) for eid, rows in got.items() for uap in rows}
    lost = sorted(expected_rows - got_rows)
    wrong_verdicts = sorted(
        eid
        for eid, record in result['terminals'].items()
        if record['registered'] is not any(status == 'registered' for status, _socket in known[eid].values())
    )
    assert not lost, (
        f'{label and label + ": "}{len(lost)} of {len(expected_rows)} (equipment, UAP) rows lost silently (no error,'
        f" nothing unknown), e.g. {lost[:4]}; {len(wrong_verdicts)} terminals' registered wrong: {wrong_verdicts[:4]}"
    )
    assert got == known, label
    for eid, record in result['terminals'].items():
        assert record['equipment_id'] == eid
        assert record['registered'] is any(status == 'registered' for status, _socket in known[eid].values())
        assert [uap['uap'] for uap in record['uaps']] == sorted(known[eid])
    registered = sum(any(status == 'registered' for status, _socket in rows.values()) for rows in known.values())
    summary = result['summary']
    assert (
        summary['total'],
        summary['registered'],
        summary['not_registered'],
        summary['missing'],
        summary['unknown'],
    ) == (len(known), registered, len(known) - registered, len(missing), 0)
    assert 0 < registered < len(known)


@pytest.mark.parametrize('page_size, limit_cap', PAGINGS)
@pytest.mark.parametrize('reading', READINGS, ids=_reading_id)
def test_core_facade_over_https_returns_what_the_simulator_holds(sim_factory, pool_data, reading, page_size, limit_cap):
    sim = _start(sim_factory, pool_data, reading, limit_cap)
    plan = plan_queries(eid_ranges=[REQUESTED_RANGE])
    assert [query.eid for query in plan.queries] == ['88800??', '88801??', '88802??']
    with CmsClient(sim.url, sim.access_key, sim.secret_key, ca_path=sim.ca_path, page_size=page_size) as client:
        result = query_status(client, plan)
    _assert_matches_simulator(result, sim)
    stats = sim.stats()
    assert stats['requests'] == result['requests'] == stats['pages_served']  # no retry, no failed page
    assert (stats['limits_capped'] > 0) is (limit_cap is not None)


PLAYBOOK = f"""\
- name: The module under the nastiest paging readings
  hosts: localhost
  gather_facts: false
  tasks:
    - name: Query each simulator
      aicc.cms.aicc_terminal_status:
        url: "{{{{ item.url }}}}"
        access_key: "{{{{ item.access_key }}}}"
        secret_key: "{{{{ item.secret_key }}}}"
        ca_path: "{{{{ item.ca_path }}}}"
        eid_ranges: ["{REQUESTED_RANGE}"]
        page_size: 100
      loop: "{{{{ servers }}}}"
      loop_control:
        label: "{{{{ item.name }}}}"
      register: answers
      ignore_errors: true

    - name: Write the results for the test
      ansible.builtin.copy:
        content: "{{{{ answers.results | to_json }}}}"
        dest: "{{{{ out }}}}"
        mode: "0600"
"""


@pytest.mark.slow
def test_module_under_the_nastiest_readings(sim_factory, pool_data, run_ansible, tmp_path):
    sims = {
        'uap-order-rows-paged-ids-counted': _start(sim_factory, pool_data, NASTIEST),
        f'same-with-limit-capped-at-{CAP}': _start(sim_factory, pool_data, NASTIEST, CAP),
    }
    playbook = tmp_path / 'nastiest.yml'
    playbook.write_text(PLAYBOOK, encoding='utf-8')
    out = tmp_path / 'answers.json'
    servers = [
        {
            'name': name,
            'url': sim.url,
            'access_key': sim.access_key,
            'secret_key': sim.secret_key,
            'ca_path': sim.ca_path,
        }
        for name, sim in sims.items()
    ]
    vars_file = tmp_path / 'vars.json'
    vars_file.write_text(json.dumps({'servers': servers, 'out': str(out)}), encoding='utf-8')

    proc = run_ansible(['ansible-playbook', str(playbook), '-e', f'@{vars_file}'])

    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-4000:]
    answers = json.loads(out.read_text(encoding='utf-8'))
    assert [answer['item']['name'] for answer in answers] == list(sims)
    for answer, (name, sim) in zip(answers, sims.items(), strict=True):
        assert answer.get('failed') is not True, f'{name}: {answer.get("msg")}'
        assert answer['changed'] is False
        _assert_matches_simulator(answer, sim, label=name)
    assert sims[f'same-with-limit-capped-at-{CAP}'].stats()['limits_capped'] > 0


# --- the reading matrix: the module, the lookup and the inventory against every reading and shape --------------------
#
# One simulator per case, each over its own block of equipment IDs (so that one inventory can list every case's hosts
# by equipment ID) generated alike: 3 UAPs with partial membership (each terminal absent from each UAP with probability
# 0.3, on one at least), holes in the requested range, a requested range that ends inside a block (the block's query
# matches more than is kept), a user pattern, a pattern matching nothing and an exact unknown ID. Each front end runs
# once for every case together (one ansible-playbook for the module and the lookup, one ansible-inventory with one
# source per case); each case's test then checks its own server's answers against the simulator's store. Every case
# but the two that ignore offset must come back exact. A server that ignores offset answers every offset with its first
# page: when count announces more, no reading explains it; when the page is short, it cannot be told from a page cut by a
# silent cap of exactly its size (offset 1 brings the same page). Either way every query that matches anything must
# fail, its IDs unknown, with a sentence: the rest cannot be read, so nothing may be reported missing or complete.

MATRIX_DATA = {'uaps': 3, 'partial_membership': 0.3, 'registered_ratio': 0.85, 'uap_disagreement': 0.1, 'seed': 11}
MATRIX_PAGE_SIZE = 100  # the client's default page


def matrix_ranges(index: int) -> tuple[str, ...]:
    """The data of case ``index``: IDs 88<index>000-049, 060-149 and 500-529."""
    prefix = f'88{index:02d}'
    return (
        f'{prefix}000-{prefix}049',
        f'{prefix}060-{prefix}149',
        f'{prefix}500-{prefix}529',
    )


def matrix_query(index: int) -> dict:
    """What every front end asks of case ``index``: a range with a hole ending inside a block (its query matches 50,
    keeps 20), a user pattern (30 matches), a pattern matching nothing and an exact unknown ID."""
    prefix = f'88{index:02d}'
    return {
        'eid_ranges': [f'{prefix}000-{prefix}119'],
        'eids': [f'{prefix}5??', f'{prefix}7??', f'{prefix}999'],
    }


MATRIX = [
    ('vendor-sample-defaults', {}),
    ('count-rows', {'count_semantics': 'rows'}),
    ('count-page', {'count_semantics': 'page'}),
    ('count-page_ids', {'count_semantics': 'page_ids'}),
    ('count-key_sum', {'count_semantics': 'key_sum'}),
    ('count-key_max', {'count_semantics': 'key_max'}),
    ('count-key_first', {'count_semantics': 'key_first'}),
    ('count-absent', {'count_semantics': 'absent'}),
    ('count-as-string', {'count_as_string': True, 'count_semantics': 'rows'}),
    ('paging-rows-count-ids', {'paging_unit': 'rows'}),
    ('paging-per_key', {'paging_unit': 'per_key'}),
    ('paging-ignored-short-pages-fail-closed', {'paging_unit': 'ignored'}),
    ('offset-pages-rows', {'offset_unit': 'pages', 'count_semantics': 'rows'}),
    ('order-uap-paging-ids', {'row_order': 'uap'}),
    ('order-shuffled-paging-rows', {'row_order': 'shuffled', 'paging_unit': 'rows'}),
    ('shape-tables', {'shape': 'tables'}),
    ('shape-list_sample', {'shape': 'list_sample'}),
    ('shape-list_tables', {'shape': 'list_tables'}),
    ('empty-data-list', {'empty_data': '[]'}),
    ('empty-data-null', {'empty_data': 'null'}),
    ('no-match-0101002', {'no_match_code': '0101002'}),
    ('limit-int-only', {'limit_type': 'int'}),
    ('limit-string-only', {'limit_type': 'string'}),
    ('cap-37', {'limit_cap': 37}),
    # the nastiest combinations
    (
        'nasty-per_key-count-ids-cap50-uap-order',
        {'paging_unit': 'per_key', 'count_semantics': 'ids', 'limit_cap': 50, 'row_order': 'uap'},
    ),
    ('nasty-offset-pages-cap30', {'offset_unit': 'pages', 'limit_cap': 30}),
    (
        'nasty-offset-pages-rows-cap30-shuffled',
        {'offset_unit': 'pages', 'count_semantics': 'rows', 'limit_cap': 30, 'row_order': 'shuffled'},
    ),
    ('nasty-count-absent-cap37', {'count_semantics': 'absent', 'limit_cap': 37}),
    ('nasty-tables-per_key', {'shape': 'tables', 'paging_unit': 'per_key'}),
    (
        'nasty-tables-per_key-cap50-count-page',
        {'shape': 'tables', 'paging_unit': 'per_key', 'limit_cap': 50, 'count_semantics': 'page'},
    ),
    ('nasty-0101002-paging-rows-cap50', {'no_match_code': '0101002', 'count_semantics': 'rows', 'limit_cap': 50}),
    (
        'nasty-string-limit-list_tables-count-string',
        {'limit_type': 'string', 'shape': 'list_tables', 'count_as_string': True, 'paging_unit': 'rows'},
    ),
    ('unexplainable-ignored-offset-count-announces-more', {'paging_unit': 'ignored', 'limit_cap': 37}),
]
MATRIX_IDS = [name for name, _options in MATRIX]
# Vendor field -> record field, for comparing whole rows.
RECORD_FIELDS = (
    ('registerStatus', 'register_status'),
    ('socketStatus', 'socket_status'),
    ('ipAndPort', 'ip_and_port'),
    ('monitorFlag', 'monitor_flag'),
    ('protocolType', 'protocol_type'),
    ('roamIpAndPort', 'roam_ip_and_port'),
    ('tlsStatus', 'tls_status'),
    ('ipType', 'ip_type'),
    ('ccuModuleNumber', 'ccu_module_number'),
    ('terminationType', 'termination_type'),
)


class Expected(t.NamedTuple):
    """What a right client returns from one server: rows by (equipment ID, UAP), missing and unknown IDs."""

    rows: dict
    missing: list
    unknown: list


def _unexplainable(sim, matches: list[str]) -> bool:
    """A query whose rows cannot be established: the offset ignored and anything matched (see the matrix's comment)."""
    return sim.reading.paging_unit == 'ignored' and sim.store.unit_items(matches, sim.reading) > 0


def expected_from_store(sim, index: int) -> Expected:
    """The rows, missing and unknown IDs of case ``index``'s queries, from the simulator's own store."""
    plan = plan_queries(**matrix_query(index))
    rows, missing, unknown = {}, set(), set()
    for query in plan.queries:
        matches = sim.store.match(query.eid)
        if _unexplainable(sim, matches):
            unknown.update(query.wanted if query.wanted is not None else (query.eid,))
            continue
        kept = matches if query.wanted is None else [eid for eid in matches if eid in query.wanted]
        for eid in kept:
            for uap, row in sim.terminal(eid).items():
                rows[(eid, uap)] = tuple(row[vendor] for vendor, _field in RECORD_FIELDS)
        if query.wanted is not None:
            missing.update(query.wanted - set(kept))
    found = {eid for eid, _uap in rows}
    return Expected(rows, sorted(missing - found), sorted(unknown - found))


def rows_of_records(records) -> dict:
    """{(equipment ID, UAP): field values} of terminal records (module, lookup, inventory)."""
    return {
        (record['equipment_id'], uap['uap']): tuple(uap[field] for _vendor, field in RECORD_FIELDS)
        for record in records
        for uap in record['uaps']
    }


def assert_rows_match(got: dict, expected: Expected, label: str) -> None:
    lost = sorted(set(expected.rows) - set(got))
    extra = sorted(set(got) - set(expected.rows))
    wrong = sorted(key for key in set(got) & set(expected.rows) if got[key] != expected.rows[key])
    assert not (lost or extra or wrong), (
        f'{label}: {len(lost)} of {len(expected.rows)} (equipment, UAP) rows lost (e.g. {lost[:3]}), {len(extra)} extra'
        f' ({extra[:3]}), {len(wrong)} with other values ({wrong[:3]})'
    )


def assert_api_rules_held(sim) -> None:
    stats = sim.stats()
    assert stats['max_in_flight'] <= API_MAX_IN_FLIGHT, f'max in flight {stats["max_in_flight"]}'
    assert stats['violations'] == 0, f'wildcard queries matching 200 or more: {stats["violation_eids"]}'


@pytest.fixture(scope='module')
def matrix_sims(tmp_path_factory):
    """{case name: started Simulator}, one per case of MATRIX, over the same data; stopped at the end of the module."""
    folder = tmp_path_factory.mktemp('reading-matrix')
    sims = {}
    try:
        for index, (name, options) in enumerate(MATRIX):
            sims[name] = Simulator(
                state_dir=str(folder / f'sim-{index:02d}'),
                ranges=matrix_ranges(index),
                **dict(MATRIX_DATA, **options),
            ).start()
        yield sims
    finally:
        for sim in sims.values():
            sim.stop()


@pytest.mark.parametrize('case', MATRIX_IDS)
def test_facade_under_the_reading(matrix_sims, case):
    """The core facade in process (quick feedback; the front ends below run the same core)."""
    sim, index = matrix_sims[case], MATRIX_IDS.index(case)
    expected = expected_from_store(sim, index)
    assert (
        len(expected.rows) > 250 or len(expected.unknown) > 100
    ) and expected.missing  # the data is what the matrix needs
    plan = plan_queries(**matrix_query(index))
    with CmsClient(sim.url, sim.access_key, sim.secret_key, ca_path=sim.ca_path, page_size=MATRIX_PAGE_SIZE) as client:
        result = query_status(client, plan)
    assert_rows_match(rows_of_records(result['terminals'].values()), expected, case)
    assert result['unknown'] == expected.unknown, case
    assert result['missing'] == expected.missing, case
    if expected.unknown:
        assert result['errors'] and incomplete_answer(result), f'{case}: the contradiction must fail the query'
    else:
        assert result['errors'] == [], case
    assert_api_rules_held(sim)


MATRIX_PLAYBOOK = """\
- name: The module and the lookup under every reading
  hosts: localhost
  gather_facts: false
  tasks:
    - name: The module against each server
      aicc.cms.aicc_terminal_status:
        url: "{{ item.url }}"
        access_key: "{{ item.access_key }}"
        secret_key: "{{ item.secret_key }}"
        ca_path: "{{ item.ca_path }}"
        eids: "{{ item.eids }}"
        eid_ranges: "{{ item.eid_ranges }}"
      loop: "{{ servers }}"
      loop_control:
        label: "{{ item.name }}"
      register: module_answers
      ignore_errors: true

    - name: The lookup against each server (set_fact runs on the controller, no module per server)
      ansible.builtin.set_fact:
        lookup_records: >-
          {{ query('aicc.cms.aicc_terminal_status', item.eids, eid_ranges=item.eid_ranges, url=item.url,
                   access_key=item.access_key, secret_key=item.secret_key, ca_path=item.ca_path) }}
      loop: "{{ servers }}"
      loop_control:
        label: "{{ item.name }}"
      register: lookup_answers
      ignore_errors: true

    - name: Write the answers for the test
      ansible.builtin.copy:
        content: "{{ {'module': module_answers.results, 'lookup': lookup_answers.results} | to_json }}"
        dest: "{{ out_dir }}/answers.json"
        mode: "0600"
"""


def _plain(value):
    """ansible-inventory JSON without its unsafe markers ({"__ansible_unsafe": text})."""
    if isinstance(value, dict):
        if set(value) == {'__ansible_unsafe'}:
            return value['__ansible_unsafe']
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_plain(item) for item in value]
    return value


@pytest.fixture(scope='module')
def matrix_runs(matrix_sims, tmp_path_factory, budget_runtime_dir) -> dict:
    """One ansible-playbook (module and lookup, looped over every server) and one ansible-inventory (one source
    per server): {"module": {case: result}, "lookup": {case: result},
    "lookup_records": {case: records}, "inventory": {case: (hosts, groups)}, "inventory_stderr": text}.

    Each case's hosts are its own equipment IDs, so no host name template is needed to keep them apart."""
    folder = tmp_path_factory.mktemp('reading-matrix-runs')
    env = ansible_environment(folder / 'ansible-home', budget_runtime_dir)
    servers = [
        dict(
            matrix_query(index),
            name=name,
            url=sim.url,
            access_key=sim.access_key,
            secret_key=sim.secret_key,
            ca_path=sim.ca_path,
        )
        for index, (name, sim) in enumerate(matrix_sims.items())
    ]
    playbook = folder / 'matrix.yml'
    playbook.write_text(MATRIX_PLAYBOOK, encoding='utf-8')
    extra = folder / 'vars.json'
    extra.write_text(json.dumps({'servers': servers, 'out_dir': str(folder)}), encoding='utf-8')
    played = run(
        [
            'ansible-playbook',
            '-i',
            'localhost,',
            '-c',
            'local',
            '-e',
            f'ansible_python_interpreter={sys.executable}',
            '-e',
            f'@{extra}',
            str(playbook),
        ],
        env,
    )
    answers_path = folder / 'answers.json'
    assert answers_path.exists(), (
        f'the matrix playbook did not finish (rc {played.returncode}): {(played.stdout + played.stderr)[-3000:]}'
    )
    answers = json.loads(answers_path.read_text(encoding='utf-8'))
    runs = {
        'module': {answer['item']['name']: answer for answer in answers['module']},
        'lookup': {answer['item']['name']: answer for answer in answers['lookup']},
    }
    runs['lookup_records'] = {
        name: answer.get('ansible_facts', {}).get('lookup_records') for name, answer in runs['lookup'].items()
    }

    sources = []
    for index, (name, sim) in enumerate(matrix_sims.items()):
        source = folder / f'{name}.aicc_terminals.yml'
        source.write_text(
            json.dumps(
                dict(
                    matrix_query(index),
                    plugin='aicc.cms.aicc_terminals',
                    url=sim.url,
                    access_key=sim.access_key,
                    secret_key=sim.secret_key,
                    ca_path=sim.ca_path,
                )
            ),
            encoding='utf-8',
        )
        sources += ['-i', str(source)]
    listed = run(['ansible-inventory', *sources, '--list'], env)
    assert listed.returncode == 0, listed.stderr[-3000:]
    inventory = _plain(json.loads(listed.stdout))
    hostvars = inventory.get('_meta', {}).get('hostvars', {})
    runs['inventory'] = {}
    for index, name in enumerate(matrix_sims):
        prefix = f'88{index:02d}'  # each case's hosts are its own equipment IDs
        hosts = {host: host_vars['aicc_terminal'] for host, host_vars in hostvars.items() if host.startswith(prefix)}
        groups = {
            group: sorted(host for host in entry.get('hosts', []) if host.startswith(prefix))
            for group, entry in inventory.items()
            if group != '_meta' and isinstance(entry, dict)
        }
        runs['inventory'][name] = (hosts, groups)
    runs['inventory_stderr'] = listed.stderr
    return runs


@pytest.mark.slow
@pytest.mark.parametrize('case', MATRIX_IDS)
def test_module_under_the_reading(matrix_sims, matrix_runs, case):
    sim, index = matrix_sims[case], MATRIX_IDS.index(case)
    expected = expected_from_store(sim, index)
    answer = matrix_runs['module'][case]
    assert_rows_match(
        rows_of_records(answer.get('terminals', {}).values()), expected, f'{case}: {answer.get("msg", "")}'
    )
    assert answer['missing'] == expected.missing and answer['unknown'] == expected.unknown, case
    if expected.unknown:
        assert answer.get('failed') is True and answer['errors'], f'{case}: the module must fail on a contradiction'
        assert 'queries failed' in answer['msg'], answer['msg']  # the one sentence every front end fails with
    else:
        assert answer.get('failed') is not True and answer['errors'] == [], f'{case}: {answer.get("msg")}'
    assert answer['changed'] is False
    assert_api_rules_held(sim)


@pytest.mark.slow
@pytest.mark.parametrize('case', MATRIX_IDS)
def test_lookup_under_the_reading(matrix_sims, matrix_runs, case):
    sim, index = matrix_sims[case], MATRIX_IDS.index(case)
    expected = expected_from_store(sim, index)
    task, records = matrix_runs['lookup'][case], matrix_runs['lookup_records'][case]
    if expected.unknown:
        # The lookup never returns a partial list: the task fails with the reason.
        assert task.get('failed') is True and 'queries failed' in task.get('msg', ''), f'{case}: {task.get("msg")}'
        return
    assert task.get('failed') is not True and records is not None, f'{case}: {task.get("msg")}'
    found = [record for record in records if not record['missing']]
    assert_rows_match(rows_of_records(found), expected, case)
    assert [record['equipment_id'] for record in records if record['missing']] == expected.missing
    assert [record['equipment_id'] for record in records] == sorted(record['equipment_id'] for record in records)
    assert_api_rules_held(sim)


@pytest.mark.slow
@pytest.mark.parametrize('case', MATRIX_IDS)
def test_inventory_under_the_reading(matrix_sims, matrix_runs, case):
    sim, index = matrix_sims[case], MATRIX_IDS.index(case)
    expected = expected_from_store(sim, index)
    hosts, groups = matrix_runs['inventory'][case]
    if expected.unknown:
        # The source fails as a whole with the reason; the inventory never silently lacks terminals.
        assert hosts == {}, f'{case}: {len(hosts)} hosts from a server no reading explains'
        warnings = [' '.join(chunk.split()) for chunk in matrix_runs['inventory_stderr'].split('[WARNING]')]
        reasons = [chunk for chunk in warnings if f'{case}.aicc_terminals.yml' in chunk and 'queries failed' in chunk]
        assert reasons, (
            f'{case}: no warning says why its source failed: {[chunk for chunk in warnings if case in chunk][:2]}'
        )
        return
    found = [record for record in hosts.values() if not record['missing']]
    assert_rows_match(rows_of_records(found), expected, case)
    assert sorted(record['equipment_id'] for record in hosts.values() if record['missing']) == expected.missing
    assert groups.get('aicc_missing', []) == expected.missing
    registered = sorted({eid for (eid, _uap), fields in expected.rows.items() if fields[0] == 'registered'})
    assert groups.get('aicc_registered', []) == registered
    assert_api_rules_held(sim)
