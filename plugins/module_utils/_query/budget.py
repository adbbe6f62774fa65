# Copyright (c) 2026 aicc.cms contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""One in-flight budget per CC-CMS for every process of the collection on this host.

The API's limit of 10 requests in flight is per CC-CMS, but forks, lookups, inventories and
playbooks run in processes of their own. They share the budget through lock files: slot ``i`` of
an endpoint is the file ``slot-<i>`` in a private folder of the user keyed by the CC-CMS address,
held with a non-blocking ``flock`` for the duration of one exchange. A client of max_concurrency N
uses slots 0 to N-1, so the server never sees more requests from this host than the largest
max_concurrency in use. The kernel drops the lock of a process that dies: no slot stays stale.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import random
import stat
import tempfile
import time
import typing as t

try:
    import fcntl
except ImportError:  # not a POSIX host: the budget stays per process
    HAS_FCNTL = False
else:
    HAS_FCNTL = True

POLL_SECONDS = 0.02
FOLDER_NAME = 'aicc_cms'


class NoSlot(Exception):
    """No slot became free before the deadline; ``waited`` seconds were spent waiting."""

    def __init__(self, waited: float) -> None:
        super().__init__(f'no free slot after {waited:g} s')
        self.waited = waited


def _private_folder(path: str) -> str:
    """``path`` as a folder only this user can enter (created with mode 0700), else OSError."""
    os.makedirs(path, mode=0o700, exist_ok=True)
    status = os.lstat(path)
    if not stat.S_ISDIR(status.st_mode) or status.st_uid != os.getuid():
        raise OSError(f'{path} is not a folder of this user')
    if stat.S_IMODE(status.st_mode) & 0o077:
        os.chmod(path, 0o700)
    return path


def budget_root() -> str | None:
    """The user's private folder of budgets: under $XDG_RUNTIME_DIR, ~/.ansible/tmp or the temp folder, the first that works."""
    uid = os.getuid()
    candidates = []
    runtime = os.environ.get('XDG_RUNTIME_DIR')
    if runtime and os.path.isabs(runtime):
        candidates.append(os.path.join(runtime, FOLDER_NAME))
    candidates.append(os.path.join(os.path.expanduser('~'), '.ansible', 'tmp', f'{FOLDER_NAME}-{uid}'))
    candidates.append(os.path.join(tempfile.gettempdir(), f'{FOLDER_NAME}-{uid}'))
    for candidate in candidates:
        try:
            return _private_folder(candidate)
        except OSError:
            continue
    return None


class SlotBudget:
    """``size`` slots of the budget of ``address``; ``folder`` is None when no private folder could be made."""

    def __init__(
        self, address: str, size: int, root: str | None = None, sleep: t.Callable[[float], None] = time.sleep
    ) -> None:
        self.address = address
        self.size = size
        self._sleep = sleep
        self.folder: str | None = None
        root = root if root is not None else budget_root()
        if root is not None and HAS_FCNTL:
            try:
                self.folder = _private_folder(
                    os.path.join(root, hashlib.sha256(address.lower().encode('utf-8')).hexdigest()[:20])
                )
            except OSError:
                self.folder = None

    @property
    def shared(self) -> bool:
        """Whether the slots are shared with the other processes of this host."""
        return self.folder is not None

    def _try_each(self) -> int | None:
        """A file descriptor holding a free slot, or None when every slot is held."""
        folder = self.folder
        if folder is None:
            return None
        first = random.randrange(self.size)  # nosec: spreads the processes over the slots, no security purpose
        for step in range(self.size):
            path = os.path.join(folder, f'slot-{(first + step) % self.size}')
            descriptor = os.open(
                path, os.O_RDWR | os.O_CREAT | getattr(os, 'O_NOFOLLOW', 0) | getattr(os, 'O_CLOEXEC', 0), 0o600
            )
            try:
                # Each open file description locks on its own, so threads of one process exclude each other too.
                fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                os.close(descriptor)
                continue
            return descriptor
        return None

    @contextlib.contextmanager
    def slot(self, remaining: t.Callable[[], float]) -> t.Iterator[float]:
        """Hold one slot for the body of the ``with``; yields the seconds waited for it.

        Waits in short sleeps while ``remaining()`` (seconds) is above 0, then raises NoSlot.
        """
        if self.folder is None:
            yield 0.0
            return
        started = time.monotonic()
        descriptor = self._try_each()
        while descriptor is None:
            left = remaining()
            if left <= 0:
                raise NoSlot(time.monotonic() - started)
            self._sleep(min(left, POLL_SECONDS * (1 + random.random())))  # nosec: jitter only
            descriptor = self._try_each()
        try:
            yield time.monotonic() - started
        finally:
            os.close(descriptor)  # closing the only descriptor of the lock releases it
