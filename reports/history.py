"""What changed, per journey, by fingerprint: new, still open (since when, for how many runs), fixed."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from shopper.store.contract import RunStore

TREND_RUNS = 30


@dataclass
class History:
    new: list[dict[str, Any]] = field(default_factory=list)
    recurring: list[dict[str, Any]] = field(default_factory=list)   # each with "since" and "runs"
    fixed: list[dict[str, Any]] = field(default_factory=list)        # findings of a journey's last run now gone
    trend: list[dict[str, Any]] = field(default_factory=list)        # oldest first: id, started_at, score, findings


FINISHED = ("clean", "findings", "passed", "failed")   # a journey that ran to its end ('passed'/'failed': old runs)


def history(store: RunStore, run_id: str, findings: list[dict[str, Any]], limit: int = TREND_RUNS) -> History:
    """Per journey: a finding is `new` unless the same journey's last earlier run had its fingerprint; a
    fingerprint is `fixed` only when its journey ran again, to its end, without it. Runs that did not
    include a journey (--tag, --shard, a pytest item, a schedule) say nothing about it."""
    runs = store.runs_up_to(run_id, limit)
    ids = [r["id"] for r in runs]
    prints = store.fingerprints_by_run(ids)
    ran = store.journey_statuses_by_run(ids)
    started = {r["id"]: r["started_at"] for r in runs}

    def runs_of(journey: str) -> list[str]:   # earlier runs that ran this journey, newest first
        return [r for r in ids[1:] if ran[r].get(journey, "finished") != "finished"]   # unjudged: says nothing

    h = History()
    for f in findings:
        fp, earlier = f["fingerprint"], runs_of(f["journey"])
        streak, since = 1, started[run_id]
        for r in earlier:
            if fp not in prints[r]:
                break
            streak, since = streak + 1, started[r]
        if earlier and fp in prints[earlier[0]]:
            h.recurring.append({**f, "since": since, "runs": streak})
        else:
            h.new.append(f)
    current = {f["fingerprint"] for f in findings}
    for journey, status in ran.get(run_id, {}).items():
        earlier = runs_of(journey)
        if status not in FINISHED or not earlier:
            continue   # an incomplete or not-run journey cannot show that anything was fixed
        last = earlier[0]
        h.fixed += [f for f in store.findings(last)
                    if f["journey"] == journey and f["fingerprint"] not in current]
    for r in reversed(runs):
        s = r["summary"]
        h.trend.append({"id": r["id"], "started_at": r["started_at"], "score": s.get("score"),
                        "findings": s.get("findings", 0)})
    return h
