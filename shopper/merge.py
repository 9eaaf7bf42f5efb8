"""Merge shard outputs (run JSON files or stores) into one run: journeys side by side, findings once each."""
from __future__ import annotations

import json
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import ConfigError
from .model import Finding, Observation
from .record import JourneyRecord, InvalidFile, RunRecord, decode, observation_of, stored_record
from .summary import run_status, run_summary

if TYPE_CHECKING:
    from .store.contract import Store


@dataclass(frozen=True)
class Part:
    """One shard's run, and what its sweeps observed (from a store file; a run JSON carries no observations)."""

    record: RunRecord
    observations: tuple[Observation, ...] = ()


@dataclass(frozen=True)
class Merged:
    started_at: str
    finished_at: str
    journeys: tuple[JourneyRecord, ...]
    findings: tuple[Finding, ...]
    invalid: tuple[InvalidFile, ...]
    observations: tuple[Observation, ...]
    shards: tuple[str, ...]


def load_part(path: str | Path) -> Part:
    """A shard's run: a `--json` file, or the latest run of a SQLite store file."""
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
        try:
            return Part(decode(data))
        except (KeyError, ValueError, TypeError) as e:
            raise ConfigError(f"{p}: not a valid run JSON ({type(e).__name__}: {e}): give a shard's --json "
                              "file as `runner.py run --json` wrote it") from None
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
        return Part(stored_record(store, run.id), tuple(map(observation_of, store.observations(run.id))))


def merge_parts(parts: list[Part]) -> Merged:
    """One run from many: journeys in shard order (a journey twice is an error), findings once per fingerprint."""
    seen: dict[str, str] = {}
    journeys: list[JourneyRecord] = []
    findings: dict[str, Finding] = {}
    invalid: list[InvalidFile] = []
    observations: list[Observation] = []
    for part in parts:
        run = part.record
        for j in run.journeys:
            if j.name in seen:
                raise ConfigError(f"journey {j.name!r} is in two shards ({seen[j.name]} and {run.run_id}): "
                                  f"give each shard its own --shard K/N")
            seen[j.name] = run.run_id
            journeys.append(j)
        for f in run.findings:
            findings.setdefault(f.fingerprint, f)
        invalid += [i for i in run.invalid if i not in invalid]
        observations += part.observations
    return Merged(min(p.record.started_at for p in parts), max(p.record.finished_at for p in parts),
                  tuple(journeys), tuple(findings.values()), tuple(invalid), tuple(observations),
                  tuple(p.record.run_id for p in parts))


def store_merged(store: Store, merged: Merged, run_id: str) -> RunRecord:
    """Write the merged run to `store` as run `run_id`; returns its record (summary computed as a run's is)."""
    store.begin_run(run_id, merged.started_at)
    for j in merged.journeys:
        store.save_journey(run_id, replace(j, observations=()))
    store.save_observations(run_id, list(merged.observations))
    store.save_findings(run_id, list(merged.findings))
    for i in merged.invalid:
        store.save_invalid(run_id, i.path, list(i.problems))
    summary = run_summary(merged.journeys, merged.findings, invalid=len(merged.invalid),
                          browser=f"merged from {len(merged.shards)} shards", shards=list(merged.shards))
    status = run_status(merged.journeys, merged.findings)
    store.finish_run(run_id, merged.finished_at, status, summary)
    return RunRecord(run_id, merged.started_at, merged.finished_at, status, summary, merged.journeys,
                     merged.findings, merged.invalid)
