"""The registry of step kinds, filled by the @step_kind decorator; the loader and docs read it."""
from __future__ import annotations

import dataclasses
import importlib
import pkgutil
from typing import Callable, TypeVar

KINDS: dict[str, type] = {}
T = TypeVar("T")


WRITES = ("never", "may", "always")


def step_kind(name: str, *, shorthand: str | None = None, writes: str = "may") -> Callable[[type[T]], type[T]]:
    """Register a dataclass as a step kind. `shorthand` names the field a plain scalar fills:
    `- open: /contact` is `- open: {url: /contact}`. `writes` says whether the step writes to the audited
    company: "never" (it only looks: safe to run again), "may" (a click can submit a form), "always" (it sends
    mail, submits, places an order); retries and the job queue read it, so a new kind declares it once here."""
    if writes not in WRITES:
        raise ValueError(f"step kind {name!r}: writes must be one of {WRITES}, not {writes!r}")

    def register(cls: type[T]) -> type[T]:
        if "__dataclass_fields__" not in cls.__dict__:  # a subclass of a dataclass needs its own
            cls = dataclasses.dataclass(frozen=True)(cls)
        old = KINDS.get(name)
        # the same class imported again (a test runner that restores sys.modules re-imports it) replaces itself;
        # another class claiming the name is a mistake
        if old is not None and old is not cls and \
                (old.__module__, old.__qualname__) != (cls.__module__, cls.__qualname__):
            raise ValueError(f"step kind {name!r} is registered twice")
        cls.kind = name  # type: ignore[attr-defined]
        cls.shorthand = shorthand  # type: ignore[attr-defined]
        cls.writes = writes  # type: ignore[attr-defined]
        KINDS[name] = cls
        return cls

    return register


def writes_of(kind: str) -> str:
    """How a step kind writes to the company ("may" for a kind not registered: assume it can)."""
    cls = KINDS.get(kind) or load_all().get(kind)
    return getattr(cls, "writes", "may")


def load_all() -> dict[str, type]:
    """Import every module in shopper.steps so each registers itself."""
    from shopper import steps

    for mod in pkgutil.iter_modules(steps.__path__):
        if mod.name not in ("registry", "context"):
            importlib.import_module(f"shopper.steps.{mod.name}")
    return KINDS
