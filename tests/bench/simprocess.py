# Copyright (c) 2026 aicc.cms contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The simulator as a separate process (its own GIL), driven through its state file and admin API."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests

TESTS_DIR = Path(__file__).resolve().parents[1]
START_TIMEOUT_SECONDS = 120


class SimulatorProcess:
    """``python -m simulator`` with its own secret; ``admin(...)`` calls its ``/_sim`` API."""

    def __init__(
        self,
        ranges: list[str],
        uaps: int = 1,
        latency_ms: float = 0.0,
        secret_key: str = 'bench-secret-key',
        extra_args: tuple[str, ...] = (),
    ) -> None:
        self.secret_key = secret_key
        self._state_dir = tempfile.TemporaryDirectory(prefix='aicc-bench-sim-')  # pylint: disable=consider-using-with
        self.state_file = Path(self._state_dir.name) / 'state.json'
        self._command = [
            sys.executable,
            '-m',
            'simulator',
            '--state-file',
            str(self.state_file),
            '--uaps',
            str(uaps),
            '--latency-ms',
            str(latency_ms),
            '--ranges',
            *ranges,
            *extra_args,
        ]
        self._process: subprocess.Popen | None = None
        self.state: dict = {}
        self.final_stats: dict | None = None

    def __enter__(self) -> SimulatorProcess:
        env = dict(os.environ, AICC_SIM_SECRET_KEY=self.secret_key)
        self._process = subprocess.Popen(
            self._command,
            env=env,
            cwd=TESTS_DIR,  # where the simulator package lives
            stdout=subprocess.PIPE,  # pylint: disable=consider-using-with
            stderr=subprocess.PIPE,
            text=True,
        )
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        while not self.state_file.exists():
            if self._process.poll() is not None:
                raise RuntimeError(
                    f'the simulator exited with code {self._process.returncode}: {self._process.stderr.read()}'
                )
            if time.monotonic() > deadline:
                raise RuntimeError(f'the simulator did not start within {START_TIMEOUT_SECONDS} s')
            time.sleep(0.05)
        self.state = json.loads(self.state_file.read_text(encoding='utf-8'))
        return self

    def __exit__(self, *exc_info) -> None:
        if self._process is not None and self._process.poll() is None:
            self._process.terminate()
            try:
                stdout, _stderr = self._process.communicate(timeout=30)
                lines = stdout.strip().splitlines()
                self.final_stats = json.loads(lines[-1]) if lines else None
            except (subprocess.TimeoutExpired, ValueError):
                self._process.kill()
                self._process.communicate()
        self._state_dir.cleanup()

    @property
    def url(self) -> str:
        return self.state['url']

    @property
    def access_key(self) -> str:
        return self.state['access_key']

    @property
    def ca_path(self) -> str:
        return self.state['ca_path']

    def connection(self) -> dict:
        """Keyword arguments of CmsClient for this simulator."""
        return {'url': self.url, 'access_key': self.access_key, 'secret_key': self.secret_key, 'ca_path': self.ca_path}

    def environment(self) -> dict:
        """The AICC_* variables the module reads through env_fallback."""
        return {
            'AICC_URL': self.url,
            'AICC_ACCESS_KEY': self.access_key,
            'AICC_SECRET_KEY': self.secret_key,
            'AICC_CA_PATH': self.ca_path,
        }

    def admin(self, method: str, route: str, payload=None) -> dict:
        response = requests.request(
            method, self.state['admin_url'] + route, json=payload, verify=self.ca_path, timeout=30
        )
        response.raise_for_status()
        return response.json()

    def stats(self) -> dict:
        return self.admin('GET', '/stats')

    def reset_stats(self) -> None:
        self.admin('POST', '/stats/reset')

    def set_latency(self, enabled: bool) -> None:
        """Every request waits the simulator's --latency-ms, or none does."""
        self.admin('POST', '/faults', {'faults': ['latency:1'] if enabled else [], 'seed': 0})
