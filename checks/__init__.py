"""Checks turn observations into findings: one module per finding family, registered with @check."""
from __future__ import annotations

import importlib
import pkgutil
from dataclasses import dataclass
from typing import Any, Callable, Iterable, Iterator

from shopper.model import Finding, Observation

from .registry import FindingKind, register as register_kinds

CHECKS: dict[str, Callable[["Observations"], Iterable[Finding]]] = {}
BORROWING: set[str] = set()   # checks that may also emit any configurable kind (the one a journey names)


def check(name: str, *, kinds: Iterable[FindingKind], any_configurable: bool = False) -> Callable:
    """Register a check: a function Observations -> findings, and the finding kinds it may emit
    (checks/registry.py); emitting any other kind is an error. `any_configurable`: it may also emit
    any kind journeys can name (soft checks)."""
    kinds = tuple(kinds)
    if not kinds:
        raise ValueError(f"check {name!r} declares no finding kinds")

    def register(fn: Callable[["Observations"], Iterable[Finding]]) -> Callable:
        CHECKS[name] = fn
        register_kinds(name, kinds)
        if any_configurable:
            BORROWING.add(name)
        return fn

    return register


@dataclass
class Observations:
    """What a run saw: per journey, its step results and observations. Read-only for checks."""

    journeys: list[Any]   # shopper.run.JourneyResult (or anything with .name, .steps, .observations)

    def of_kind(self, kind: str) -> Iterator[Observation]:
        for j in self.journeys:
            for o in j.observations:
                if o.kind == kind:
                    yield o

    def site_relative(self, journey: str, url: str) -> str:
        """A URL of the audited site without its base URL, so fingerprints survive a move (staging, ports)."""
        for o in self.of_kind("journey_started"):
            base = (o.data.get("base_url") or "").rstrip("/")
            rest = url[len(base):] if base and url.startswith(base) else None
            # only the base itself or a path, query or fragment under it: shop.example.org is not shop.example
            if o.journey == journey and rest is not None and (not rest or rest[0] in "/?#"):
                return "~" + rest
        return url

    def steps(self) -> Iterator[tuple[Any, Any]]:
        for j in self.journeys:
            for s in j.steps:
                yield j, s


def load_all() -> dict[str, Callable]:
    for mod in pkgutil.iter_modules(__path__):
        importlib.import_module(f"{__name__}.{mod.name}")
    return CHECKS


def run_checks(obs: Observations) -> list[Finding]:
    """All findings, one per fingerprint (the first seen keeps its evidence; later ones add theirs)."""
    found: dict[str, Finding] = {}
    from .registry import KINDS

    for name, fn in sorted(load_all().items()):
        for f in fn(obs):
            known = KINDS.get(f.kind)
            if known is None or (known.check != name and not (name in BORROWING and known.configurable)):
                raise ValueError(f"check {name!r} emitted finding kind {f.kind!r}, which it does not declare: "
                                 f"add FindingKind({f.kind!r}, ...) to its @check(kinds=...)")
            if f.fingerprint in found:
                prev = found[f.fingerprint]
                extra = tuple(e for e in f.evidence if e not in prev.evidence)
                if extra:
                    found[f.fingerprint] = Finding(**{**prev.__dict__, "evidence": prev.evidence + extra})
            else:
                found[f.fingerprint] = f
    return list(found.values())
