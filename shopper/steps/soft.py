"""Soft checks: an assertion step given `finding:` and/or `severity:` records a finding instead of failing.

    - expect: {text: "/phone|call us/i", within: main, finding: expectation_unmet, severity: minor}
      name: a phone number on the contact page

The step is marked (status `findings`), the journey goes on; a soft `extract` that finds nothing
leaves its variable empty.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Literal

from ..duration import Duration

SOFT_PREFIX = "not as expected: "
DEFAULT_KIND = "expectation_unmet"   # registered in checks/soft.py


@dataclass(frozen=True)
class Soft:
    """Mixin for assertion steps: `finding` (a registered kind, `runner.py kinds --findings`) and
    `severity` turn a failed assertion into a finding; the journey goes on."""

    finding: str | None = None
    severity: Literal["critical", "major", "minor", "info"] | None = None


_DURATION = re.compile(r"^\s*\d+(?:\.\d+)?\s*(?:ms|s|m)\s*$")


def within_duration(spec: Any) -> float | None:
    """`within: 3s` on an assertion: give up after 3 s (a duration is never a region selector)."""
    w = getattr(spec, "within", None)
    return Duration.parse(w).seconds if isinstance(w, str) and _DURATION.match(w) else None


def within_region(spec: Any) -> str | None:
    """`within:` as the region to look in, unless it is a duration."""
    return None if within_duration(spec) is not None else getattr(spec, "within", None)


def step_budget(step: Any, default: float, soft_default: float) -> float:
    """Seconds a step may take: its `within:` duration, else its own `timeout:`, else — a soft check on the page,
    which reports a finding rather than failing — the short `browser.soft_timeout`, else `default` (mail takes
    its time: a soft `wait_for_mail` keeps the step timeout)."""
    own = within_duration(step.spec)
    if own is not None:
        return own
    if step.timeout is not None:
        return step.timeout.seconds
    return min(soft_default, default) if is_soft(step.spec) and step.uses_page else default


def is_soft(spec: Any) -> bool:
    return isinstance(spec, Soft) and (spec.finding is not None or spec.severity is not None)


def soft_failure(ctx: Any, step: Any, message: str, evidence: tuple[str, ...] = (), *, label: str = "") -> str:
    """Record the failed soft check (the soft_checks check makes it a finding); the step's detail. `label`: the
    step's label with its values filled in (secrets masked by the recorder)."""
    from checks.registry import kind as registered

    spec = step.spec
    for name in getattr(spec, "defines", lambda: [])():
        ctx.state.variables.setdefault(name, "")
    known = registered(spec.finding or DEFAULT_KIND)
    declared = ({"title": known.summary, "severity": known.severity, "process": known.process, "fix": known.fix}
                if known is not None and known.declared else None)   # travels with the fact (workers, reports)
    ctx.record("soft_check", {"finding": spec.finding or DEFAULT_KIND, "severity": spec.severity, "kind": step.kind,
                              "label": label or step.label, "declared": declared,
                              "key": step.label, "message": message, "line": step.line}, evidence=evidence)
    return SOFT_PREFIX + message
