"""step_failed: a step that could not do what the journey asked (and the journey that could not run)."""
from __future__ import annotations

from typing import Iterator

from shopper.model import Finding

from . import Observations, check
from .registry import FindingKind

STEP_FAILED = FindingKind("step_failed", "major", "website",
                          fix="A customer could not complete this step: check the page against the journey's "
                              "expectation.",
                          summary="A step could not do what the journey asked; the steps after it did not run.")


@check("step_failed", kinds=[STEP_FAILED])
def step_failed(obs: Observations) -> Iterator[Finding]:
    from .reachability import unreachable_journeys

    unreachable = unreachable_journeys(obs)   # one site_unreachable finding says it for all of them
    for journey in obs.journeys:
        if journey.name in unreachable:
            continue
        for step in journey.steps:
            if step.status == "failed":
                yield Finding.of("step_failed", severity="major", journey=journey.name, step=step.index,
                                 subject=f"{step.index}:{step.kind}:{step.label}",
                                 title=f"Step {step.index + 1} ({step.label}) failed",
                                 detail=step.error or "", evidence=[*step.evidence, *journey.evidence],
                                 data={"url": step.url, "line": step.line})
        if journey.error and getattr(journey, "status", None) != "setup_error":   # the shopper's set-up: not the site's finding
            yield Finding.of("step_failed", severity="major", journey=journey.name, step=None,
                             subject="journey", title=f"Journey {journey.name} did not complete",
                             detail=journey.error, evidence=journey.evidence)
