"""Soft checks: an assertion a journey marked with `finding:`/`severity:` did not hold (the journey went on)."""
from __future__ import annotations

from typing import Iterator

from shopper.model import Finding

from . import Observations, check
from .registry import FindingKind, severity_of

EXPECTATION_UNMET = FindingKind(
    "expectation_unmet", "minor", "website", configurable=True,
    fix="A customer does not find what they look for here: add it to the page or mail (or, if the site "
        "changed on purpose, update the journey).",
    summary="A soft check of a journey (`expect`, `extract`, `wait`, `wait_for_mail` with `finding:`) did not hold.")


@check("soft_checks", kinds=[EXPECTATION_UNMET], any_configurable=True)
def soft_checks(obs: Observations) -> Iterator[Finding]:
    from shopper.declared_kinds import register_declared

    for o in obs.of_kind("soft_check"):
        d = o.data
        declared = d.get("declared")
        if declared:   # a kind a journey or config.yaml declared: known here too (a worker, a later report)
            register_declared(d["finding"], declared)
        severity = d.get("severity") or (declared or {}).get("severity") or severity_of(d["finding"])
        title = f"{declared['title']}: {d['label']}" if declared else f"{d['label']}: {d['message']}"
        data = {"line": d.get("line"), "soft": True}
        if declared and declared.get("fix"):
            data["fix"] = declared["fix"]
        yield Finding.of(d["finding"], severity=severity, journey=o.journey,
                         step=o.step, subject=f"soft:{d['kind']}:{d.get('key') or d['label']}",   # unresolved: stable
                         title=title[:300], detail=d["message"], evidence=o.evidence, data=data)
