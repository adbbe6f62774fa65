# Copyright (c) 2026 aicc.cms contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""aicc.cms.aicc_terminal_status run by the real ansible-playbook against the HTTPS simulator.

Each test is one playbook run holding several cases; the playbooks write their registered results
to a JSON file, checked here against what the simulator holds.
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from pathlib import Path

import pytest

PLAYBOOKS = Path(__file__).resolve().parent / 'module_files' / 'playbooks'
# as the `sim` fixture: pool mode (2 UAPs), some terminals not registered
SIM_OPTIONS = {'ranges': ('8880000-8880499',), 'uaps': 2, 'registered_ratio': 0.9, 'seed': 1}

pytestmark = pytest.mark.slow


def play(run_ansible, tmp_path, playbook, extra_vars, env=None, verbosity=None):
    """Run one playbook with extra vars from a file; return (process, results written to `out`)."""
    out = tmp_path / f'{playbook}.out.json'
    vars_file = tmp_path / f'{playbook}.vars.json'
    vars_file.write_text(json.dumps(dict(extra_vars, out=str(out))))
    cmd = ['ansible-playbook', str(PLAYBOOKS / playbook), '-e', f'@{vars_file}']
    if verbosity:
        cmd.append(verbosity)
    proc = run_ansible(cmd, env=env)
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-4000:]
    return proc, json.loads(out.read_text())


def registered_in_sim(sim, eid):
    """What the simulator says: None when it does not know the ID, else registered on any UAP."""
    rows = sim.terminal(eid)
    if rows is None:
        return None
    return any(row['registerStatus'] == 'registered' for row in rows.values())


def ids(start, end):
    return [str(number) for number in range(start, end + 1)]


def test_queries_of_every_kind(run_ansible, tmp_path, sim, sim_factory, connection_vars):
    faulty = sim_factory(**dict(SIM_OPTIONS, faults=['500:1@88801*']))
    conn_faulty = {
        'url': faulty.url,
        'access_key': faulty.access_key,
        'secret_key': faulty.secret_key,
        'ca_path': faulty.ca_path,
    }

    _proc, results = play(run_ansible, tmp_path, 'query.yml', {'conn': connection_vars, 'conn_faulty': conn_faulty})

    # exact IDs: each record matches the simulator, the unknown ID is missing, never registered
    exact = results['exact']
    assert exact['changed'] is False
    assert sorted(exact['terminals']) == ['8880001', '8880002', '8880017']
    assert exact['missing'] == ['8889999']
    assert exact['unknown'] == [] and exact['errors'] == []
    for eid, record in exact['terminals'].items():
        assert record['registered'] is registered_in_sim(sim, eid)
    registered = sum(1 for eid in ('8880001', '8880002', '8880017') if registered_in_sim(sim, eid))
    assert exact['summary']['registered'] == registered
    assert exact['summary']['not_registered'] == 3 - registered
    assert exact['summary']['missing'] == 1
    assert exact['queries'] == ['88800??', '8889999']  # a lone ID in its block is sent as is

    # pool mode: one entry per UAP that knows the terminal, with that UAP's own status
    record = exact['terminals']['8880001']
    sim_rows = sim.terminal('8880001')
    assert sorted(uap['uap'] for uap in record['uaps']) == sorted(sim_rows)
    assert len(sim_rows) == 2
    for uap in record['uaps']:
        assert uap['register_status'] == sim_rows[uap['uap']]['registerStatus']
        assert uap['socket_status'] == sim_rows[uap['uap']]['socketStatus']

    # a failed query: the task fails, says how many queries failed, and keeps what it has
    partial = results['partial']
    assert partial['failed'] is True
    assert partial['msg'].startswith(
        '1 of 2 queries failed, so 50 requested terminals are unknown; first failure: EID 88801??: '
    )
    assert '500' in partial['msg']
    assert partial['unknown'] == ids(8880100, 8880149)
    assert sorted(partial['terminals']) == ids(8880050, 8880099)
    assert partial['summary']['unknown'] == 50
    assert partial['summary']['total'] == 50

    # a range across two blocks, through module_defaults of the action group
    rng = results['range']
    assert rng['queries'] == ['88801??', '88802??']
    assert sorted(rng['terminals']) == ids(8880150, 8880249)
    not_registered = sorted(eid for eid in ids(8880150, 8880249) if not registered_in_sim(sim, eid))
    assert not_registered, "the simulator's seed should leave some terminals unregistered"
    assert rng['summary']['not_registered'] == len(not_registered)

    # a bounded pattern: every match is kept
    pattern = results['pattern']
    assert pattern['queries'] == ['888030?']
    assert sorted(pattern['terminals']) == ids(8880300, 8880309)

    # several pages: page_size 7 needs more than one request for 100 terminals
    pages = results['pages']
    assert sorted(pages['terminals']) == ids(8880400, 8880499)
    assert pages['requests'] >= 100 // 7
    assert sim.stats()['violations'] == 0
    assert sim.stats()['max_in_flight'] <= 10


def _reregister_after_first_answer(sim, eids, done):
    """Re-register eids once the simulator has answered the first page: the wait must see them down first."""
    while sim.stats()['pages_served'] < 1 and not done.is_set():
        time.sleep(0.05)
    sim.set_status(eids, 'registered')


def test_wait_for_registered(run_ansible, tmp_path, sim, connection_vars):
    group_a, group_b = ids(8880100, 8880104), ids(8880200, 8880224)
    sim.set_status(group_a + group_b, 'not register')
    sim.reset_stats()
    done = threading.Event()
    helper = threading.Thread(target=_reregister_after_first_answer, args=(sim, group_a, done), daemon=True)
    helper.start()
    try:
        _proc, results = play(run_ansible, tmp_path, 'wait.yml', {'conn': connection_vars})
    finally:
        done.set()
        helper.join()

    recovered = results['recovered']
    assert recovered.get('failed', False) is False, recovered.get('msg')
    assert sorted(recovered['terminals']) == group_a
    assert all(record['registered'] for record in recovered['terminals'].values())
    assert recovered['still_unregistered'] == []
    assert recovered['waited'] > 0
    assert recovered['requests'] >= 2  # the first answer and at least one poll

    timed_out = results['timed_out']
    assert timed_out['failed'] is True
    assert timed_out['still_unregistered'] == group_b
    shown = ', '.join(group_b[:20])
    assert timed_out['msg'].startswith('25 terminals still not registered after waiting ')
    assert timed_out['msg'].endswith(f'(wait_timeout=2): {shown} and 5 more')
    assert timed_out['summary']['not_registered'] == 25


BAD_INPUTS = [
    # name, module options (url added where "url" is True), expected message (exact or prefix...)
    ('url missing', {'access_key': 'ak', 'secret_key': 'sk', 'eids': ['8880001']}, 'missing required arguments: url'),
    ('keys missing', {'url': True, 'eids': ['8880001']}, 'missing required arguments: access_key, secret_key'),
    (
        'url not http(s)',
        {'url': 'ftp://127.0.0.1:2121', 'access_key': 'ak', 'secret_key': 'sk', 'eids': ['8880001']},
        "url 'ftp://127.0.0.1:2121' must start with https:// (or http://)",
    ),
    (
        'max_concurrency 0',
        {'url': True, 'access_key': 'ak', 'secret_key': 'sk', 'eids': ['8880001'], 'max_concurrency': 0},
        'max_concurrency must be an integer between 1 and 10, got 0',
    ),
    (
        'max_concurrency 11',
        {'url': True, 'access_key': 'ak', 'secret_key': 'sk', 'eids': ['8880001'], 'max_concurrency': 11},
        'max_concurrency must be an integer between 1 and 10, got 11',
    ),
    (
        'page_size 0',
        {'url': True, 'access_key': 'ak', 'secret_key': 'sk', 'eids': ['8880001'], 'page_size': 0},
        'page_size must be an integer between 1 and 1000, got 0',
    ),
    (
        'page_size negative',
        {'url': True, 'access_key': 'ak', 'secret_key': 'sk', 'eids': ['8880001'], 'page_size': -5},
        'page_size must be an integer between 1 and 1000, got -5',
    ),
    (
        'no eids nor ranges',
        {'url': True, 'access_key': 'ak', 'secret_key': 'sk'},
        'no terminals selected: give eids (exact IDs or patterns) or eid_ranges (START-END)',
    ),
    (
        'empty eids',
        {'url': True, 'access_key': 'ak', 'secret_key': 'sk', 'eids': []},
        'no terminals selected: give eids (exact IDs or patterns) or eid_ranges (START-END)',
    ),
    (
        'range start after end',
        {'url': True, 'access_key': 'ak', 'secret_key': 'sk', 'eid_ranges': ['8880200-8880100']},
        "EID range '8880200-8880100' starts after it ends: write the lower bound first",
    ),
    (
        'range of unequal lengths',
        {'url': True, 'access_key': 'ak', 'secret_key': 'sk', 'eid_ranges': ['888010-8880200']},
        "EID range '888010-8880200' has bounds of different lengths: write both with the same number of digits",
    ),
    (
        'range with non-digits',
        {'url': True, 'access_key': 'ak', 'secret_key': 'sk', 'eid_ranges': ['88801a-88802b']},
        "EID range '88801a-88802b' is not START-END with digits only (for example 88880000-88880999)",
    ),
    (
        'range above the cap',
        {'url': True, 'access_key': 'ak', 'secret_key': 'sk', 'eid_ranges': ['10000000-11000000']},
        (
            "EID range '10000000-11000000' holds 1000001 IDs, more than max_range_size=1000000: split it or raise"
            ' max_range_size'
        ),
    ),
    (
        'EID with a forbidden character',
        {'url': True, 'access_key': 'ak', 'secret_key': 'sk', 'eids': ['8880;01']},
        "EID '8880;01' contains characters outside 0-9 A-Z a-z * % ? _ - .: remove them",
    ),
    (
        'unbounded wildcard',
        {'url': True, 'access_key': 'ak', 'secret_key': 'sk', 'eids': ['8880*']},
        (
            "EID pattern '8880*' cannot be bounded: '*' and '%' match any number of characters, and the API requires"
            ' every wildcard query to match fewer than 200 terminals; list the IDs with eid_ranges, use fewer'
            ' wildcards, or set allow_unbounded_wildcards=true'
        ),
    ),
]


def test_bad_input_is_refused_with_one_sentence(run_ansible, tmp_path, sim):
    blocker = tmp_path / 'no-requests'
    blocker.mkdir()
    (blocker / 'requests.py').write_text("raise ImportError('requests is blocked for this test')\n")
    cases = []
    for name, args, _message in BAD_INPUTS:
        args = dict(args)
        if args.get('url') is True:
            args['url'] = sim.url
        cases.append({'name': name, 'args': args})

    _proc, results = play(
        run_ansible, tmp_path, 'bad_input.yml', {'cases': cases, 'url': sim.url, 'requests_blocker': str(blocker)}
    )

    rejected = {result['item']['name']: result for result in results['rejected']}
    for name, _args, message in BAD_INPUTS:
        assert rejected[name]['failed'] is True, name
        assert rejected[name]['msg'] == message, name
        assert 'Traceback' not in json.dumps(rejected[name]), name

    no_requests = results['no_requests']
    assert no_requests['failed'] is True
    assert no_requests['msg'].startswith('Failed to import the required Python library (requests) on ')
    assert sim.stats()['requests'] == 0, 'bad input must be refused before any request is sent'


def first_module_args(output):
    """The first invocation.module_args printed by a -vvvv run."""
    start = output.index('"module_args": ') + len('"module_args": ')
    return json.JSONDecoder().raw_decode(output[start:])[0]


def test_environment_fallbacks_and_secret_never_shown(run_ansible, tmp_path, sim_factory):
    canary = f'canary-{uuid.uuid4().hex}'
    canary_sim = sim_factory(**dict(SIM_OPTIONS, secret_key=canary))
    env = {
        'AICC_URL': canary_sim.url,
        'AICC_ACCESS_KEY': canary_sim.access_key,
        'AICC_SECRET_KEY': canary,
        'AICC_CA_PATH': canary_sim.ca_path,
        'AICC_CC_ID': '1',
        'AICC_VALIDATE_CERTS': 'true',
        'AICC_TIMEOUT': '20',
        'AICC_RETRIES': '1',
        'AICC_MAX_CONCURRENCY': '2',
        # ansible-core 2.21 adds the module's arguments to the result only when asked; older cores ignore this
        'ANSIBLE_INJECT_INVOCATION': 'true',
    }

    proc, results = play(run_ansible, tmp_path, 'env_fallback.yml', {}, env=env, verbosity='-vvvv')

    from_env = results['from_env']
    assert sorted(from_env['terminals']) == ['8880001', '8880002']
    module_args = first_module_args(proc.stdout)  # -vvvv shows what the module made of its options
    assert module_args['url'] == canary_sim.url and module_args['ca_path'] == canary_sim.ca_path
    assert module_args['access_key'] == canary_sim.access_key
    assert module_args['secret_key'] == 'VALUE_SPECIFIED_IN_NO_LOG_PARAMETER'
    assert (module_args['cc_id'], module_args['validate_certs'], module_args['timeout']) == (1, True, 20.0)
    assert (module_args['retries'], module_args['max_concurrency']) == (1, 2)
    assert sorted(results['from_option']['terminals']) == ['8880003']
    refused = results['refused']
    assert refused['failed'] is True and '401' in refused['msg']
    assert canary_sim.stats()['unauthorized'] >= 1

    assert canary not in proc.stdout
    assert canary not in proc.stderr
    assert canary not in json.dumps(results)
