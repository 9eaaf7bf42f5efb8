"""Runs whose process died (SIGKILL, power loss): found by the next run, marked 'interrupted' and reported.

A run records its owner (host and PID) when it begins. A later run on the same host sees a run still
'running' whose PID is gone and marks it interrupted, saying which journeys it had saved and which it
was in the middle of. What such a journey already sent and expected was stored step by step, so later
sweeps still judge it. Runs owned by another host are left alone: only that host can tell.
"""
from __future__ import annotations

import os
import socket
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .store.contract import RunStore


def owner() -> dict[str, Any]:
    """Who runs this process: stored with each run."""
    return {"host": socket.gethostname(), "pid": os.getpid()}


def _dead(run_owner: dict[str, Any] | None) -> bool:
    if not run_owner or run_owner.get("host") != socket.gethostname():
        return False
    try:
        os.kill(int(run_owner["pid"]), 0)
    except ProcessLookupError:
        return True
    except (PermissionError, ValueError, TypeError, KeyError):
        return False   # alive under another user, or no PID we can check
    return False


def mark_interrupted_runs(store: RunStore, now: str) -> list[str]:
    """Mark the dead runs of this host 'interrupted'; one line per run for the user."""
    lines = []
    for run in store.unfinished_runs():
        if not _dead(run.summary.get("owner")):
            continue
        saved = [j["name"] for j in store.journeys(run.id)]
        unfinished = [name for name in store.journeys_started(run.id) if name not in saved]
        summary = {"interrupted": True, "journeys_saved": saved, "journeys_unfinished": unfinished}
        if not store.mark_interrupted(run.id, now, summary):
            continue   # another process reported it first
        what = "sweep" if run.kind == "sweep" else "run"
        detail = f"{len(saved)} journey(s) saved" if run.kind != "sweep" else "its stored messages are kept"
        if unfinished:
            detail += f"; interrupted in {', '.join(unfinished)} (what it sent and expects is kept)"
        lines.append(f"{what} {run.id} (started {run.started_at[:19]}) was interrupted before it finished: {detail}")
    return lines
