"""Values that flow one way: steps record Observations, checks turn them into Findings."""
from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass, field
from typing import Any

SEVERITIES = ("critical", "major", "minor", "info")


@dataclass(frozen=True)
class Observation:
    """A recorded fact: 'page answered 500', 'link is dead', 'mail bounced: mailboxfull'.

    `kind` names the fact; `data` is plain JSON-able values; `evidence` lists artifact paths
    (relative to the var dir) that back it up.
    """

    kind: str
    journey: str
    step: int | None
    data: dict[str, Any]
    at: str = ""
    evidence: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["evidence"] = list(self.evidence)
        return d


def fingerprint(kind: str, journey: str, subject: str) -> str:
    """Same problem, same fingerprint across runs: kind + journey + a stable subject (URL, address...)."""
    return hashlib.sha256(f"{kind}\x1f{journey}\x1f{subject}".encode()).hexdigest()[:16]


@dataclass(frozen=True)
class Finding:
    """A problem worth a person's attention."""

    kind: str
    severity: str
    journey: str
    step: int | None
    title: str
    detail: str
    subject: str
    fingerprint: str
    evidence: tuple[str, ...] = ()
    data: dict[str, Any] = field(default_factory=dict)
    reason: str | None = None

    @classmethod
    def of(cls, kind: str, *, severity: str, journey: str, subject: str, title: str,
           detail: str = "", step: int | None = None, evidence: tuple[str, ...] | list[str] = (),
           data: dict[str, Any] | None = None, reason: str | None = None) -> "Finding":
        if severity not in SEVERITIES:
            raise ValueError(f"severity {severity!r} is not one of {SEVERITIES}")
        return cls(kind=kind, severity=severity, journey=journey, step=step, title=title,
                   detail=detail, subject=subject, fingerprint=fingerprint(kind, journey, subject),
                   evidence=tuple(evidence), data=dict(data or {}), reason=reason)

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["evidence"] = list(self.evidence)
        return d
