"""A run's summary and status from its journeys and findings: one computation for runs, merges and reports."""
from __future__ import annotations

from collections import Counter
from typing import Any, Sequence

from .model import SEVERITIES, Finding
from .record import JUDGED, JourneyStatus, RunStatus, worst_severity
from .score import scores

JOURNEY_STATUSES = tuple(JourneyStatus)   # the summary counts each; `finished` (unjudged) only when there is one
RUN_STATUSES = tuple(s for s in RunStatus if s not in (RunStatus.RUNNING, RunStatus.INTERRUPTED, RunStatus.STOPPED))
NOT_APPLICABLE = JourneyStatus.NOT_APPLICABLE   # an outcome, not a finding: never scored, alerted or failed


def run_status(journeys: Sequence[Any], findings: Sequence[Finding]) -> RunStatus:
    """`error` when no journey ran (nothing audited is never clean), `setup_error` when the shopper's own set-up
    kept a journey (or the sweep) from running, else `incomplete` when a journey could not finish, else
    `findings` or `clean`; `not_applicable` when every journey was (nothing was audited, so never `clean`).
    Journeys are records (or results the judge settled), findings Findings."""
    from checks.registry import is_setup

    if not journeys:
        return RunStatus.ERROR
    statuses = {j.status for j in journeys}
    if statuses == {JourneyStatus.NOT_APPLICABLE} and not findings:
        return RunStatus.NOT_APPLICABLE
    if JourneyStatus.SETUP_ERROR in statuses or any(is_setup(f.kind) for f in findings):
        return RunStatus.SETUP_ERROR
    if JourneyStatus.INCOMPLETE in statuses or JourneyStatus.FINISHED in statuses:   # unjudged: unknown
        return RunStatus.INCOMPLETE
    return RunStatus.FINDINGS if findings else RunStatus.CLEAN


def run_summary(journeys: Sequence[Any], findings: Sequence[Finding], *, invalid: int, browser: str = "",
                **extra: Any) -> dict[str, Any]:
    """The `summary` of the run JSON and the store (docs/run.schema.json)."""
    js = [{"name": j.name, "tags": list(j.tags), "status": str(j.status)} for j in journeys]
    fs = [f.to_dict() for f in findings]
    by_kind = dict(Counter(f["kind"] for f in fs))
    by_severity = {s: n for s in SEVERITIES if (n := sum(f["severity"] == s for f in fs))}
    statuses = Counter(j["status"] for j in js)
    score = scores(js, fs)
    return {"journeys": len(js), "invalid": invalid, "findings": len(fs), "by_kind": by_kind,
            "by_severity": by_severity, "statuses": {str(s): statuses.get(s, 0) for s in JOURNEY_STATUSES
                                                if s in JUDGED or statuses.get(s)},
            "clean": statuses.get("clean", 0), "browser": browser, "score": score["overall"],
            "processes": score["processes"], "incomplete_processes": score["incomplete"], **extra}


def apply_statuses(journeys: list[Any], judged: Sequence[Any]) -> None:
    """The judge's statuses (its records, in the same order) onto the runner's results that the AuditResult
    shows: decided once, by `shopper.record.settled`, copied here."""
    for j, record in zip(journeys, judged, strict=True):
        j.status, j.worst = record.status, record.worst
        for step, s in zip(j.steps, record.steps):
            step.status = s.status


def progress_status(result: Any, findings: list[Any]) -> str:
    """What a progress line says of a journey just run: never 'passed' beside a finding. Mail that comes later
    (answers, bounces) is judged by the sweep, so a journey without findings yet says so."""
    not_run = sum(s.status == "skipped" for s in result.steps)
    if result.status == "setup_error":
        return f"setup error, not scored: {result.error}"
    if result.status == NOT_APPLICABLE:
        return f"not applicable, not scored: {getattr(result, 'reason', None) or result.error}"
    from .reachability import short_error

    mine = [f for f in findings if f.journey == result.name]
    found = f"{len(mine)} finding(s), worst {worst_severity(f.severity for f in mine)}" if mine else ""
    failed = [s for s in result.steps if s.status == "failed"]
    why = "; ".join(f"step {s.index + 1} ({short_error(s.label, 60)}) failed: {short_error(s.error)}" for s in failed[:2])
    if result.error and result.error.startswith("not "):   # not started / not run: the reason says it all
        why = short_error(result.error)
    if result.status == "incomplete":
        return f"incomplete ({not_run} step(s) not run){', ' + found if found else ''}{': ' + why if why else ''}"
    return (found or "no findings so far") + (f": {why}" if why else "")
