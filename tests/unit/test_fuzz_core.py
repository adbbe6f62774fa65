# Copyright (c) 2026 aicc.cms contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Fuzzing beyond the core's own property tests: arbitrary planner input, the option layer, and the
whole query path (client, paging, retries, normaliser) under random HTTP answers.

Only the collection's own errors (AiccError) may escape, and an answer is never silently partial.

Every property runs derandomized (the same examples on every run and machine), and each value class a
random run once found is pinned as an explicit example: no run may pass or fail by chance.
"""

from __future__ import annotations

import json
import threading

from ansible_collections.aicc.cms.plugins.module_utils._errors import AiccError, ApiError, OptionError
from ansible_collections.aicc.cms.plugins.module_utils._options import MODULE_SPEC, check_values, validate_params
from ansible_collections.aicc.cms.plugins.module_utils._query.client import CmsClient
from ansible_collections.aicc.cms.plugins.module_utils._query.engine import query_status
from ansible_collections.aicc.cms.plugins.module_utils._query.planner import plan_queries
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from .plugins.scripted_cms import ScriptedCms

ANY_VALUE = st.recursive(
    st.none() | st.booleans() | st.integers(-10, 10**7) | st.floats(allow_nan=True) | st.text(max_size=12),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=4), children, max_size=3),
    max_leaves=12,
)
ID_TEXT = st.text(alphabet='0123456789?*%_-. a\u0663\u00b2', min_size=0, max_size=9)
RANGE_TEXT = st.builds(
    '{}-{}'.format, st.text('0123456789\u0663', max_size=5), st.text('0123456789 ', max_size=5)
) | st.text(max_size=12)


@settings(max_examples=400, deadline=None, derandomize=True)
@given(
    eids=ANY_VALUE | st.lists(ID_TEXT | st.integers(-5, 10**9), max_size=6),
    eid_ranges=ANY_VALUE | st.lists(RANGE_TEXT, max_size=3),
    max_matches=st.integers(-2, 250) | ANY_VALUE,
    allow_unbounded=st.booleans(),
    max_range_size=st.integers(-2, 20_000) | st.booleans(),
)
def test_planner_takes_anything_and_raises_only_its_errors(
    eids, eid_ranges, max_matches, allow_unbounded, max_range_size
):
    try:
        plan = plan_queries(
            eids=eids,
            eid_ranges=eid_ranges,
            max_matches_per_query=max_matches,
            allow_unbounded_wildcards=allow_unbounded,
            max_range_size=max_range_size,
        )
    except AiccError as error:
        assert str(error) and '\n' not in str(error)
        return
    for query in plan.queries:
        assert query.eid
        if query.wanted is not None and query.eid.count('?'):
            assert len(query.wanted) <= max_matches < 200


OPTION_NAMES = sorted(MODULE_SPEC)


@settings(max_examples=300, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.dictionaries(
        st.sampled_from(OPTION_NAMES),
        ANY_VALUE | st.sampled_from(['https://10.1.1.1:28443', '8880001-8880099', 'true']),
        max_size=8,
    )
)
@example({'cc_id': float('inf')})  # once found by a random run only: "cannot convert Infinity to integer"
@example({'cc_id': '1e1000000'})  # hung in argument parsing
@example({'retries': float('nan'), 'page_size': '.inf'})
@example({'max_range_size': 10**5000})  # "Exceeds the limit (4300 digits)"
@example({'total_timeout': '1e400', 'wait_timeout': True})
@example({'eids': [8], 'url': 'https://10.1.1.1:28443'})
@example({'eid_ranges': [8880000.0]})
@example({'access_key': 'a', 'ak': 'b'})
def test_option_layer_raises_only_option_errors(params):
    try:
        validated = validate_params(params, MODULE_SPEC)
    except OptionError as error:
        assert str(error)
        return
    check_values(validated)


# --- the whole query path under random answers -------------------------------------------------------------------

IDS = [f'88800{number:02d}' for number in range(12)]
ROW = st.fixed_dictionaries(
    {'equipmentId': st.sampled_from(IDS + ['', '9999999'])},
    optional={
        'registerStatus': st.sampled_from(['registered', 'not register', 'odd']) | ANY_VALUE,
        'socketStatus': st.sampled_from(['normal', 'fault']),
    },
)
PAGE = st.fixed_dictionaries(
    {
        'resultCode': st.sampled_from(['0100000', '0100000', '0100000', '0100002', '0101003']) | ANY_VALUE,
        'resultDesc': (
            st.fixed_dictionaries(
                {
                    'count': st.integers(0, 30) | ANY_VALUE,
                    'data': (
                        st.dictionaries(
                            st.sampled_from(['10.1.1.1#1', '10.1.1.2#2']), st.lists(ROW, max_size=12), max_size=2
                        )
                        | st.lists(ROW, max_size=4)
                        | ANY_VALUE
                    ),
                }
            )
            | ANY_VALUE
        ),
    }
)
ANSWER = st.tuples(
    st.sampled_from([200, 200, 200, 200, 401, 404, 429, 500, 503, 302]),
    st.sampled_from(['application/json;charset=UTF-8', 'text/html', 'text/plain', '']),
    PAGE.map(lambda page: json.dumps(page).encode()) | st.binary(max_size=40),
    st.integers(0, 200),  # where to cut the body: a truncated answer when shorter than it
)


class RandomAnswers:
    """A ScriptedCms handler serving the drawn answers in order (across threads), then empty pages."""

    def __init__(self, answers) -> None:
        self._answers = list(answers)
        self._lock = threading.Lock()

    def __call__(self, _body: dict, _index: int):
        with self._lock:
            answer = (
                self._answers.pop(0)
                if self._answers
                else (200, 'application/json', b'{"resultCode":"0100000","resultDesc":{}}', 999)
            )
        status, content_type, body, cut = answer
        headers = {'Retry-After': '0'}
        if content_type:
            headers['Content-Type'] = content_type
        return status, headers, body[:cut]


@settings(max_examples=250, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(
    answers=st.lists(ANSWER, max_size=14),
    wanted=st.sets(st.sampled_from(IDS), min_size=1),
    retries=st.integers(0, 2),
    concurrency=st.integers(1, 3),
    page_size=st.sampled_from([1, 5, 100]),
)
def test_query_path_under_random_answers(answers, wanted, retries, concurrency, page_size):
    with CmsClient(
        'https://10.1.1.1:28443',
        'ak',
        'sk',
        retries=retries,
        max_concurrency=concurrency,
        page_size=page_size,
        sleep=lambda _seconds: None,
    ) as client:
        client.session.mount('https://', ScriptedCms(RandomAnswers(answers), access_key='ak', secret_key='sk'))
        # max_matches 5: the twelve IDs make several queries, exact IDs and patterns
        plan = plan_queries(eids=sorted(wanted), max_matches_per_query=5)
        result = query_status(client, plan)
        raw = [answer for _index, answer in client.fetch_each([query.eid for query in plan.queries])]
    found, missing, unknown = set(result['terminals']), set(result['missing']), set(result['unknown'])
    # never silently partial: each requested ID is found, missing or unknown, exactly once, and nothing else is reported
    assert found | missing | unknown == wanted
    assert not (found & missing or found & unknown or missing & unknown)
    assert bool(result['errors']) == bool(unknown)
    assert result['summary']['total'] == len(found) and result['summary']['unknown'] == len(unknown)
    for error in result['errors']:
        assert error.startswith('EID ') and '\n' not in error and 'Traceback' not in error
    for item in raw:
        assert isinstance(item, (list, ApiError))
