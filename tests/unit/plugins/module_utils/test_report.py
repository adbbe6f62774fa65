# Copyright (c) 2026 aicc.cms contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Gate reports: the verdict in words and colour, escaping, one JUnit case per terminal."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import pytest

from ansible_collections.aicc.cms.plugins.module_utils._errors import OptionError
from ansible_collections.aicc.cms.plugins.module_utils._gate import evaluate
from ansible_collections.aicc.cms.plugins.module_utils._report import render

EVIL_UAP = '<script>alert("x")</script>#1'


def record(eid, registered, uap="10.0.0.1#1"):
    return {"equipment_id": eid, "registered": registered,
            "uaps": [{"uap": uap, "register_status": "registered" if registered else "not register"}]}


def module_result(registered=(), unregistered=(), unknown=(), uap="10.0.0.1#1", errors=()):
    terminals = {eid: record(eid, True, uap) for eid in registered}
    terminals.update({eid: record(eid, False, uap) for eid in unregistered})
    answer = {"terminals": terminals, "missing": [], "unknown": list(unknown)}
    if errors:
        answer.update(failed=True, errors=list(errors))
    return answer


@pytest.fixture(name="failed_post")
def fixture_failed_post():
    baseline = module_result(["1", "2", "3", "4"], ["5"])
    current = module_result(["1", "5"], ["2"], unknown=["4"], uap=EVIL_UAP, errors=["HTTP 503 <b>busy</b> for EID 4."])
    return evaluate(current, "post", baseline=baseline, checked_at="2026-01-01T00:00:00Z")


@pytest.fixture(name="passed_post")
def fixture_passed_post():
    return evaluate(module_result(["1", "2"]), "post", baseline=module_result(["1"], ["2"]), checked_at="2026-01-01T00:00:00Z")


def test_html_failed_banner_says_fail_in_words_and_colour(failed_post):
    page = render(failed_post, "html")
    assert 'class="banner fail"' in page and "<h1>FAIL &mdash; do not close the window: roll back or fix</h1>" in page
    assert "Regressed: registered before, not now (1)" in page
    assert "Missing: known before, absent now (1)" in page
    assert "Unknown: could not be queried (1)" in page
    assert "<script>" not in page and "&lt;script&gt;" in page
    assert "<b>busy</b>" not in page
    assert "10.0.0.1#1: registered &rarr; -<br>&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;#1: - &rarr; not register" in page


def test_html_passed_banner(passed_post):
    page = render(passed_post, "html")
    assert 'class="banner pass"' in page and "PASS &mdash; the window may close" in page
    assert "Recovered" in page and "Regressed" not in page


def test_markdown_escapes_and_summarises(failed_post):
    text = render(failed_post, "markdown")
    assert text.startswith("# FAIL ❌ AICC registration gate")
    assert "<b>" not in text and "\\<b\\>" in text
    assert "| regressed | 1 |" in text


def test_junit_has_a_case_per_terminal_with_failures_and_errors(failed_post):
    root = ET.fromstring(render(failed_post, "junit"))
    suite = root.find("testsuite")
    cases = {case.get("name"): case for case in suite.findall("testcase") if not case.get("classname").endswith(".blocks")}
    assert set(cases) == {"1", "2", "3", "4", "5"}
    assert cases["2"].find("failure").get("message") == "registered before the change, not registered now"
    assert cases["3"].find("failure") is not None  # missing
    assert cases["4"].find("error") is not None    # unknown
    assert cases["1"].find("failure") is None and cases["5"].find("failure") is None
    # The one ID block ("?" for these one-digit IDs) with the two regressions is a failing case too.
    (block,) = [case for case in suite.findall("testcase") if case.get("classname").endswith(".blocks")]
    assert block.get("name") == "?" and block.find("failure").get("message").startswith("2 regressed in block ?")
    assert (suite.get("tests"), suite.get("failures"), suite.get("errors")) == ("6", "3", "1")


def test_junit_pre_gate_case_for_reasons_no_terminal_carries():
    verdict = evaluate({"failed": True, "msg": "Authentication failed."}, "pre")
    suite = ET.fromstring(render(verdict, "junit")).find("testsuite")
    (case,) = suite.findall("testcase")
    assert case.get("name") == "gate" and "no baseline could be taken" in case.find("failure").get("message")
    assert suite.get("failures") == "1"


def test_json_is_the_whole_verdict(failed_post):
    assert json.loads(render(failed_post, "json"))["regressed"] == ["2"]


def test_pre_html_lists_not_registered_with_uap_status():
    verdict = evaluate(module_result(["1"], ["2"]), "pre", required_eids=["2"])
    page = render(verdict, "html")
    assert "FAIL &mdash; do not start the change" in page and "10.0.0.1#1: not register" in page


@pytest.mark.parametrize(("verdict", "fmt", "words"), [({"phase": "post"}, "html", "needs the verdict"), (None, "json", "needs the verdict")])
def test_bad_input(verdict, fmt, words):
    with pytest.raises(OptionError, match=words):
        render(verdict, fmt)


def test_unknown_format(passed_post):
    with pytest.raises(OptionError, match="Unknown report format 'pdf'; use one of html, markdown, junit, json."):
        render(passed_post, "pdf")


def test_post_reports_show_when_the_baseline_was_taken():
    baseline = dict(module_result(["1"]), taken_at="2025-12-24T08:00:00Z")
    verdict = evaluate(module_result(["1"]), "post", baseline=baseline, checked_at="2026-01-01T00:00:00Z")
    assert "<strong>baseline taken at 2025-12-24T08:00:00Z</strong>" in render(verdict, "html")
    assert "_Checked at 2026\\-01\\-01T00:00:00Z, against the baseline taken at 2025\\-12\\-24T08:00:00Z._" in render(verdict, "markdown")
    assert json.loads(render(verdict, "json"))["baseline_taken_at"] == "2025-12-24T08:00:00Z"


@pytest.mark.parametrize(("waited", "shown"), [(None, False), (0, False), (7, True)])
def test_html_mentions_the_wait_only_when_there_was_one(waited, shown):
    verdict = evaluate(module_result(["1"]), "post", baseline=module_result(["1"]), waited=waited)
    assert ("s for re-registration" in render(verdict, "html")) is shown
