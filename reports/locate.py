"""Find what a developer opens next: the latest report of a run, the Playwright trace behind a finding."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from shopper.errors import ConfigError

if TYPE_CHECKING:
    from shopper.store.contract import RunStore

MIN_PREFIX = 4   # characters of a fingerprint that may stand for it


@dataclass(frozen=True)
class TraceHit:
    run_id: str
    fingerprint: str
    title: str
    journey: str
    traces: tuple[Path, ...]     # in the order they were written (a journey may have stopped tracing before a secret)


def report_index(store: RunStore, var_path: Path, run_id: str | None = None) -> tuple[str, Path]:
    """(run id, its report's index.html) for `run_id` or the latest run; the path may not exist yet."""
    run = store.run(run_id) if run_id else store.last_run()
    if run is None:
        raise ConfigError(f"no run {run_id!r} in the store" if run_id else
                          "no runs in the store yet: run `runner.py run` (or `make demo`) first")
    return run.id, var_path / "reports" / run.id / "index.html"


def finding_trace(store: RunStore, var_path: Path, ref: str, run_id: str | None = None) -> TraceHit:
    """The trace of the finding `ref` (a fingerprint, a prefix of one, or its report anchor `f-…`).

    Without `run_id`, the newest run that has the finding. The trace is the finding's own .zip evidence,
    else the trace of its journey in that run. Raises ConfigError naming the fix when there is none.
    """
    ref = ref.strip().removeprefix("#").removeprefix("f-").lower()
    if len(ref) < MIN_PREFIX:
        raise ConfigError(f"finding {ref!r}: give its fingerprint (or at least {MIN_PREFIX} characters of it), "
                          "as shown in the report and by `runner.py status`")
    rows = store.find_fingerprints(ref, run_id)
    if not rows:
        where = f" in run {run_id}" if run_id else ""
        raise ConfigError(f"no finding {ref!r}{where}: fingerprints are in the report (\"fingerprint …\") and "
                          "in `runner.py run --json` output")
    prints = {fp for _, fp in rows}
    if len(prints) > 1:
        raise ConfigError(f"{ref!r} matches {len(prints)} findings ({', '.join(sorted(prints)[:5])}): give more "
                          "characters of the fingerprint")
    hit_run, fp = rows[0]
    finding = next(f for f in store.findings(hit_run) if f["fingerprint"] == fp)
    paths = [p for p in finding["evidence"] if p.endswith(".zip")]
    if not paths:
        journey = next((j for j in store.journeys(hit_run) if j["name"] == finding["journey"]), None)
        paths = [p for p in (journey or {}).get("evidence", []) if p.endswith(".zip")]
    traces = tuple(var_path / p for p in paths if (var_path / p).is_file())
    if not traces:
        raise ConfigError(f"finding {fp} ({finding['title']}) of run {hit_run} has no trace: traces are kept when a "
                          "step fails (browser.trace: on-failure); set browser.trace: always in config.yaml to keep "
                          "every journey's trace")
    return TraceHit(hit_run, fp, finding["title"], finding["journey"], traces)
