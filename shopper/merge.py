"""Merge shard outputs (run JSON files or stores) into one run: journeys side by side, findings once each."""
from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from .errors import ConfigError
from .model import Finding, Observation
from .score import scores


def load_part(path: str | Path) -> dict[str, Any]:
    """A shard's run as run JSON: a `--json` file, or the latest run of a SQLite store file."""
    p = Path(path)
    if not p.exists():
        raise ConfigError(f"{p}: no such file (give the shards' --json files or their store files)")
    if p.suffix == ".json":
        try:
            data = json.loads(p.read_text(encoding="utf-8"))
        except json.JSONDecodeError as e:
            raise ConfigError(f"{p}:{e.lineno}:{e.colno}: not valid JSON: {e.msg}") from None
        if data.get("schema") != "mystery-shopper/run/v1":
            raise ConfigError(f"{p}: not a run JSON (schema {data.get('schema')!r}; expected mystery-shopper/run/v1)")
        return data
    from .store import open_store

    store = open_store(str(p))
    try:
        run = store.last_run()
        if run is None:
            raise ConfigError(f"{p}: the store has no runs")
        journeys = store.journeys(run.id)
        for j in journeys:
            j["steps"] = [{**s, "index": s["idx"]} for s in j["steps"]]
            j["blocked_requests"] = j.pop("blocked", {})
        return {"schema": "mystery-shopper/run/v1", "run_id": run.id, "started_at": run.started_at,
                "finished_at": run.finished_at, "journeys": journeys, "findings": store.findings(run.id),
                "invalid": store.invalid(run.id), "observations": store.observations(run.id)}
    finally:
        store.close()


def merge_parts(parts: list[dict[str, Any]]) -> dict[str, Any]:
    """One run from many: journeys in shard order (a journey twice is an error), findings once per fingerprint."""
    seen: dict[str, str] = {}
    journeys, findings, invalid, observations = [], {}, [], []
    for part in parts:
        for j in part["journeys"]:
            if j["name"] in seen:
                raise ConfigError(f"journey {j['name']!r} is in two shards ({seen[j['name']]} and {part['run_id']}): "
                                  f"give each shard its own --shard K/N")
            seen[j["name"]] = part["run_id"]
            journeys.append(j)
        for f in part["findings"]:
            findings.setdefault(f["fingerprint"], f)
        invalid += [i for i in part.get("invalid", []) if i not in invalid]
        observations += part.get("observations", [])
    return {"schema": "mystery-shopper/run/v1", "started_at": min(p["started_at"] for p in parts),
            "finished_at": max(p.get("finished_at") or p["started_at"] for p in parts), "journeys": journeys,
            "findings": list(findings.values()), "invalid": invalid, "observations": observations,
            "shards": [p["run_id"] for p in parts]}


def store_merged(store: Any, merged: dict[str, Any], run_id: str) -> dict[str, Any]:
    """Write the merged run to `store` as run `run_id`; returns its summary."""
    store.begin_run(run_id, merged["started_at"])
    for j in merged["journeys"]:
        steps = [SimpleNamespace(**{k: s.get(k) for k in ("index", "kind", "label", "status", "started_at",
                                                           "duration_ms", "detail", "error", "url", "title", "line")},
                                 evidence=s.get("evidence") or []) for s in j["steps"]]
        store.save_journey(run_id, SimpleNamespace(
            name=j["name"], path=j["path"], site=j.get("site"), tags=j.get("tags") or [], status=j["status"],
            started_at=j["started_at"], duration_ms=j["duration_ms"], error=j.get("error"),
            evidence=j.get("evidence") or [], blocked_requests=j.get("blocked_requests") or {}, steps=steps,
            observations=[]))
    store.save_observations(run_id, [Observation(o["kind"], o["journey"], o["step"], o["data"], o["at"],
                                                 tuple(o.get("evidence") or [])) for o in merged["observations"]])
    findings = [Finding(**{k: f[k] for k in ("kind", "severity", "journey", "step", "title", "detail", "subject",
                                            "fingerprint", "reason")},
                        evidence=tuple(f.get("evidence") or []), data=f.get("data") or {}) for f in merged["findings"]]
    store.save_findings(run_id, findings)
    for i in merged["invalid"]:
        store.save_invalid(run_id, i["path"], i["problems"])
    s = scores(merged["journeys"], merged["findings"])
    by_kind: dict[str, int] = {}
    for f in findings:
        by_kind[f.kind] = by_kind.get(f.kind, 0) + 1
    summary = {"journeys": len(merged["journeys"]), "findings": len(findings), "invalid": len(merged["invalid"]),
               "passed": sum(j["status"] == "passed" for j in merged["journeys"]), "by_kind": by_kind,
               "score": s["overall"], "processes": s["processes"], "shards": merged["shards"],
               "browser": f"merged from {len(merged['shards'])} shards"}
    store.finish_run(run_id, merged["finished_at"], "findings" if findings else "clean", summary)
    return summary
