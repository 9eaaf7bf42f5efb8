"""What a scheduled slot or a queued job does besides running journeys: a sweep, a report by mail, enqueuing the
slots of a PostgreSQL store. The scheduler and the worker call these; the command line injects what the engine
does not do itself (printing, alerts, rendering and mailing a report)."""
from __future__ import annotations

import os
import signal
import sys
import threading
from typing import TYPE_CHECKING, Any, Callable, Mapping

from .clock import Clock
from .config import Config

if TYPE_CHECKING:
    from .store.contract import RunStore, Store


def scheduled_sweep(config: Config, store: Store, clock: Clock, environ: Mapping[str, str], *,
                    on_sweep: Callable[[str, Any, list], None], warn: Callable[[str], None]) -> None:
    """A sweep slot: one sweep, handed to `on_sweep` (print, alert); a sweep that cannot run is said, every time."""
    from .audit import run_sweep
    from .schedule_plan import sweep_problem

    problem = sweep_problem(config)
    if problem:   # said on every slot, not skipped in silence
        warn(f"sweep skipped: {problem}")
    else:
        run_id, result, findings = run_sweep(config, store, clock=clock, environ=environ)
        on_sweep(run_id, result, findings)


def scheduled_email_report(store: RunStore, email_run: Callable[[str], Any]) -> None:
    """A report slot: the latest run's report, by mail (`email_run(run_id)` renders and sends it); none yet, none."""
    run = store.last_run()
    if run is not None:
        email_run(run.id)


def stop_on_signals(stop: threading.Event, what: str) -> None:
    """SIGTERM and Ctrl-C set `stop` (the current step finishes) and say `what` happens."""
    def on_signal(signum, _frame) -> None:
        # set from another thread: this handler may have interrupted the main thread inside stop.wait(), holding
        # the event's lock, and setting it here would wait for that lock for ever
        threading.Thread(target=stop.set, name="stop-on-signal", daemon=True).start()
        # straight to the file descriptor: a print() here could wait for the stdout lock the interrupted main
        # thread holds (mid-print), and the scheduler would never stop
        try:
            os.write(sys.stdout.fileno(), f"{signal.Signals(signum).name}: {what}\n".encode())
        except (OSError, ValueError):
            pass

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)


def enqueue_on_schedule(config: Config, plan: Any, clock: Clock, stop: threading.Event,
                        progress: Callable[[str], None]) -> None:
    """`schedule` with a PostgreSQL store: enqueue each slot (once) into the store's job queue until stopped;
    `runner.py worker` processes run them."""
    from .queue.schedule import enqueue_on_schedule as enqueue

    stop_on_signals(stop, "stopping")
    progress(f"scheduler started (pid {os.getpid()}): enqueuing {len(plan.runs)} scheduled run(s)"
             f"{', sweeps every ' + str(plan.sweep_every) if plan.sweep_every else ''}"
             f"{', report ' + plan.report.days + ' at ' + plan.report.at if plan.report else ''} into the job queue "
             f"of the PostgreSQL store; `runner.py worker` runs them; Ctrl-C to stop")
    enqueue(config.store_url, plan, clock, stop, progress)
    progress("scheduler stopped")
