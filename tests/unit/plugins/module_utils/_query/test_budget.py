# Copyright (c) 2026 aicc.cms contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""One in-flight budget per CC-CMS on this host: threads, clients and processes share its lock-file slots."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import threading
import time

import pytest
from ansible_collections.aicc.cms.plugins.module_utils._errors import TotalTimeoutError
from ansible_collections.aicc.cms.plugins.module_utils._query.budget import NoSlot, SlotBudget, budget_root

from ...scripted_cms import JSON_TYPE, success, terminal_row

HOLD_EVERY_SLOT = """
import fcntl, os, sys, time
folder, size = sys.argv[1], int(sys.argv[2])
held = []
for number in range(size):
    descriptor = os.open(os.path.join(folder, 'slot-%d' % number), os.O_RDWR | os.O_CREAT, 0o600)
    fcntl.flock(descriptor, fcntl.LOCK_EX)
    held.append(descriptor)
print('held', flush=True)
time.sleep(60)
"""


def test_the_folder_is_private_to_the_user(tmp_path):
    budget = SlotBudget('10.1.1.1:28443', 3, root=str(tmp_path / 'root'))
    assert budget.shared
    assert stat.S_IMODE(os.lstat(budget.folder).st_mode) == 0o700 and os.lstat(budget.folder).st_uid == os.getuid()
    # keyed by the address: another CC-CMS has a budget of its own
    assert SlotBudget('10.1.1.2:28443', 3, root=str(tmp_path / 'root')).folder != budget.folder


def test_the_root_is_under_the_runtime_folder(tmp_path, monkeypatch):
    monkeypatch.setenv('XDG_RUNTIME_DIR', str(tmp_path))
    (tmp_path / 'aicc_cms').mkdir(mode=0o755)  # made by someone with a lax umask: tightened
    assert budget_root() == str(tmp_path / 'aicc_cms')
    assert stat.S_IMODE(os.lstat(tmp_path / 'aicc_cms').st_mode) == 0o700


def test_threads_of_one_process_exclude_each_other(tmp_path):
    budget = SlotBudget('10.1.1.1:28443', 2, root=str(tmp_path))
    in_flight, peak, lock = [0], [0], threading.Lock()

    def exchange():
        with budget.slot(lambda: 5.0):
            with lock:
                in_flight[0] += 1
                peak[0] = max(peak[0], in_flight[0])
            time.sleep(0.02)
            with lock:
                in_flight[0] -= 1

    threads = [threading.Thread(target=exchange) for _number in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert peak[0] == 2


def test_slots_held_by_another_process_are_waited_for_and_recovered_when_it_dies(tmp_path):
    budget = SlotBudget('10.1.1.1:28443', 3, root=str(tmp_path), sleep=lambda _seconds: time.sleep(0.01))
    holder = subprocess.Popen(
        [sys.executable, '-c', HOLD_EVERY_SLOT, budget.folder, '3'], stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout.readline().strip() == 'held'
        ends = time.monotonic() + 0.3
        with pytest.raises(NoSlot):
            with budget.slot(lambda: ends - time.monotonic()):
                pass
    finally:
        holder.kill()
        holder.wait()
    # the kernel dropped the dead process's locks: no stale slot
    with budget.slot(lambda: 0.0) as waited:
        assert waited == 0.0 or waited < 1


def test_two_clients_of_one_cc_cms_share_one_budget(make_client):
    """Five forks of the module, or a module and a lookup, each with max_concurrency 3, never exceed 3 together."""
    counter = {'in_flight': 0, 'peak': 0}
    lock = threading.Lock()

    def handler(body, _index):
        with lock:
            counter['in_flight'] += 1
            counter['peak'] = max(counter['peak'], counter['in_flight'])
        time.sleep(0.01)
        with lock:
            counter['in_flight'] -= 1
        return 200, JSON_TYPE, success({'u#1': [terminal_row(body['EID'])]}, 1)

    clients = [make_client(handler, max_concurrency=3)[0] for _number in range(2)]
    eids = [f'88800{number:02d}' for number in range(24)]
    threads = [threading.Thread(target=lambda client=client: list(client.fetch_each(eids))) for client in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert counter['peak'] == 3


def test_no_free_slot_before_the_task_deadline_is_a_total_timeout(make_client):
    client, fake, _sleeps = make_client(
        lambda body, index: (200, JSON_TYPE, success({}, 0)), max_concurrency=1, total_timeout=0.3
    )
    budget_folder = client._budget.folder  # pylint: disable=protected-access
    holder = subprocess.Popen(
        [sys.executable, '-c', HOLD_EVERY_SLOT, budget_folder, '1'], stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout.readline().strip() == 'held'
        with pytest.raises(
            TotalTimeoutError, match=r'^total_timeout of 0.3 s ran out waiting for a free slot of the in-flight budget'
        ):
            client.fetch('8880001')
    finally:
        holder.kill()
        holder.wait()
    assert fake.calls == []
