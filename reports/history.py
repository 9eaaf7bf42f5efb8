"""What changed, per journey, by fingerprint: new, still open (since when, for how many runs), fixed."""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

TREND_RUNS = 30


@dataclass
class History:
    new: list[dict[str, Any]] = field(default_factory=list)
    recurring: list[dict[str, Any]] = field(default_factory=list)   # each with "since" and "runs"
    fixed: list[dict[str, Any]] = field(default_factory=list)        # findings of a journey's last run now gone
    trend: list[dict[str, Any]] = field(default_factory=list)        # oldest first: id, started_at, score, findings


def recent_runs(store: Any, run_id: str, limit: int) -> list[Any]:
    """Up to `limit` runs of kind 'run' ending with `run_id` (itself whatever its kind: a trial's report shows the
    record it is kept out of), newest first (one indexed query)."""
    cur = store.run(run_id)
    rows = store.query("SELECT id, started_at, summary FROM runs WHERE (kind='run' OR id=?) AND "
                       "(started_at < ? OR (started_at = ? AND id <= ?)) ORDER BY started_at DESC, id DESC LIMIT ?",
                       cur.id, cur.started_at, cur.started_at, cur.id, limit)
    return [dict(r) for r in rows]


def fingerprints_by_run(store: Any, run_ids: list[str]) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {r: set() for r in run_ids}
    if not run_ids:
        return out
    marks = ",".join("?" * len(run_ids))
    for r in store.query(f"SELECT run_id, fingerprint FROM findings WHERE run_id IN ({marks})", *run_ids):
        out[r["run_id"]].add(r["fingerprint"])
    return out


def journeys_by_run(store: Any, run_ids: list[str]) -> dict[str, dict[str, str]]:
    """{run id: {journey name: status}} for the journeys each run ran."""
    out: dict[str, dict[str, str]] = {r: {} for r in run_ids}
    if not run_ids:
        return out
    marks = ",".join("?" * len(run_ids))
    for r in store.query(f"SELECT run_id, name, status FROM journey_runs WHERE run_id IN ({marks})", *run_ids):
        out[r["run_id"]][r["name"]] = r["status"]
    return out


FINISHED = ("clean", "findings", "passed", "failed")   # a journey that ran to its end ('passed'/'failed': old runs)


def history(store: Any, run_id: str, findings: list[dict[str, Any]], limit: int = TREND_RUNS) -> History:
    """Per journey: a finding is `new` unless the same journey's last earlier run had its fingerprint; a
    fingerprint is `fixed` only when its journey ran again, to its end, without it. Runs that did not
    include a journey (--tag, --shard, a pytest item, a schedule) say nothing about it."""
    runs = recent_runs(store, run_id, limit)
    ids = [r["id"] for r in runs]
    prints = fingerprints_by_run(store, ids)
    ran = journeys_by_run(store, ids)
    started = {r["id"]: r["started_at"] for r in runs}

    def runs_of(journey: str) -> list[str]:   # earlier runs that ran this journey, newest first
        return [r for r in ids[1:] if journey in ran[r]]

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
        s = json.loads(r["summary"]) if isinstance(r["summary"], str) else r["summary"]
        h.trend.append({"id": r["id"], "started_at": r["started_at"], "score": s.get("score"),
                        "findings": s.get("findings", 0)})
    return h
