"""Health scores: 0-100 per process (journey tag) and overall, from a run's findings. See docs/reports.md."""
from __future__ import annotations

from typing import Any, Iterable

PENALTY = {"critical": 40, "major": 20, "minor": 8, "info": 2}
PROCESSES = {"unsubscribe": "Unsubscribe", "support": "Support", "tracking": "Order tracking",
             "payment": "Payment"}
OTHER = "Other"


def process_of(tags: Iterable[str], journey: str) -> str:
    """A journey's process: the first of its tags that names a known process, else its first tag."""
    tags = list(tags)
    for t in tags:
        if t in PROCESSES:
            return t
    return tags[0] if tags else journey


def process_label(key: str) -> str:
    return PROCESSES.get(key, key.replace("_", " ").capitalize())


def scores(journeys: list[dict[str, Any]], findings: list[dict[str, Any]]) -> dict[str, Any]:
    """{"overall": int, "processes": {key: int}} — 100 minus penalties of the process's findings (floor 0);
    flaky findings do not count; overall is the mean of the processes that ran."""
    process = {j["name"]: process_of(j.get("tags") or [], j["name"]) for j in journeys}
    per: dict[str, int] = {p: 100 for p in process.values()}
    for f in findings:
        if f.get("flaky") or (f.get("data") or {}).get("flaky"):
            continue
        p = process.get(f["journey"])
        if p is None:   # a finding from a sweep about a journey of an earlier run
            p = f["journey"] if f["journey"] in per else OTHER
            per.setdefault(p, 100)
        per[p] = max(0, per[p] - PENALTY.get(f["severity"], 10))
    overall = round(sum(per.values()) / len(per)) if per else 100
    return {"overall": overall, "processes": dict(sorted(per.items()))}
