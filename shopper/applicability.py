"""Does a journey, or one of its steps, apply to this shop? What a site profile declares (docs/journeys.md).

A profile may say a journey does not apply (`journeys: {retry_payment: {not_applicable: "no card payment"}}`),
that an optional step does not (`steps: {check_tracking: "parcels are collected in store"}`, by the step's
name or kind), or leave a variable out on purpose (`vars: {tracking_link: null}`): the steps that use it are
skipped with a note. Each is an outcome, not a finding (shopper.errors.NotApplicable).
"""
from __future__ import annotations

from typing import Any, Mapping

from .template import references

ABSENT_NOTE = "skipped: the site profile declares {names} absent (null), so this step does not apply"


def journey_settings(profile: Any, journey: str) -> Any:
    """The profile's `journeys: JOURNEY:` settings, or None."""
    return (getattr(profile, "journeys", None) or {}).get(journey) if profile is not None else None


def journey_not_applicable(profile: Any, journey: str) -> str | None:
    """The reason the profile gives for `journey` not applying to its shop, or None."""
    settings = journey_settings(profile, journey)
    return settings.not_applicable if settings is not None else None


def journey_vars(profile: Any, journey: str) -> dict[str, str | None]:
    """Variables the profile sets for this journey only."""
    settings = journey_settings(profile, journey)
    return dict(settings.vars) if settings is not None else {}


def step_not_applicable(profile: Any, journey: str, step: Any, variables: Mapping[str, Any]) -> str | None:
    """Why `step` is skipped as not applicable (declared by the profile, or it uses a variable declared absent),
    or None when it runs."""
    settings = journey_settings(profile, journey)
    if settings is not None:
        name = step.label.split(": ", 1)[-1] if ": " in step.label else step.label   # flows prefix their name
        for key in (step.label, name, step.kind):
            if key in settings.steps:
                return f"not applicable: {settings.steps[key]}"
    absent = sorted({r.name for text in _strings(step.spec) for r in references(text)
                     if not r.is_secret and r.name in variables and variables[r.name] is None})
    if absent:
        return ABSENT_NOTE.format(names=", ".join(absent))
    return None


def unused_declarations(profile: Any, journey: Any) -> list[str]:
    """Step declarations of the profile that name no step of `journey` (a typo must not pass silently)."""
    settings = journey_settings(profile, journey.name)
    if settings is None:
        return []
    names = {s.label for s in journey.steps} | {s.kind for s in journey.steps} | \
        {s.label.split(": ", 1)[-1] for s in journey.steps}
    return [k for k in settings.steps if k not in names]


def _strings(obj: Any) -> list[str]:
    from .journey import _strings as strings   # the one walk over a step's values

    return list(strings(obj))
