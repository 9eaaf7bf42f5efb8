"""Finding kinds declared without Python: in a journey's `findings:` or in config.yaml's `findings:`.

    findings:
      stock_not_shown: {title: Stock level not shown, severity: minor, process: website,
                        fix: Show whether the product is in stock on its page}
    steps:
      - expect: {text: "/in stock|out of stock/i", finding: stock_not_shown}

A declared kind is registered (checks/registry.py) like a built-in one that journeys may name: soft
checks emit it, `--fail-on` and `fail_on:` accept it, `runner.py kinds --findings` lists it. Its
title, severity, process and fix travel with each observation, so a worker process or a later
`runner.py report` knows them too.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Literal

DEFAULT_FIX = "A customer does not find what they look for here: add it (or, if the site changed on purpose, " \
              "update the journey)."


@dataclass(frozen=True)
class DeclaredKind:
    """A finding kind a journey or config.yaml declares: what the report calls it and how bad it is."""

    title: str
    severity: Literal["critical", "major", "minor", "info"] = "minor"
    process: str = "website"
    fix: str = ""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def register_declared(name: str, kind: DeclaredKind | dict[str, Any]) -> str | None:
    """Register `name` as a kind soft checks may emit; why not (a built-in's name, declared otherwise), or None."""
    import re

    from checks.registry import KINDS, FindingKind, finding_kinds

    k = kind if isinstance(kind, DeclaredKind) else DeclaredKind(**kind)
    if not re.fullmatch(r"[a-z][a-z0-9_]*", name):
        return f"finding kind {name!r}: use lower-case letters, digits and '_' (e.g. stock_not_shown)"
    new = FindingKind(name, k.severity, k.process, fix=k.fix or DEFAULT_FIX, configurable=True, summary=k.title,
                      declared=True, check="soft_checks")
    known = finding_kinds().get(name)
    if known is not None and not known.declared:
        return f"finding kind {name!r} is built in ({known.severity}, {known.process}): name it without declaring it"
    if known is not None and known != new:
        return f"finding kind {name!r} is declared elsewhere otherwise ({known.severity}, {known.process}, " \
               f"{known.summary!r}): declare it once, in config.yaml's findings:"
    KINDS[name] = new
    return None


def forget_declared() -> None:
    """Unregister every declared kind (tests; a long-lived process that reloads its journeys)."""
    from checks.registry import KINDS

    for name in [n for n, k in KINDS.items() if k.declared]:
        del KINDS[name]
