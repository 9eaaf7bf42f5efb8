"""A run record -> JUnit XML: one test case per journey, at most one <failure> or <error> in it, for CI dashboards.

What common viewers read decides the shape. Jenkins' JUnit plugin (CaseResult) keeps the text and the
message of a test case's first <error> or <failure>; GitLab's unit test report shows the first one's
text (and once ignored the message attribute), and screenshots named `[[ATTACHMENT|path]]` in
<system-out>; GitHub's JUnit report actions (mikepenz/action-junit-report, dorny/test-reporter) annotate
from the first one too. So a journey gets ONE <failure> whose message counts and names its findings and
whose text lists every finding with its evidence — or one <error> (the journey could not finish, or the
shopper's set-up stopped it) whose text lists the failed steps and the findings all the same.

Counting follows the usual JUnit convention: `tests` counts test cases; a test case counts once, as an
error if it has an <error>, else as a failure if it has a <failure>. Findings marked flaky (`data.flaky`)
are reported in <system-out> and a `flaky` property, never as failures.
"""
from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from shopper.atomic import write_atomic
from shopper.model import Finding
from shopper.record import InvalidFile, JourneyRecord, JourneyStatus, RunRecord, StepStatus
from shopper.verdict import evidence_paths, fail_reason, finding_text

SUITE_NAME = "mystery-shopper"
SEVERITY_ORDER = {"critical": 0, "major": 1, "minor": 2, "info": 3}
ORPHAN_CLASSNAME = "mystery-shopper"   # findings of no journey in this run (a sweep's "(mailbox)")
# XML 1.0 forbids these even as character references; everything else ElementTree escapes.
_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def clean(text: Any) -> str:
    """`text` as a string that XML 1.0 can hold (forbidden characters dropped)."""
    return _FORBIDDEN.sub("", "" if text is None else str(text))


def _seconds(ms: Any) -> str:
    try:
        return f"{max(float(ms), 0.0) / 1000:.3f}"
    except (TypeError, ValueError):
        return "0.000"


def _suite_time(run: RunRecord) -> str:
    try:
        delta = datetime.fromisoformat(run.finished_at) - datetime.fromisoformat(run.started_at)
    except (TypeError, ValueError):
        return "0.000"
    return f"{max(delta.total_seconds(), 0.0):.3f}"


def _timestamp(value: Any) -> str:
    """JUnit's xs:dateTime without a zone (the schema's pattern): the run's start, in UTC."""
    try:
        t = datetime.fromisoformat(str(value))
    except ValueError:
        return clean(value)
    if t.tzinfo is not None:
        t = t.astimezone(timezone.utc).replace(tzinfo=None)
    return t.replace(microsecond=0).isoformat()


def _is_flaky(finding: Finding) -> bool:
    return bool(finding.data.get("flaky"))


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: Any) -> ET.Element:
    el = ET.SubElement(parent, tag, {k: clean(v) for k, v in attrs.items()})
    if text is not None:
        el.text = clean(text)
    return el


def _add_results(case: ET.Element, findings: list[Finding], var_dir: Path | None,
                 error: tuple[str, str, str] | None = None, fail_on: tuple[str, ...] = ()) -> None:
    """Properties, error, failures, system-out: the element order JUnit readers expect. Findings that do not
    fail the run (flaky, or not selected by fail_on) go to system-out, not <failure>."""
    from checks.registry import is_setup

    setup = [f for f in findings if is_setup(f.kind)]   # the shopper's own set-up: an error
    if setup and error is None:
        f = setup[0]
        error = (f.title, "\n\n".join(finding_text(g, var_dir) for g in setup), "setup_error")
    findings = [f for f in findings if f not in setup]
    flaky = [f for f in findings if _is_flaky(f)]
    reported = [f for f in findings if not _is_flaky(f) and not fail_reason(f, fail_on)]
    if flaky:
        props = _sub(case, "properties")
        for f in flaky:
            _sub(props, "property", name="flaky", value=f"{f.kind}: {f.title}")
    failing = sorted((f for f in findings if not _is_flaky(f) and fail_reason(f, fail_on)),
                     key=lambda f: SEVERITY_ORDER.get(f.severity, 9))
    listed = "\n\n".join(f"{n}. [{f.severity}] {f.kind}: {f.title}\n"
                          f"{finding_text(f, var_dir)}" for n, f in enumerate(failing, 1))
    if error is not None:   # one element per test case: the error, with the findings in its text
        text = error[1] + (f"\n\nFindings ({len(failing)}):\n\n{listed}" if failing else "")
        _sub(case, "error", text, type=error[2], message=error[0])
    elif failing:
        kinds = list(dict.fromkeys(f.kind for f in failing))
        _sub(case, "failure", listed, type=kinds[0] if len(kinds) == 1 else "findings",
             message=failing[0].title if len(failing) == 1 else
             f"{len(failing)} findings: " + "; ".join(f"[{f.severity}] {f.title}"
                                                       for f in failing))
    out = [f"flaky: [{f.severity}] {f.kind}: {f.title}\n{finding_text(f, var_dir)}"
           for f in flaky]
    out += [f"reported, not failing (fail-on {','.join(fail_on)}): [{f.severity}] {f.kind}: "
            f"{f.title}\n{finding_text(f, var_dir)}" for f in reported]
    shots = [p for f in failing for p in evidence_paths(f.evidence, var_dir) if p.endswith(".png")]
    if shots:   # GitLab shows it beside the failed test (Jenkins' attachments plugin reads it too)
        out.append(f"[[ATTACHMENT|{shots[0]}]]")
    if out:
        _sub(case, "system-out", "\n".join(out))


ERRORS = {  # journey status -> (JUnit error type, message when the journey has no error text)
    JourneyStatus.SETUP_ERROR: ("setup_error",
                                "the shopper's own set-up kept the journey from running (not a finding)"),
    JourneyStatus.INCOMPLETE: ("incomplete", "the journey could not finish: later steps did not run"),
    JourneyStatus.FINISHED: ("not_judged", "the journey finished but its run was interrupted before its checks "
                                           "ran: what it would have found is unknown"),
}


def _journey_case(suite: ET.Element, journey: JourneyRecord, findings: list[Finding], var_dir: Path | None,
                  fail_on: tuple[str, ...] = ()) -> ET.Element:
    path = journey.path
    case = _sub(suite, "testcase", classname=f"journeys.{Path(path).stem}", name=journey.name,
                file=path, time=_seconds(journey.duration_ms))
    error = None
    if journey.status == JourneyStatus.NOT_APPLICABLE and not findings:   # an outcome, not a failure: skipped
        _sub(case, "skipped", message=f"not applicable: {journey.reason or 'the journey does not apply'}")
        return case
    if journey.status in ERRORS:
        kind, default = ERRORS[journey.status]
        message = str(journey.error or default)
        error = (message, _journey_error_text(journey, message, var_dir), kind)
    _add_results(case, findings, var_dir, error, fail_on)
    return case


def _journey_error_text(journey: JourneyRecord, message: str, var_dir: Path | None) -> str:
    lines = [message]
    for s in journey.steps:
        if s.status in (StepStatus.FAILED, StepStatus.SETUP_ERROR):
            lines.append(f"step {s.index + 1} ({s.label}, line {s.line or '?'}): {s.error or 'failed'}")
    lines += [f"evidence: {p}" for p in evidence_paths(journey.evidence, var_dir)]
    return "\n".join(lines)


def _invalid_case(suite: ET.Element, invalid: InvalidFile) -> ET.Element:
    path = invalid.path
    problems = list(invalid.problems)
    case = _sub(suite, "testcase", classname=f"journeys.{Path(path).stem}", name=Path(path).name, file=path,
                time="0.000")
    _sub(case, "error", "\n".join(problems), type="validation",
         message=f"{path}: {len(problems)} problem(s)" + (f"; first: {problems[0]}" if problems else ""))
    return case


def junit_xml(run: RunRecord, *, var_dir: Path | None = None, fail_on: list[str] | tuple[str, ...] = ()) -> str:
    """The JUnit XML of one run.

    >>> from shopper.record import RunStatus
    >>> junit_xml(RunRecord("r", "2026-01-05T09:00:00+00:00", "2026-01-05T09:00:01+00:00", RunStatus.ERROR, {}))[:39]
    '<?xml version="1.0" encoding="utf-8"?>\\n'
    """
    var_dir = Path(var_dir) if var_dir is not None else None
    fail_on = tuple(fail_on)
    by_journey: dict[str, list[Finding]] = {}
    for f in run.findings:
        by_journey.setdefault(f.journey, []).append(f)
    root = ET.Element("testsuites", {"name": SUITE_NAME})
    suite = _sub(root, "testsuite", name=SUITE_NAME, timestamp=_timestamp(run.started_at),
                 time=_suite_time(run), id=run.run_id)
    props = _sub(suite, "properties")
    _sub(props, "property", name="run_id", value=run.run_id)
    if run.summary.get("browser"):
        _sub(props, "property", name="browser", value=run.summary["browser"])
    cases = []
    seen = set()
    for j in run.journeys:
        name = j.name
        cases.append(_journey_case(suite, j, by_journey.get(name, []) if name not in seen else [], var_dir, fail_on))
        seen.add(name)
    for name, orphans in by_journey.items():
        if name not in seen:
            case = _sub(suite, "testcase", classname=ORPHAN_CLASSNAME, name=name, time="0.000")
            _add_results(case, orphans, var_dir, fail_on=fail_on)
            cases.append(case)
    cases += [_invalid_case(suite, inv) for inv in run.invalid]
    errors = sum(c.find("error") is not None for c in cases)
    failures = sum(c.find("error") is None and c.find("failure") is not None for c in cases)
    skipped = sum(c.find("skipped") is not None for c in cases)
    counts = {"tests": len(cases), "failures": failures, "errors": errors, "skipped": skipped}
    suite.attrib.update({k: str(v) for k, v in counts.items()})
    root.attrib.update({k: str(v) for k, v in counts.items() if k != "skipped"})   # not a testsuites attribute
    root.set("time", suite.get("time", "0.000"))
    ET.indent(root)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def write_junit(run: RunRecord, path: str | Path, var_dir: Path | None = None,
                fail_on: list[str] | tuple[str, ...] = ()) -> Path:
    """Write `junit_xml(run, fail_on=...)` to `path` (parents created); returns the path."""
    out = Path(path)
    write_atomic(out, junit_xml(run, var_dir=var_dir, fail_on=fail_on), what="JUnit XML")
    return out
