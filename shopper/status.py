"""`runner.py status`: the latest run in short — score, findings to fix first, open expectations, the last sweep."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable

if TYPE_CHECKING:
    from .store.contract import RunStore


def status_lines(store: RunStore | None, store_url: str, run_view: Callable[[Any, str], Any]) -> list[str]:
    """What `status` prints. `run_view(store, run_id)` gives the report's headline, process order and "fix these
    first" ranking (the command line passes the report's own, so that both always agree)."""
    run = store.last_run() if store is not None else None
    if run is None:
        return [f"no runs in {store_url} yet: run `runner.py run` (or `make demo`)"]
    s = run.summary
    v = run_view(store, run.id)
    score = "no score" if s.get("score") is None else f"score {s['score']}/100"
    statuses = ", ".join(f"{n} {st.replace('_', ' ')}" for st, n in (s.get("statuses") or {}).items() if n)
    lines = [f"last run {run.id} ({run.started_at[:16].replace('T', ' ')}): {run.status}, {v.headline}, {score}, "
             f"{s.get('findings', 0)} finding(s), {s.get('journeys', '?')} journey(s)"
             + (f" ({statuses})" if statuses else "")]
    if run.status == "error":
        lines.append(f"  nothing was audited: {s.get('error') or 'no journey ran'}")
    for p in v.processes:
        lines.append(f"  {p.label:<16} {'incomplete' if p.score is None else f'{p.score:>3}'}"
                     + (f"  {', '.join(f'{n} {sev}' for sev, n in p.counts.items())}" if p.counts else ""))
    if v.findings:
        lines.append("fix first:")
    for f in v.ranked:
        lines.append(f"  [{f.severity}] {f.kind}: {f.title}" + (" (flaky)" if f.flaky else ""))
    open_ = store.expectations(states=("open",))
    lines.append(f"open expectations: {len(open_)}")
    for e in sorted(open_, key=lambda e: e.answer_deadline):
        due = e.answer_deadline.strftime("%Y-%m-%d %H:%M UTC")
        what = "no mail from" if e.kind == "silence" else f"{e.channel} notice for order" if e.kind == "order" \
            else f"{e.channel} reply from"
        lines.append(f"  {e.journey}: {what} {e.target}, due {due}")
    sweep = store.last_sweep()
    if sweep:
        lines.append(f"last sweep {sweep['started_at'][:16]}: "
                     f"{'ok' if sweep['ok'] else 'FAILED: ' + (sweep['error'] or '')}")
    return lines
