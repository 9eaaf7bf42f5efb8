"""`runner.py run --queue`, the engine's part: begin the run, queue its journeys for the workers, wait for the run's
finish job (which judges, records and finishes it as the session does), and read its record back."""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable

from ..clock import Clock
from ..record import RunRecord, stored_record
from .journeys import RunRequest

if TYPE_CHECKING:
    from ..store.contract import Store


@dataclass(frozen=True)
class Queued:
    run_id: str
    queued: int                 # journeys handed to the workers
    left_out: list[str]         # still waiting from an earlier run: stored as not run


def queue_run(store: Store, store_url: str, selection: Any, request: RunRequest, clock: Clock) -> Queued:
    """Begin a run and queue its journeys (their text travels with the job: workers need not share files)."""
    from ..audit import new_run_id
    from ..journey import read_text_file
    from .app import build_app, ensure_schema
    from .journeys import enqueue_run

    ensure_schema(store_url)
    app = build_app(store_url)
    run_id = new_run_id(clock)
    with app.open():
        left_out = enqueue_run(app, store, selection.journeys,
                               {j.name: read_text_file(j.path) for j in selection.journeys},
                               run_id=run_id, now=clock.now().isoformat(), invalid=selection.invalid, request=request)
    return Queued(run_id, len(selection.journeys) - len(left_out), left_out)


def wait_for_record(store: Store, run_id: str, progress: Callable[[str], None]) -> RunRecord:
    """Until the workers finished the run: its record, as judged by the run's finish."""
    from .journeys import wait_for_run

    wait_for_run(store, run_id, progress)
    return stored_record(store, run_id)
