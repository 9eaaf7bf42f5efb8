"""The one typed run record: statuses defined once, the codec to and from the run JSON (validated against
docs/run.schema.json), the judge's status rule."""
from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from shopper.model import Finding, Observation
from shopper.record import (InvalidFile, JourneyRecord, JourneyStatus, RunRecord, RunStatus, Severity, StepRecord,
                            StepStatus, decode, encode, settled)
from shopper.summary import run_status, run_summary

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = json.loads((ROOT / "docs" / "run.schema.json").read_text(encoding="utf-8"))


def validate(run_json: dict) -> None:
    jsonschema.Draft202012Validator(SCHEMA).validate(run_json)


def step(i: int, status: StepStatus = StepStatus.PASSED, **kw) -> StepRecord:
    return StepRecord(i, "visit", f"visit /p{i}", status, "2026-01-05T09:00:00+00:00", 12.5, line=i + 3, **kw)


def journey(name: str, status: JourneyStatus = JourneyStatus.CLEAN, steps=(), **kw) -> JourneyRecord:
    return JourneyRecord(name, f"journeys/{name}.yaml", ("web",), status, "2026-01-05T09:00:00+00:00", 250.0,
                         steps=tuple(steps), **kw)


BROKEN = Finding.of("broken_link", severity="minor", journey="browse", subject="/careers", step=1,
                    title="Broken link to /careers", evidence=("artifacts/r/browse/step-02.png",))
SETUP = Finding.of("probe_unavailable", severity="major", journey="(mailbox)", subject="imap", title="Mailbox down")


def record() -> RunRecord:
    journeys = (settled(journey("browse", steps=[step(0), step(1)]), [BROKEN]),
                journey("pays", JourneyStatus.NOT_APPLICABLE, [step(0, StepStatus.NOT_APPLICABLE)],
                        reason="the shop offers no card payment"),
                journey("checkout", JourneyStatus.INCOMPLETE, [step(0, StepStatus.FAILED, error="timed out")],
                        error="journey timed out", evidence=("artifacts/r/checkout/trace.zip",),
                        blocked_requests={"tracker.test": 2}))
    findings = (BROKEN,)
    return RunRecord("20260105T090000Z-1a2b3c", "2026-01-05T09:00:00+00:00", "2026-01-05T09:00:12+00:00",
                     run_status(journeys, findings), run_summary(journeys, findings, invalid=1, browser="system: x"),
                     journeys, findings, (InvalidFile("journeys/bad.yaml", ("journeys/bad.yaml:5:5: 'clik'",)),))


def test_the_run_json_of_a_record_validates_against_the_schema_and_decodes_to_the_same_record():
    r = record()
    data = encode(r)
    validate(data)
    assert decode(json.loads(json.dumps(data))) == r
    assert data["status"] == "incomplete" and data["journeys"][0]["status"] == "findings"


def test_statuses_are_defined_once_and_are_the_schemas():
    defs = SCHEMA["$defs"]
    assert set(defs["journey"]["properties"]["status"]["enum"]) == set(JourneyStatus)
    assert set(defs["step"]["properties"]["status"]["enum"]) == set(StepStatus)
    assert set(SCHEMA["properties"]["status"]["enum"]) == set(RunStatus) - {"running", "interrupted", "stopped"}
    assert set(defs["finding"]["properties"]["severity"]["enum"]) == set(Severity)


def test_a_status_the_schema_does_not_know_is_refused():
    data = encode(record())
    data["journeys"][0]["status"] = "passed"    # a step's status, not a journey's
    with pytest.raises(jsonschema.ValidationError):
        validate(data)
    with pytest.raises(ValueError):
        decode(data)


def test_the_judge_never_leaves_passed_or_clean_beside_a_finding():
    j = settled(journey("browse", steps=[step(0), step(1)]), [BROKEN])
    assert (j.status, j.worst, [s.status for s in j.steps]) == ("findings", "minor", ["passed", "findings"])
    na = settled(journey("browse", JourneyStatus.NOT_APPLICABLE), [BROKEN])
    assert na.status == JourneyStatus.FINDINGS     # never "not applicable" beside a finding
    assert settled(j, [BROKEN]) == j               # deciding again changes nothing


def test_run_status_nothing_audited_is_never_clean():
    assert run_status([], []) == RunStatus.ERROR
    assert run_status([journey("a")], [SETUP]) == RunStatus.SETUP_ERROR
    assert run_status([journey("a", JourneyStatus.NOT_APPLICABLE)], []) == RunStatus.NOT_APPLICABLE


def test_observations_travel_with_the_journey_but_not_in_the_run_json():
    o = Observation("response", "browse", 0, {"status": 200}, "2026-01-05T09:00:00+00:00")
    r = RunRecord("r", "2026-01-05T09:00:00+00:00", "2026-01-05T09:00:01+00:00", RunStatus.CLEAN, {},
                  (journey("browse", observations=(o,)),))
    assert "observations" not in encode(r)["journeys"][0]
