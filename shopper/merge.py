"""Merge shard outputs (run JSON files or stores) into one run: journeys side by side, findings once each."""
from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from .errors import ConfigError
from .model import Finding, Observation
from .summary import run_status, run_summary


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
        except (UnicodeDecodeError, OSError) as e:
            raise ConfigError(f"{p}: cannot read it as UTF-8 JSON ({e}): give a shard's --json file") from None
        schema = data.get("schema") if isinstance(data, dict) else type(data).__name__
        if schema != "mystery-shopper/run/v1":
            raise ConfigError(f"{p}: not a run JSON (schema {schema!r}; expected mystery-shopper/run/v1)")
        return data
    from .store import open_store

    try:
        with open(p, "rb") as f:
            header = f.read(16)
    except OSError as e:
        raise ConfigError(f"{p}: cannot read it ({e.strerror or e})") from None
    if header != b"SQLite format 3\x00":
        raise ConfigError(f"{p}: neither a run JSON (*.json) nor a SQLite store file: give the shards' --json "
                          "files or their store files")

    with open_store(str(p)) as store:
        run = store.last_run()
        if run is None:
            raise ConfigError(f"{p}: the store has no runs")
        from .publish import stored_run_json

        return {**stored_run_json(store, run.id), "observations": store.observations(run.id)}


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
    """Write the merged run to `store` as run `run_id`; returns its run JSON (summary computed as a run's is)."""
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
    summary = run_summary(merged["journeys"], merged["findings"], invalid=len(merged["invalid"]),
                          browser=f"merged from {len(merged['shards'])} shards", shards=merged["shards"])
    status = run_status(merged["journeys"], merged["findings"])
    store.finish_run(run_id, merged["finished_at"], status, summary)
    out = {k: v for k, v in merged.items() if k != "observations"}
    out.update(run_id=run_id, status=status, summary=summary)
    return out
