"""The finding-kind registry: every kind a check can emit, with its severity, process, fix and breach flag.

A check declares its kinds where it is defined (one file per check family):

    @check("broken_link", kinds=[FindingKind("broken_link", "minor", "website", fix="Fix or remove the link ...")])

Journeys, `--fail-on`, `fail_on:` and the reports read the registry; nothing keeps a second list.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

SEVERITIES = ("critical", "major", "minor", "info")   # the same order as shopper.model.SEVERITIES


@dataclass(frozen=True)
class FindingKind:
    """What a kind of finding means to the process owner.

    `severity` is the usual one (a check may raise or lower it per finding, a journey's `severity:`
    overrides it); `process` is the customer process it belongs to (what the report groups by when
    no journey tag says otherwise); `breach` marks a broken promise (a deadline passed: alerts send it
    as a breach); `setup` marks a problem of the shopper's own set-up, never of the audited company
    (never scored or alerted); `configurable` lets a journey name it (`compare.finding`,
    `count_mail.finding`, `finding:` of a soft check).
    """

    name: str
    severity: str
    process: str
    fix: str
    breach: bool = False
    setup: bool = False
    configurable: bool = False
    summary: str = ""
    check: str = ""          # the check that emits it (filled in by @check)
    declared: bool = False   # declared by a journey or config.yaml (shopper/declared_kinds.py), not in Python

    def __post_init__(self) -> None:
        if self.severity not in SEVERITIES:
            raise ValueError(f"finding kind {self.name!r}: severity {self.severity!r} is not one of "
                             f"{', '.join(SEVERITIES)}")
        if not self.fix:
            raise ValueError(f"finding kind {self.name!r} needs a fix text for the process owner")


KINDS: dict[str, FindingKind] = {}


def register(check: str, kinds: Iterable[FindingKind]) -> None:
    """Called by @check: the kinds of one check; a kind registered by two checks is a bug."""
    from dataclasses import replace

    for k in kinds:
        if k.name in KINDS and KINDS[k.name].check != check:
            raise ValueError(f"finding kind {k.name!r} is registered by both {KINDS[k.name].check!r} and {check!r}")
        KINDS[k.name] = replace(k, check=check)


def finding_kinds() -> dict[str, FindingKind]:
    """Every registered kind (all check modules imported)."""
    from . import load_all

    load_all()
    return KINDS


def kind(name: str) -> FindingKind | None:
    return finding_kinds().get(name)


def fix_for(name: str) -> str:
    """What to fix, for the process owner; '' for a kind nobody registered (e.g. from an old store)."""
    k = kind(name)
    return k.fix if k else ""


def severity_of(name: str, default: str = "major") -> str:
    k = kind(name)
    return k.severity if k else default


def is_breach(name: str) -> bool:
    k = kind(name)
    return bool(k and k.breach)


def is_setup(name: str) -> bool:
    k = kind(name)
    return bool(k and k.setup)


def breach_kinds() -> frozenset[str]:
    return frozenset(n for n, k in finding_kinds().items() if k.breach)


def _suggest(word: str, choices: Iterable[str]) -> str:
    import difflib

    match = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f"; did you mean '{match[0]}'?" if match else ""


def kind_problem(name: str, *, check: str | None = None, configurable: bool = True) -> str | None:
    """Why `name` cannot be used as a journey's finding kind (None when it can).

    `check`: only kinds of that check (compare -> inconsistent_views); `configurable`: only kinds
    registered as nameable by journeys.
    """
    kinds = finding_kinds()
    allowed = sorted(n for n, k in kinds.items()
                     if (check is None or k.check == check) and (k.configurable or not configurable))
    if name in allowed:
        return None
    what = f"a finding kind of {check}" if check else "a finding kind a journey can name"
    why = " (it is registered, but not for this)" if name in kinds else ""
    return (f"{name!r} is not {what}{why}{_suggest(name, allowed)} (kinds: {', '.join(allowed)}); "
            f"declare a new one under `findings:` in the journey or config.yaml: {{{name}: {{title: ..., severity: "
            f"minor, process: website}}}}")


def fail_on_problem(item: str) -> str | None:
    """Why `item` of --fail-on / fail_on: is neither a severity nor a registered kind (None when it is)."""
    kinds = finding_kinds()
    if item in SEVERITIES or item in kinds:
        return None
    return (f"--fail-on {item!r} is neither a severity ({', '.join(SEVERITIES)}) nor a finding kind"
            f"{_suggest(item, [*SEVERITIES, *kinds])} (`runner.py kinds --findings` lists them)")
