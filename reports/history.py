"""What changed since the previous run, by fingerprint: new, still open (since when, for how many runs), fixed."""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

TREND_RUNS = 30


@dataclass
class History:
    new: list[dict[str, Any]] = field(default_factory=list)
    recurring: list[dict[str, Any]] = field(default_factory=list)   # each with "since" and "runs"
    fixed: list[dict[str, Any]] = field(default_factory=list)        # findings of the previous run now gone
    trend: list[dict[str, Any]] = field(default_factory=list)        # oldest first: id, started_at, score, findings


def recent_runs(store: Any, run_id: str, limit: int) -> list[Any]:
    """Up to `limit` runs of kind 'run' ending with `run_id`, newest first (one indexed query)."""
    cur = store.run(run_id)
    rows = store.query("SELECT id, started_at, summary FROM runs WHERE kind='run' AND "
                       "(started_at < ? OR (started_at = ? AND id <= ?)) ORDER BY started_at DESC, id DESC LIMIT ?",
                       cur.started_at, cur.started_at, cur.id, limit)
    return [dict(r) for r in rows]


def fingerprints_by_run(store: Any, run_ids: list[str]) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {r: set() for r in run_ids}
    if not run_ids:
        return out
    marks = ",".join("?" * len(run_ids))
    for r in store.query(f"SELECT run_id, fingerprint FROM findings WHERE run_id IN ({marks})", *run_ids):
        out[r["run_id"]].add(r["fingerprint"])
    return out


def history(store: Any, run_id: str, findings: list[dict[str, Any]], limit: int = TREND_RUNS) -> History:
    runs = recent_runs(store, run_id, limit)
    ids = [r["id"] for r in runs]
    prints = fingerprints_by_run(store, ids)
    h = History()
    previous = ids[1] if len(ids) > 1 else None
    for f in findings:
        fp = f["fingerprint"]
        streak, since = 1, runs[0]["started_at"]
        for r in runs[1:]:
            if fp not in prints[r["id"]]:
                break
            streak, since = streak + 1, r["started_at"]
        if previous is not None and fp in prints[previous]:
            h.recurring.append({**f, "since": since, "runs": streak})
        else:
            h.new.append(f)
    if previous is not None:
        current = {f["fingerprint"] for f in findings}
        gone = prints[previous] - current
        if gone:
            h.fixed = [f for f in store.findings(previous) if f["fingerprint"] in gone]
    for r in reversed(runs):
        s = json.loads(r["summary"]) if isinstance(r["summary"], str) else r["summary"]
        h.trend.append({"id": r["id"], "started_at": r["started_at"], "score": s.get("score"),
                        "findings": s.get("findings", 0)})
    return h
