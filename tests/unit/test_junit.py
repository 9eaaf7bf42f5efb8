"""JUnit XML from a run record (decoded from run JSON): counts, names, failures per finding, flaky findings, validation errors, hostile text."""
from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from reports.junit import junit_xml, write_junit
from shopper.record import RunRecord, decode

HOSTILE = "<script>alert('x')</script> & \"q\" ]]> \x00\x07\x1b\x0b\x0c\ufffe\ud800 end"
HOSTILE_CLEAN = "<script>alert('x')</script> & \"q\" ]]>  end"
TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$")   # xs:dateTime as the JUnit schema's pattern


def finding(kind: str, journey: str, title: str, *, severity: str = "major", detail: str = "",
            evidence: tuple[str, ...] = (), flaky: bool = False, step: int | None = 1) -> dict:
    return {"kind": kind, "severity": severity, "journey": journey, "step": step, "title": title,
            "detail": detail, "subject": f"subject of {title}", "fingerprint": f"fp-{kind}-{journey}",
            "evidence": list(evidence), "data": {"flaky": True} if flaky else {}, "reason": None}


def journey(name: str, path: str, status: str = "clean", *, duration_ms: float = 1500.0,
            error: str | None = None, steps: list[dict] | None = None) -> dict:
    return {"name": name, "path": path, "site": None, "tags": ["web"], "status": status,
            "started_at": "2026-01-05T09:00:00+00:00", "duration_ms": duration_ms, "error": error,
            "evidence": [], "blocked_requests": {}, "steps": steps or []}


def run(journeys: list[dict], findings: list[dict], invalid: list[dict] | None = None) -> RunRecord:
    return decode({"schema": "mystery-shopper/run/v1", "run_id": "20260105T090000Z-1a2b3c",
            "started_at": "2026-01-05T09:00:00.250000+00:00", "finished_at": "2026-01-05T09:00:12.750000+00:00",
            "status": "findings" if findings else "clean", "summary": {"browser": "system: chromium 1"},
            "journeys": journeys, "findings": findings, "invalid": invalid or []})


MIXED = run(
    [journey("home_page", "journeys/home.yaml", duration_ms=250.0),
     journey("browse_shop", "journeys/browse_shop.yaml", duration_ms=4321.0),
     journey("checkout", "journeys/checkout.yaml", "incomplete", error="journey timed out after 2m",
             steps=[{"index": 2, "kind": "click", "label": "click #pay", "status": "failed", "line": 9,
                     "error": "timed out waiting for #pay", "duration_ms": 1.0}])],
    [finding("broken_link", "browse_shop", "Broken link to /careers (HTTP 404)", severity="minor",
             evidence=("artifacts/r/browse-shop/step-03.png",)),
     finding("page_error", "browse_shop", "Page /reviews answered HTTP 500",
             detail="GET /reviews (document) → 500", evidence=("artifacts/r/browse-shop/step-07.png",)),
     finding("step_failed", "checkout", "Step 3 failed: click #pay"),
     finding("probe_unavailable", "(mailbox)", "Mailbox imap.example.test:993 unreachable", step=None)],
    [{"path": "journeys/bad.yaml",
      "problems": ["journeys/bad.yaml:5:5: 'clik' is not a step kind; did you mean 'click'?",
                   "journeys/bad.yaml:12:14: step 8.timeout: expected a duration like '30s', got 'soon'"]}])


def parse(xml: str) -> ET.Element:
    assert xml.startswith('<?xml version="1.0" encoding="utf-8"?>')
    return ET.fromstring(xml.encode("utf-8"))


def cases(root: ET.Element) -> dict[str, ET.Element]:
    return {c.get("name"): c for c in root.iter("testcase")}


def test_one_suite_with_the_counts_of_test_cases():
    root = parse(junit_xml(MIXED))
    assert root.tag == "testsuites"
    [suite] = root.findall("testsuite")
    assert suite.get("name") == "mystery-shopper"
    # home clean; browse_shop failed; checkout incomplete, (mailbox) a set-up error, bad.yaml invalid
    assert {k: suite.get(k) for k in ("tests", "failures", "errors", "skipped")} == \
        {"tests": "5", "failures": "1", "errors": "3", "skipped": "0"}
    assert {k: root.get(k) for k in ("tests", "failures", "errors")} == {"tests": "5", "failures": "1", "errors": "3"}
    assert suite.get("time") == "12.500"
    assert TIMESTAMP.match(suite.get("timestamp")) and suite.get("timestamp") == "2026-01-05T09:00:00"
    props = {p.get("name"): p.get("value") for p in suite.find("properties")}
    assert props == {"run_id": "20260105T090000Z-1a2b3c", "browser": "system: chromium 1"}


def test_a_test_case_per_journey_named_by_journey_and_file():
    got = cases(parse(junit_xml(MIXED)))
    assert list(got) == ["home_page", "browse_shop", "checkout", "(mailbox)", "bad.yaml"]
    home = got["home_page"]
    assert (home.get("classname"), home.get("file"), home.get("time")) == ("journeys.home", "journeys/home.yaml", "0.250")
    assert len(home) == 0
    assert got["browse_shop"].get("classname") == "journeys.browse_shop"
    assert got["browse_shop"].get("time") == "4.321"
    for case in got.values():   # the schema's required attributes
        assert case.get("name") and case.get("classname") and case.get("time")


def test_one_failure_per_test_case_lists_every_finding_with_its_evidence():
    """Jenkins, GitLab and GitHub's reporters show a test case's first <failure> only: it must say it all."""
    browse = cases(parse(junit_xml(MIXED)))["browse_shop"]
    [failure] = browse.findall("failure")
    assert failure.get("type") == "findings"
    assert failure.get("message") == ("2 findings: [major] Page /reviews answered HTTP 500; "
                                      "[minor] Broken link to /careers (HTTP 404)")   # most severe first
    first, second = failure.text.split("\n\n")
    assert first.startswith("1. [major] page_error: Page /reviews answered HTTP 500\nseverity: major")
    assert "detail: GET /reviews (document) → 500" in first and "fingerprint: fp-page_error-browse_shop" in first
    assert "evidence: artifacts/r/browse-shop/step-07.png" in first   # relative without var_dir
    assert "step: 2" in first                                          # shown 1-based
    assert second.startswith("2. [minor] broken_link: ") and "evidence: artifacts/r/browse-shop/step-03.png" in second
    assert browse.find("system-out").text == "[[ATTACHMENT|artifacts/r/browse-shop/step-07.png]]"


def test_evidence_is_made_absolute_with_the_var_dir(tmp_path):
    browse = cases(parse(junit_xml(MIXED, var_dir=tmp_path / "var")))["browse_shop"]
    [failure] = browse.findall("failure")
    assert f"evidence: {tmp_path / 'var' / 'artifacts/r/browse-shop/step-03.png'}" in failure.text


def test_a_journey_that_erred_has_an_error_with_its_failed_steps():
    checkout = cases(parse(junit_xml(MIXED)))["checkout"]
    [error] = checkout.findall("error")
    assert error.get("type") == "incomplete"
    assert error.get("message") == "journey timed out after 2m"
    assert "step 3 (click #pay, line 9): timed out waiting for #pay" in error.text
    assert "Findings (1):\n\n1. [major] step_failed: Step 3 failed: click #pay" in error.text
    assert [c.tag for c in checkout] == ["error"]   # one element: viewers read only the first


def test_findings_of_no_journey_in_the_run_get_their_own_test_case():
    mailbox = cases(parse(junit_xml(MIXED)))["(mailbox)"]
    assert mailbox.get("classname") == "mystery-shopper"
    assert mailbox.findall("failure") == []   # the shopper's own mailbox: a set-up error, not the site's failure
    [error] = mailbox.findall("error")
    assert error.get("type") == "setup_error" and "probe_unavailable" not in (error.get("message") or "")
    assert "step:" not in error.text and "unreachable" in error.get("message")


def test_invalid_files_are_validation_errors_listing_every_problem_with_line_and_col():
    bad = cases(parse(junit_xml(MIXED)))["bad.yaml"]
    assert (bad.get("classname"), bad.get("file")) == ("journeys.bad", "journeys/bad.yaml")
    [error] = bad.findall("error")
    assert error.get("type") == "validation"
    assert error.get("message").startswith("journeys/bad.yaml: 2 problem(s); first: journeys/bad.yaml:5:5: ")
    assert error.text.splitlines() == [
        "journeys/bad.yaml:5:5: 'clik' is not a step kind; did you mean 'click'?",
        "journeys/bad.yaml:12:14: step 8.timeout: expected a duration like '30s', got 'soon'"]


def test_flaky_findings_are_not_failures():
    data = run([journey("unsubscribe", "journeys/unsubscribe.yaml"), journey("contact", "journeys/contact.yaml")],
               [finding("slow_reply", "unsubscribe", "Reply took 3h", flaky=True),
                finding("slow_reply", "contact", "Reply took 5h", flaky=True),
                finding("no_reply", "contact", "No reply within 2d")])
    root = parse(junit_xml(data))
    suite = root.find("testsuite")
    assert (suite.get("tests"), suite.get("failures"), suite.get("errors")) == ("2", "1", "0")
    unsub, contact = cases(root)["unsubscribe"], cases(root)["contact"]
    assert unsub.find("failure") is None
    assert [(p.get("name"), p.get("value")) for p in unsub.find("properties")] == [("flaky", "slow_reply: Reply took 3h")]
    assert unsub.find("system-out").text.startswith("flaky: [major] slow_reply: Reply took 3h\n")
    assert [f.get("type") for f in contact.findall("failure")] == ["no_reply"]
    assert [c.tag for c in contact] == ["properties", "failure", "system-out"]


@pytest.mark.parametrize("where", ["journey name", "title", "detail", "kind", "path", "problem", "evidence"])
def test_hostile_text_stays_valid_xml_and_reads_back(where, tmp_path):
    name = HOSTILE if where == "journey name" else "j"
    path = f"journeys/{HOSTILE}.yaml" if where == "path" else "journeys/j.yaml"
    f = finding(HOSTILE if where == "kind" else "page_error", name, HOSTILE if where == "title" else "t",
                detail=HOSTILE if where == "detail" else "d", evidence=(HOSTILE,) if where == "evidence" else ())
    problems = [f"journeys/x.yaml:1:2: {HOSTILE}"] if where == "problem" else []
    data = run([journey(name, path)], [f], [{"path": "journeys/x.yaml", "problems": problems}])
    out = tmp_path / "out" / "junit.xml"
    write_junit(data, out)
    root = ET.parse(out).getroot()   # parses: escaped, forbidden characters dropped
    case = next(root.iter("testcase"))
    failure = case.find("failure")
    read = {"journey name": case.get("name"), "title": failure.get("message"), "kind": failure.get("type"),
            "path": case.get("file"), "detail": failure.text, "evidence": failure.text,
            "problem": root.findall(".//error")[-1].text}[where]
    assert HOSTILE_CLEAN in read
    assert "<script>" not in out.read_text(encoding="utf-8")


def test_newlines_in_a_message_survive_the_attribute():
    data = run([journey("j", "journeys/j.yaml")], [finding("page_error", "j", "line one\nline two")])
    failure = parse(junit_xml(data)).find(".//failure")
    assert failure.get("message") == "line one\nline two"


def test_an_empty_run_is_an_empty_suite():
    root = parse(junit_xml(run([], [])))
    suite = root.find("testsuite")
    assert (suite.get("tests"), suite.get("failures"), suite.get("errors")) == ("0", "0", "0")
    assert suite.findall("testcase") == []


def test_write_junit_returns_the_path(tmp_path):
    out = write_junit(MIXED, tmp_path / "a" / "b.xml", var_dir=Path("/srv/var"))
    assert out == tmp_path / "a" / "b.xml"
    assert "evidence: /srv/var/artifacts/r/browse-shop/step-07.png" in out.read_text(encoding="utf-8")


def test_read_back_with_a_junit_parser(tmp_path):
    """The file reads back with junitparser, as CI systems read it."""
    from junitparser import Error, Failure, JUnitXml

    from reports.junit import write_junit

    run = decode({
           "run_id": "r1", "started_at": "2026-01-05T09:00:00+00:00", "finished_at": "2026-01-05T09:01:00+00:00",
           "status": "findings", "summary": {},
           "journeys": [{"name": "shop", "path": "journeys/shop.yaml", "status": "findings", "duration_ms": 1200.0,
                         "steps": [], "tags": ["web"]},
                        {"name": "ok", "path": "journeys/ok.yaml", "status": "clean", "duration_ms": 800.0,
                         "steps": [], "tags": []}],
           "findings": [{"kind": "broken_link", "severity": "minor", "journey": "shop", "step": 2,
                         "title": "Broken link to <x>", "detail": "404", "subject": "/x", "fingerprint": "f1",
                         "evidence": [], "data": {}, "reason": None}],
           "invalid": [{"path": "journeys/bad.yaml", "problems": ["journeys/bad.yaml:5:5: 'clik' is not a step kind"]}]})
    path = write_junit(run, tmp_path / "junit.xml")
    xml = JUnitXml.fromfile(str(path))
    cases = {c.name: c for suite in xml for c in suite}
    assert set(cases) >= {"shop", "ok"}
    assert [type(r) for r in cases["shop"].result] == [Failure]
    assert cases["shop"].result[0].type == "broken_link" and cases["shop"].result[0].message == "Broken link to <x>"
    assert cases["ok"].is_passed
    bad = [c for c in cases.values() if any(isinstance(r, Error) for r in c.result)]
    assert len(bad) == 1 and "5:5" in bad[0].result[0].text
