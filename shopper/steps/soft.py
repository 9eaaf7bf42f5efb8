"""Soft checks: an assertion step given `finding:` and/or `severity:` records a finding instead of failing.

    - expect: {text: "/phone|call us/i", within: main, finding: expectation_unmet, severity: minor}
      name: a phone number on the contact page

The step is marked (status `findings`), the journey goes on; a soft `extract` that finds nothing
leaves its variable empty.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

SOFT_PREFIX = "not as expected: "
DEFAULT_KIND = "expectation_unmet"   # registered in checks/soft.py


@dataclass(frozen=True)
class Soft:
    """Mixin for assertion steps: `finding` (a registered kind, `runner.py kinds --findings`) and
    `severity` turn a failed assertion into a finding; the journey goes on."""

    finding: str | None = None
    severity: Literal["critical", "major", "minor", "info"] | None = None


def is_soft(spec: Any) -> bool:
    return isinstance(spec, Soft) and (spec.finding is not None or spec.severity is not None)


def soft_failure(ctx: Any, step: Any, message: str, evidence: tuple[str, ...] = (), *, label: str = "") -> str:
    """Record the failed soft check (the soft_checks check makes it a finding); the step's detail. `label`: the
    step's label with its values filled in (secrets masked by the recorder)."""
    spec = step.spec
    for name in getattr(spec, "defines", lambda: [])():
        ctx.state.variables.setdefault(name, "")
    ctx.record("soft_check", {"finding": spec.finding or DEFAULT_KIND, "severity": spec.severity, "kind": step.kind,
                              "label": label or step.label,
                              "key": step.label, "message": message, "line": step.line}, evidence=evidence)
    return SOFT_PREFIX + message
