"""Which alerts a run deserves: triggers, severity, no flaky findings, cooldown per fingerprint, maintenance."""
from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from checks.registry import is_breach, is_setup

from .settings import AlertsConfig

if TYPE_CHECKING:
    from ..store.contract import RunStore, Store

FINDING_KEYS = ("kind", "severity", "journey", "title", "fingerprint")  # all an alert carries of a finding


@dataclass(frozen=True)
class Alert:
    """One message about one run: 'new_findings', 'breaches' or 'score_drop'."""

    trigger: str
    title: str
    findings: tuple[dict, ...]
    score: int | None
    previous_score: int | None
    run_id: str

    @property
    def keys(self) -> tuple[str, ...]:
        """What the cooldown remembers: the findings' fingerprints, or 'score_drop:<run>' for a score alert."""
        return tuple(f["fingerprint"] for f in self.findings) or (f"{self.trigger}:{self.run_id}",)

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["findings"] = [dict(f) for f in self.findings]
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "Alert":
        return cls(trigger=d["trigger"], title=d["title"], findings=tuple(dict(f) for f in d["findings"]),
                   score=d.get("score"), previous_score=d.get("previous_score"), run_id=d["run_id"])


def plan_alerts(config: AlertsConfig, store: Store, run_id: str, now: datetime) -> list[Alert]:
    """The alerts to send now for run `run_id`, queued ones first.

    Inside a maintenance window nothing is returned: this run's alerts are queued in the store
    and come out of the first call after the window. A fingerprint alerted less than
    `cooldown` ago, or already waiting in the queue, is left out.
    """
    if not config.enabled:
        return []
    queued = [Alert.from_dict(p["alert"]) for p in store.pending_alerts()]
    waiting = {k for a in queued for k in a.keys}
    fresh = _fresh_alerts(config, store, run_id, now, waiting)
    if config.held_until(now) is not None:
        for alert in fresh:
            store.hold_alert(alert.to_dict(), "maintenance", now.isoformat())
        return []
    return queued + fresh


def _fresh_alerts(config: AlertsConfig, store: Store, run_id: str, now: datetime, waiting: set[str]) -> list[Alert]:
    run = store.run(run_id)
    if run is None:
        raise KeyError(f"run {run_id} is not in the store")
    score = _score(run.summary)
    previous = store.previous_run(run_id)
    previous_score = _score(previous.summary) if previous is not None else None
    candidates = [f for f in store.findings(run_id)
                  if config.serious_enough(f["severity"]) and not _flaky(f) and not is_setup(f["kind"])
                  and f["fingerprint"] not in waiting]
    recent = store.last_alerted([f["fingerprint"] for f in candidates] + [f"score_drop:{run_id}"])
    due = [f for f in candidates
           if f["fingerprint"] not in recent or now - recent[f["fingerprint"]] >= config.cooldown.timedelta]
    # a breach goes out as a breach when that trigger is on, else as any other new finding
    split = "breaches" in config.on
    breaches = [f for f in due if split and is_breach(f["kind"])]
    others = [f for f in due if not (split and is_breach(f["kind"]))] if "new_findings" in config.on else []
    alerts = []
    if breaches:
        alerts.append(Alert("breaches", _title(len(breaches), "promise broken", "promises broken", score,
                                               previous_score),
                            _compact(breaches), score, previous_score, run_id))
    if others:
        alerts.append(Alert("new_findings", _title(len(others), "new problem", "new problems", score, previous_score),
                            _compact(others), score, previous_score, run_id))
    if run.status == "error" and f"run_error:{run_id}" not in waiting:   # unattended and audited nothing: say so
        why = run.summary.get("error") or "no journey ran"
        alerts.append(Alert("run_error", f"nothing audited: {why}", (), None, previous_score, run_id))
    drops = score_drops(store, run, config.score_drop) if "score_drop" in config.on else []
    if drops and f"score_drop:{run_id}" not in recent and f"score_drop:{run_id}" not in waiting:
        worst = max(drops, key=lambda d: d[1] - d[2])
        alerts.append(Alert("score_drop", "; ".join(_drop_text(*d) for d in drops), (), worst[2], worst[1], run_id))
    return alerts


OVERALL = ""   # the key of a run that kept only an overall score (runs stored before per-process scores)


def _process_scores(summary: dict[str, Any]) -> dict[str, int]:
    processes = summary.get("processes")
    if isinstance(processes, dict) and processes:
        return {p: s for p, v in processes.items() if (s := _score({"score": v})) is not None}
    overall = _score(summary)
    return {} if overall is None else {OVERALL: overall}


def score_drops(store: RunStore, run: Any, threshold: int, lookback: int = 200) -> list[tuple[str, int, int]]:
    """(process, its last earlier score, its score now) for each process of `run` down by `threshold` or more:
    each process is compared with its own last scored result, so runs of other subsets (--tag, --shard,
    pytest items, schedules) never count as a drop."""
    now = _process_scores(run.summary)
    if not now:
        return []
    last: dict[str, int] = {}
    for r in store.runs_up_to(run.id, lookback, inclusive=False):
        for p, v in _process_scores(r["summary"]).items():
            last.setdefault(p, v)
        if set(now) <= set(last):
            break
    return [(p, last[p], v) for p, v in sorted(now.items()) if p in last and last[p] - v >= threshold]


def _drop_text(process: str, before: int, now: int) -> str:
    """'score 70 (-10), down from 80' or 'support score 60 (-20), down from 80'."""
    return f"{process + ' ' if process else ''}score {now} ({now - before:+d}), down from {before}"


def _title(count: int, one: str, many: str, score: int | None, previous: int | None) -> str:
    """'3 new problems, score 62 (-15)'."""
    text = f"{count} {one if count == 1 else many}"
    if score is not None:
        text += f", score {score}"
        if previous is not None and previous != score:
            text += f" ({score - previous:+d})"
    return text


def _compact(findings: list[dict[str, Any]]) -> tuple[dict, ...]:
    return tuple({k: f.get(k) for k in FINDING_KEYS} for f in findings)


def _flaky(finding: dict[str, Any]) -> bool:
    return bool(finding.get("flaky") or (finding.get("data") or {}).get("flaky"))


def _score(summary: dict[str, Any]) -> int | None:
    score = summary.get("score")
    return int(score) if isinstance(score, (int, float)) and not isinstance(score, bool) else None
