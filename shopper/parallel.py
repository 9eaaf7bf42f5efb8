"""Run journeys in parallel worker processes, each with its own Chromium; results come back in journey order.

The time of a journey goes to waiting (network, the site), not to CPU, so a few workers per core pay
off. Workers only run journeys (each attempt's mail and expectations stored as its steps end); the parent
stores each journey as it comes back and the session judges the run, so a parallel run stores and finds
exactly what a serial one does. Each worker launches one Chromium when it starts
and gives every journey a fresh context in it. Workers are forked from a server process that imported
the engine once (multiprocessing's forkserver), so a worker does not pay for the imports again.
"""
from __future__ import annotations

import multiprocessing
from concurrent.futures import ProcessPoolExecutor, as_completed
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any, Callable, Mapping

from .attempts import attempt_journey
from .clock import SystemClock
from .config import Config
from .journey import Journey
from .lifeline import die_with_parent
from .retries import Attempts
from .run import JourneyResult, JourneyRunner, RunOptions
from .secrets import Redactor
from .summary import progress_status

if TYPE_CHECKING:
    from .store.contract import Store


# What a worker imports: loaded once by the fork server, shared by every worker forked from it.
# shopper.lifeline_preload first: the fork server itself dies with the run that started it.
WORKER_MODULES = ["shopper.lifeline_preload", "shopper.parallel", "shopper.compose", "shopper.run",
                  "shopper.probes", "shopper.probes.browser", "shopper.inbox", "shopper.store", "shopper.sweep",
                  "checks", "playwright.sync_api"]


class _Worker:
    """One worker process's own browser, probes and store connection (made once per process)."""

    current: "_Worker | None" = None

    def __init__(self, config: Config, run_id: str, options: RunOptions, environ: Mapping[str, str],
                 offset: timedelta, store_url: str):
        from .compose import build_probes, start_browser
        from .store import open_store

        self.clock = SystemClock(offset)
        self.redactor = Redactor()
        self.store = open_store(store_url)
        self.probes = build_probes(config, self.store, self.clock, self.redactor, environ)
        self.browser = start_browser(config)
        self.runner = JourneyRunner(config, self.browser, self.probes, self.clock, self.redactor, environ, run_id,
                                    options)
        self.run_id = run_id


def _start(*args: Any) -> None:
    import sys

    from .terminal import install

    die_with_parent()   # the fork server: when it goes (with the run), so does this worker and its browser
    install(sys)   # a worker's log lines reach the same terminal: inert too
    _Worker.current = _Worker(*args)


def _run_one(journey: Journey, retries: int) -> tuple[Attempts, list[Any]]:
    from .compose import take_swept

    w = _Worker.current
    assert w is not None, "worker not initialised"
    # the serial path's attempt: each step's mail and expectations are stored as it ends (a dead worker loses none)
    a = attempt_journey(w.runner, w.store, w.run_id, journey, retries)
    return a, take_swept(w.probes)   # what this journey's in-journey sweeps saw, handed to the parent once


def run_parallel(journeys: list[Journey], *, config: Config, run_id: str, options: RunOptions,
                 environ: Mapping[str, str], now: datetime, store_url: str, workers: int, retries: int,
                 progress: Callable[[str], None], store: Store | None = None
                 ) -> tuple[list[JourneyResult], dict[str, Attempts], list[Any]]:
    """Returns (final results in journey order, attempts by journey, observations of in-journey sweeps). With
    `store`, each journey is stored as soon as it comes back (a run killed later keeps it)."""
    offset = now - datetime.now(timezone.utc)
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload(WORKER_MODULES)
    done_by: dict[int, Attempts] = {}
    swept: list[Any] = []
    with ProcessPoolExecutor(max_workers=workers, mp_context=ctx, initializer=_start,
                             initargs=(config, run_id, options, dict(environ), offset, store_url)) as pool:
        futures = {pool.submit(_run_one, j, retries): i for i, j in enumerate(journeys)}
        for done, fut in enumerate(as_completed(futures), 1):
            i = futures[fut]
            a, inbox = fut.result()
            done_by[i] = a
            swept.extend(inbox)
            r = a.final
            if store is not None:
                store.save_journey(run_id, r)
            progress(f"[{done}/{len(journeys)}] {r.name}: {progress_status(r, a.findings[-1])} "
                     f"({len(r.steps)} steps, {r.duration_ms / 1000:.1f}s)")

    ordered = [done_by[i] for i in range(len(journeys))]
    return [a.final for a in ordered], {a.final.name: a for a in ordered}, swept
