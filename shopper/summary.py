"""A run's summary and status from its journeys and findings: one computation for runs, merges and reports."""
from __future__ import annotations

from collections import Counter
from typing import Any, Iterable

from .model import SEVERITIES
from .score import scores

JOURNEY_STATUSES = ("clean", "findings", "incomplete", "setup_error", "not_applicable")
RUN_STATUSES = ("clean", "findings", "incomplete", "setup_error", "error", "not_applicable")
NOT_APPLICABLE = "not_applicable"   # an outcome, not a finding: never scored, alerted or failed (docs/reports.md)


def worst_severity(severities: Iterable[str]) -> str | None:
    """'critical' of ['minor', 'critical']; None when there is none."""
    ranked = [SEVERITIES.index(s) for s in severities if s in SEVERITIES]
    return SEVERITIES[min(ranked)] if ranked else None


def _get(obj: Any, key: str, default: Any = None) -> Any:
    return obj.get(key, default) if isinstance(obj, dict) else getattr(obj, key, default)


def run_status(journeys: list[Any], findings: list[Any]) -> str:
    """`error` when no journey ran (nothing audited is never clean), `setup_error` when the shopper's own set-up
    kept a journey (or the sweep) from running, else `incomplete` when a journey could not finish, else
    `findings` or `clean`; `not_applicable` when every journey was (nothing was audited, so never `clean`)."""
    from checks.registry import is_setup

    if not journeys:
        return "error"
    statuses = {_get(j, "status") for j in journeys}
    if statuses == {NOT_APPLICABLE} and not findings:
        return NOT_APPLICABLE
    if "setup_error" in statuses or any(is_setup(_get(f, "kind")) for f in findings):
        return "setup_error"
    if "incomplete" in statuses:
        return "incomplete"
    return "findings" if findings else "clean"


def run_summary(journeys: list[Any], findings: list[Any], *, invalid: int, browser: str = "",
                **extra: Any) -> dict[str, Any]:
    """The `summary` of the run JSON and the store (docs/run.schema.json). Journeys and findings may be
    result objects or their dicts."""
    js = [j if isinstance(j, dict) else {"name": j.name, "tags": list(j.tags), "status": j.status} for j in journeys]
    fs = [f if isinstance(f, dict) else f.to_dict() for f in findings]
    by_kind = dict(Counter(f["kind"] for f in fs))
    by_severity = {s: n for s in SEVERITIES if (n := sum(f["severity"] == s for f in fs))}
    statuses = Counter(j["status"] for j in js)
    score = scores(js, fs)
    return {"journeys": len(js), "invalid": invalid, "findings": len(fs), "by_kind": by_kind,
            "by_severity": by_severity, "statuses": {s: statuses.get(s, 0) for s in JOURNEY_STATUSES},
            "clean": statuses.get("clean", 0), "browser": browser, "score": score["overall"],
            "processes": score["processes"], "incomplete_processes": score["incomplete"], **extra}


def settle_statuses(journeys: list[Any], findings: list[Any]) -> None:
    """After the checks: a finished journey with findings is `findings` (with its worst severity), and a step
    that produced findings is marked `findings` (never `passed` beside a finding)."""
    for j in journeys:
        mine = [f for f in findings if f.journey == j.name]
        j.worst = worst_severity(f.severity for f in mine)
        if j.status in ("clean", NOT_APPLICABLE) and mine:   # never "not applicable" beside a finding
            j.status = "findings"
        steps_with = {f.step for f in mine if f.step is not None}
        for s in j.steps:
            if s.status == "passed" and s.index in steps_with:
                s.status = "findings"


def settle_stored_statuses(store: Any, run_id: str) -> None:
    """settle_statuses for a run already in the store (findings added later, e.g. by a sweep)."""
    from types import SimpleNamespace

    findings = [SimpleNamespace(journey=f["journey"], step=f["step"], severity=f["severity"])
                for f in store.findings(run_id)]
    for j in store.journeys(run_id):
        steps = [SimpleNamespace(index=s["idx"], status=s["status"]) for s in j["steps"]]
        view = SimpleNamespace(name=j["name"], status=j["status"], steps=steps, worst=None)
        settle_statuses([view], findings)
        if view.status != j["status"] or [s.status for s in steps] != [s["status"] for s in j["steps"]]:
            store.save_statuses(run_id, view)


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
