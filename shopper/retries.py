"""Retries: a journey that failed before writing to anyone runs again; findings seen on only some attempts are flaky."""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any, Callable

from checks import Observations, run_checks

from .model import Finding
from .steps.registry import writes_of


def wrote_to_anyone(result: Any) -> bool:
    """True once the journey sent mail, submitted a form (a POST), or asked to be unsubscribed:
    running it again would write to the company twice."""
    for s in result.steps:   # a step of a kind that always writes (send_email, submit_form, checkout...) ran
        if s.status in ("passed", "findings") and writes_of(s.kind) == "always":
            return True
    for o in result.observations:   # what a step that may write did write
        if o.kind in ("mail_sent", "unsubscribe_request", "form_submitted"):
            return True
        if o.kind == "response" and o.data.get("method") == "POST":
            return True
    return False


@dataclass
class Attempts:
    """Every attempt of one journey and the findings each produced (by fingerprint)."""

    results: list[Any] = field(default_factory=list)
    findings: list[list[Finding]] = field(default_factory=list)

    @property
    def final(self) -> Any:
        return self.results[-1]


def run_with_retries(run_once: Callable[[int], Any], retries: int,
                     checked: Callable[[Any, list[Finding]], None] | None = None) -> Attempts:
    """Run attempt 1, and again (up to `retries` more times) while it finds problems and wrote to no one.
    `checked(result, findings)` is told each attempt's findings (the runner keeps traces of failing journeys)."""
    a = Attempts()
    for attempt in range(1, retries + 2):
        result = run_once(attempt)
        a.results.append(result)
        a.findings.append(run_checks(Observations([result])))
        if checked is not None:
            checked(result, a.findings[-1])
        if not a.findings[-1] or wrote_to_anyone(result) or result.status == "setup_error":   # never retry set-up
            break
    return a


def mark_flaky(findings: list[Finding], attempts: dict[str, Attempts]) -> list[Finding]:
    """Findings of retried journeys not seen on every attempt are marked flaky; ones seen only on earlier
    attempts are added back, flaky, so nothing seen is lost."""
    out: list[Finding] = []
    by_fp = {f.fingerprint: f for f in findings}
    for f in findings:
        a = attempts.get(f.journey)
        if a is None or len(a.results) == 1:
            out.append(f)
            continue
        seen = sum(any(g.fingerprint == f.fingerprint for g in fs) for fs in a.findings)
        out.append(f if seen == len(a.results) else _flaky(f, seen, len(a.results)))
    for journey, a in attempts.items():
        if len(a.results) == 1:
            continue
        for fs in a.findings[:-1]:
            for g in fs:
                if g.fingerprint not in by_fp:
                    seen = sum(any(h.fingerprint == g.fingerprint for h in x) for x in a.findings)
                    by_fp[g.fingerprint] = g
                    out.append(_flaky(g, seen, len(a.results)))
    return out


def _flaky(f: Finding, seen: int, of: int) -> Finding:
    return dataclasses.replace(f, data={**f.data, "flaky": True, "seen_on": f"{seen} of {of} attempts"},
                               title=f"{f.title} (flaky: {seen} of {of} attempts)")
