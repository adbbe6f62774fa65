# Copyright (c) 2026 aicc.cms contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The baseline of benchmark 2: what a user would write with plain ``requests``, one query after another.

It sends the same bounded EIDs as the collection (the planner is measured on its own in
benchmark 3), signs every request, pages with limit/offset and decodes the JSON, but has no
concurrency, retries or validation. It reuses the collection's signer: signing is not what is
compared, and the algorithm must not be copied.
"""

from __future__ import annotations

import json

import requests
from ansible_collections.aicc.cms.plugins.module_utils._query.signer import sign

API_PATH = '/rest/cmsapp/v1/openapi/uap/queryterminalstatus'
PAGE_SIZE = 100


def query_sequentially(url: str, access_key: str, secret_key: str, ca_path: str, eids: list[str]) -> dict[str, dict]:
    """``{equipmentId: {uap: registerStatus}}`` for every EID, one request at a time."""
    host = url.split('://', 1)[1]
    found: dict[str, dict] = {}
    with requests.Session() as session:
        for eid in eids:
            offset = 0
            while True:
                body = json.dumps({'EID': eid, 'limit': PAGE_SIZE, 'offset': offset}, separators=(',', ':')).encode(
                    'utf-8'
                )
                headers = {
                    'Content-Type': 'application/json;charset=UTF-8',
                    'Host': host,
                    'Authorization': sign(access_key, secret_key, 'POST', API_PATH, host, body),
                }
                response = session.post(url + API_PATH, data=body, headers=headers, verify=ca_path, timeout=30)
                response.raise_for_status()
                answer = response.json()
                if answer['resultCode'] != '0100000':
                    raise RuntimeError(f'EID {eid}: {answer["resultDesc"]}')
                ids_on_page = set()
                for uap, rows in (answer['resultDesc'].get('data') or {}).items():
                    for row in rows:
                        ids_on_page.add(row['equipmentId'])
                        found.setdefault(row['equipmentId'], {})[uap] = row['registerStatus']
                offset += PAGE_SIZE
                if len(ids_on_page) < PAGE_SIZE or offset >= int(answer['resultDesc'].get('count') or 0):
                    break
    return found
