"""The one typed run record: a run, its journeys and steps as frozen values, the statuses defined once, and the
one codec to and from the run JSON (docs/run.schema.json).

Journeys run into mutable results (shopper.run.JourneyResult); the run's judge decides their statuses once,
and from then on a run is a `RunRecord`: the store saves and loads it, the run JSON, JUnit, the verdict,
merge and the job queue's finish read it.

    >>> record = decode({"schema": SCHEMA, "run_id": "r1", "started_at": "2026-01-05T09:00:00+00:00",
    ...                  "finished_at": "2026-01-05T09:00:01+00:00", "status": "clean", "summary": {},
    ...                  "journeys": [], "findings": [], "invalid": []})
    >>> record.status is RunStatus.CLEAN, encode(record)["status"]
    (True, 'clean')
"""
from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Iterable, Mapping

from .model import Finding, Observation

if TYPE_CHECKING:
    from .store.contract import RunStore

SCHEMA = "mystery-shopper/run/v1"


class Severity(StrEnum):
    CRITICAL = "critical"
    MAJOR = "major"
    MINOR = "minor"
    INFO = "info"


class JourneyStatus(StrEnum):
    """What a journey came to, decided once by the run's judge (docs/reports.md)."""

    CLEAN = "clean"
    FINDINGS = "findings"
    INCOMPLETE = "incomplete"           # it could not finish: what later steps would have found is unknown
    SETUP_ERROR = "setup_error"         # the shopper's own set-up kept it from running: not scored
    NOT_APPLICABLE = "not_applicable"   # an outcome, not a finding: never scored, alerted or failed
    FINISHED = "finished"               # what the runner saw: it came to its end (or to the step where the customer
    #                                     was blocked); not judged yet. The judge makes it clean or findings; a
    #                                     stored journey keeps it only when its run died before its judge.


JUDGED = tuple(s for s in JourneyStatus if s != JourneyStatus.FINISHED)   # what a judged journey can be


class RunStatus(StrEnum):
    CLEAN = "clean"
    FINDINGS = "findings"
    INCOMPLETE = "incomplete"
    SETUP_ERROR = "setup_error"
    ERROR = "error"                     # nothing ran: nothing audited is never clean
    NOT_APPLICABLE = "not_applicable"
    RUNNING = "running"                 # in the store only: until the run is finished,
    INTERRUPTED = "interrupted"         # its process died (shopper.interrupted),
    STOPPED = "stopped"                 # or `runner.py stop` ended it


class StepStatus(StrEnum):
    PASSED = "passed"
    FINDINGS = "findings"               # it ran and produced findings: never "passed" beside one
    FAILED = "failed"
    BLOCKED = "blocked"                 # the customer could not go on: a finding, later steps skipped
    SKIPPED = "skipped"
    SETUP_ERROR = "setup_error"
    NOT_APPLICABLE = "not_applicable"


@dataclass(frozen=True)
class StepRecord:
    index: int
    kind: str
    label: str
    status: StepStatus
    started_at: str = ""
    duration_ms: float = 0.0
    detail: str = ""
    error: str | None = None
    evidence: tuple[str, ...] = ()
    url: str | None = None
    title: str | None = None
    line: int = 0


@dataclass(frozen=True)
class JourneyRecord:
    name: str
    path: str
    tags: tuple[str, ...]
    status: JourneyStatus
    started_at: str
    duration_ms: float
    site: str | None = None
    error: str | None = None
    evidence: tuple[str, ...] = ()
    blocked_requests: Mapping[str, int] = field(default_factory=dict)
    worst: Severity | None = None       # the worst severity of its findings
    reason: str | None = None           # status not_applicable: why the journey does not apply to this shop
    steps: tuple[StepRecord, ...] = ()
    observations: tuple[Observation, ...] = ()   # what its steps saw (stored with it; not in the run JSON)


@dataclass(frozen=True)
class InvalidFile:
    path: str
    problems: tuple[str, ...]


@dataclass(frozen=True)
class RunRecord:
    run_id: str
    started_at: str
    finished_at: str
    status: RunStatus
    summary: Mapping[str, Any]
    journeys: tuple[JourneyRecord, ...] = ()
    findings: tuple[Finding, ...] = ()
    invalid: tuple[InvalidFile, ...] = ()


# -- from what ran ---------------------------------------------------------------------------------------------
def step_of(s: Any) -> StepRecord:
    """The record of a shopper.run.StepResult."""
    return StepRecord(s.index, s.kind, s.label, StepStatus(s.status), s.started_at, s.duration_ms, s.detail, s.error,
                      tuple(s.evidence), s.url, s.title, s.line)


def journey_of(r: Any) -> JourneyRecord:
    """The record of a shopper.run.JourneyResult (after the judge settled its statuses); a record is itself."""
    if isinstance(r, JourneyRecord):
        return r
    return JourneyRecord(r.name, r.path, tuple(r.tags), JourneyStatus(r.status), r.started_at, r.duration_ms,
                         r.site, r.error, tuple(r.evidence), dict(r.blocked_requests),
                         Severity(r.worst) if r.worst else None, r.reason, tuple(map(step_of, r.steps)),
                         tuple(r.observations))


def worst_severity(severities: Iterable[str]) -> Severity | None:
    """'critical' of ['minor', 'critical']; None when there is none."""
    order = list(Severity)
    ranked = [order.index(Severity(s)) for s in severities if s in order]
    return order[min(ranked)] if ranked else None


def settled(journey: JourneyRecord, findings: Iterable[Finding]) -> JourneyRecord:
    """The journey as its findings leave it: a finished journey is `clean`, or `findings` with its worst
    severity (as is a not applicable one with findings); a step that produced findings is `findings` (never
    `passed` beside one). Pure: the judge's one rule for statuses.

        >>> j = JourneyRecord("home", "journeys/home.yaml", (), JourneyStatus.FINISHED, "", 0.0)
        >>> settled(j, []).status, settled(j, [Finding("k", "major", "home", None, "t", "", "", "fp")]).status
        (<JourneyStatus.CLEAN: 'clean'>, <JourneyStatus.FINDINGS: 'findings'>)
    """
    from dataclasses import replace

    mine = [f for f in findings if f.journey == journey.name]
    status = JourneyStatus.CLEAN if journey.status == JourneyStatus.FINISHED else journey.status
    if status in (JourneyStatus.CLEAN, JourneyStatus.NOT_APPLICABLE) and mine:
        status = JourneyStatus.FINDINGS
    steps_with = {f.step for f in mine if f.step is not None}
    steps = tuple(replace(s, status=StepStatus.FINDINGS) if s.status == StepStatus.PASSED and s.index in steps_with
                  else s for s in journey.steps)
    return replace(journey, status=status, steps=steps, worst=worst_severity(f.severity for f in mine))


# -- the run JSON codec ----------------------------------------------------------------------------------------
def _step_json(s: StepRecord) -> dict[str, Any]:
    return {"index": s.index, "kind": s.kind, "label": s.label, "status": str(s.status), "started_at": s.started_at,
            "duration_ms": s.duration_ms, "detail": s.detail, "error": s.error, "evidence": list(s.evidence),
            "url": s.url, "title": s.title, "line": s.line}


def journey_json(j: JourneyRecord, with_observations: bool = False) -> dict[str, Any]:
    d = {"name": j.name, "path": j.path, "tags": list(j.tags), "status": str(j.status), "started_at": j.started_at,
         "duration_ms": j.duration_ms, "site": j.site, "error": j.error, "evidence": list(j.evidence),
         "blocked_requests": dict(j.blocked_requests), "worst": str(j.worst) if j.worst else None,
         "reason": j.reason, "steps": [_step_json(s) for s in j.steps]}
    if with_observations:
        d["observations"] = [o.to_dict() for o in j.observations]
    return d


def encode(record: RunRecord) -> dict[str, Any]:
    """The run JSON (docs/run.schema.json) of a record."""
    return {"schema": SCHEMA, "run_id": record.run_id, "started_at": record.started_at,
            "finished_at": record.finished_at, "status": str(record.status), "summary": dict(record.summary),
            "journeys": [journey_json(j) for j in record.journeys],
            "findings": [f.to_dict() for f in record.findings],
            "invalid": [{"path": i.path, "problems": list(i.problems)} for i in record.invalid]}


def _step(d: Mapping[str, Any]) -> StepRecord:
    return StepRecord(int(d["index"] if "index" in d else d["idx"]), d["kind"], d["label"], StepStatus(d["status"]),
                      d.get("started_at") or "", float(d.get("duration_ms") or 0.0), d.get("detail") or "",
                      d.get("error"), tuple(d.get("evidence") or ()), d.get("url"), d.get("title"),
                      int(d.get("line") or 0))


def _journey(d: Mapping[str, Any]) -> JourneyRecord:
    blocked = d["blocked_requests"] if "blocked_requests" in d else d.get("blocked")
    return JourneyRecord(d["name"], d.get("path") or "", tuple(d.get("tags") or ()), JourneyStatus(d["status"]),
                         d.get("started_at") or "", float(d.get("duration_ms") or 0.0), d.get("site"), d.get("error"),
                         tuple(d.get("evidence") or ()), dict(blocked or {}),
                         Severity(d["worst"]) if d.get("worst") else None, d.get("reason"),
                         tuple(_step(s) for s in d.get("steps") or ()))


def finding_of(d: Mapping[str, Any]) -> Finding:
    return Finding(kind=d["kind"], severity=d["severity"], journey=d["journey"], step=d.get("step"),
                   title=d["title"], detail=d.get("detail") or "", subject=d.get("subject") or "",
                   fingerprint=d["fingerprint"], evidence=tuple(d.get("evidence") or ()), data=dict(d.get("data") or {}),
                   reason=d.get("reason"))


def observation_of(d: Mapping[str, Any]) -> Observation:
    return Observation(d["kind"], d["journey"], d["step"], d["data"], d.get("at") or "", tuple(d.get("evidence") or ()))


def decode(data: Mapping[str, Any]) -> RunRecord:
    """A record from the run JSON (ValueError/KeyError for one that is not)."""
    if data.get("schema", SCHEMA) != SCHEMA:
        raise ValueError(f"not a run JSON (schema {data.get('schema')!r}; expected {SCHEMA})")
    return RunRecord(data["run_id"], data["started_at"], data.get("finished_at") or data["started_at"],
                     RunStatus(data["status"]), dict(data.get("summary") or {}),
                     tuple(_journey(j) for j in data.get("journeys") or ()),
                     tuple(finding_of(f) for f in data.get("findings") or ()),
                     tuple(InvalidFile(i["path"], tuple(map(str, i["problems"]))) for i in data.get("invalid") or ()))


def stored_record(store: RunStore, run_id: str) -> RunRecord:
    """The record of a run in the store (made here, by shards or by the job queue's workers)."""
    run = store.run(run_id)
    findings = tuple(finding_of(f) for f in store.findings(run_id))
    journeys = tuple(j if j.status == JourneyStatus.FINISHED else settled(j, findings)   # worst is not stored;
                     for j in map(_journey, store.journeys(run_id)))   # unjudged ones are the judge's to settle
    return RunRecord(run.id, run.started_at, run.finished_at or run.started_at, RunStatus(run.status),
                     dict(run.summary or {}), journeys, findings,
                     tuple(InvalidFile(i["path"], tuple(i["problems"])) for i in store.invalid(run_id)))
