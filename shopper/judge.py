"""The run's one judge: every check over every journey of the run together (and what the sweep saw), flaky
findings marked across attempts, statuses decided — once per run, whichever executor ran the journeys."""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Iterable, Mapping, Sequence

from checks import Observations, run_checks

from .model import Finding, Observation
from .record import JourneyRecord, finding_of, journey_of, observation_of, settled, stored_record
from .retries import Attempts, mark_flaky

if TYPE_CHECKING:
    from .store.contract import RunStore


@dataclass(frozen=True)
class Judgement:
    findings: tuple[Finding, ...]
    journeys: tuple[JourneyRecord, ...]   # with the statuses the findings decide


def judge(journeys: Sequence[Any], attempts: Mapping[str, Attempts], sweep_views: Iterable[Any] = ()) -> Judgement:
    """`journeys`: the final results (shopper.run.JourneyResult) or records of the run's journeys;
    `sweep_views`: the sweep's journey views (replies, bounces, deadlines). Pure but for the checks."""
    findings = mark_flaky(run_checks(Observations([*journeys, *sweep_views])), dict(attempts))
    records = tuple(settled(j if isinstance(j, JourneyRecord) else journey_of(j), findings) for j in journeys)
    return Judgement(tuple(findings), records)


ATTEMPT_FINDINGS = "attempt_findings"   # a retried journey's findings per attempt, stored for the run's judge


def attempt_observations(attempts: Attempts, at: str) -> list[Observation]:
    """What each attempt of a retried journey found, as observations a judge in another process reads back."""
    name = attempts.final.name
    return [Observation(ATTEMPT_FINDINGS, name, None, {"attempt": i, "of": len(attempts.results),
                                                       "findings": [f.to_dict() for f in fs]}, at)
            for i, fs in enumerate(attempts.findings, 1)]


def judge_stored(store: RunStore, run_id: str) -> Judgement:
    """The judge over a run whose journeys were stored elsewhere (the job queue's workers): the journeys with
    their observations, what the run's sweeps saw, and the attempts of retried journeys, read back."""
    from dataclasses import replace

    from .sweep import SweepResult

    journeys = stored_record(store, run_id).journeys
    names = {j.name for j in journeys}
    by: dict[str, list[Observation]] = {}
    tried: dict[str, list[list[Finding]]] = {}
    for o in map(observation_of, store.observations(run_id)):
        if o.kind == ATTEMPT_FINDINGS:
            tried.setdefault(o.journey, []).append([finding_of(f) for f in o.data["findings"]])
        else:
            by.setdefault(o.journey, []).append(o)
    views = [replace(j, observations=tuple(by.get(j.name, ()))) for j in journeys]
    others = SweepResult("stored", ok=True, observations=[o for n, os in by.items() if n not in names for o in os])
    attempts = {n: Attempts([None] * len(fs), fs) for n, fs in tried.items()}
    return judge(views, attempts, others.journeys)
