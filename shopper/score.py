"""Health scores: 0-100 per process (journey tag) and overall, from a run's findings. See docs/reports.md."""
from __future__ import annotations

from typing import Any, Iterable

PENALTY = {"critical": 40, "major": 20, "minor": 8, "info": 2}
# The customer processes, one set of names for journeys' tags, finding kinds (`runner.py kinds --findings`),
# the report, the mail and `status`. Journeys are grouped by the first of their tags that names one.
PROCESSES = {"unsubscribe": "Unsubscribe", "support": "Support", "tracking": "Order tracking",
             "payment": "Payment", "orders": "Orders", "website": "Website",
             "shopper": "Shopper set-up"}   # the shopper's own set-up: never scored
ALIASES = {"web": "website", "order": "orders", "unsubscribing": "unsubscribe"}
OTHER = "Other"
UNSCORED = ("setup_error", "not_applicable")   # journey statuses that say nothing about the site's processes
UNKNOWN = ("incomplete", "finished")   # what it would have found is unknown ('finished': its run died unjudged)


def process_of(tags: Iterable[str], journey: str) -> str:
    """A journey's process: the first of its tags that names a known process (`web` is `website`), else its
    first tag."""
    tags = list(tags)
    for t in tags:
        if ALIASES.get(t, t) in PROCESSES:
            return ALIASES.get(t, t)
    return tags[0] if tags else journey


def process_label(key: str) -> str:
    key = ALIASES.get(key, key)
    return PROCESSES.get(key, key.replace("_", " ").capitalize())


def band(score: int | None, open_counts: dict[str, int] | Iterable[tuple[str, int]]) -> str:
    """'bad', 'warn' or 'good': severity before averages — an open critical is red whatever the score."""
    counts = dict(open_counts)
    if counts.get("critical"):
        return "bad"
    if score is None:
        return "warn"
    return "bad" if score < 60 else "warn" if score < 90 else "good"


def open_headline(open_counts: dict[str, int] | Iterable[tuple[str, int]]) -> str:
    """'1 critical, 3 major open' (most severe first), or 'nothing open'."""
    counts = [(s, n) for s, n in dict(open_counts).items() if n]
    return ", ".join(f"{n} {s}" for s, n in counts) + " open" if counts else "nothing open"


def scores(journeys: list[dict[str, Any]], findings: list[dict[str, Any]]) -> dict[str, Any]:
    """{"overall": int | None, "processes": {key: int | None}, "incomplete": [key]} — 100 minus penalties of the
    process's findings (floor 0). Flaky findings and findings about the shopper's own set-up do not count;
    a journey with status setup_error or not_applicable is not scored; a process with an incomplete (or
    unjudged) journey has no score (None: what its later steps would have found is unknown); overall is the
    mean of the scored processes (None when none is)."""
    from checks.registry import is_setup

    unscored = {j["name"] for j in journeys if j.get("status") in UNSCORED}
    process = {j["name"]: process_of(j.get("tags") or [], j["name"]) for j in journeys if j["name"] not in unscored}
    incomplete = sorted({process[j["name"]] for j in journeys if j.get("status") in UNKNOWN})
    per: dict[str, int | None] = {p: 100 for p in process.values()}
    for f in findings:
        if f.get("flaky") or (f.get("data") or {}).get("flaky") or is_setup(f["kind"]) or f["journey"] in unscored:
            continue
        p = process.get(f["journey"])
        if p is None:   # a finding from a sweep about a journey of an earlier run
            p = f["journey"] if f["journey"] in per else OTHER
            per.setdefault(p, 100)
        per[p] = max(0, per[p] - PENALTY.get(f["severity"], 10))
    for p in incomplete:
        per[p] = None
    scored = [v for v in per.values() if v is not None]
    overall = round(sum(scored) / len(scored)) if scored else None
    return {"overall": overall, "processes": dict(sorted(per.items())), "incomplete": incomplete}
