"""Run journeys in parallel worker processes, each with its own Chromium; results come back in journey order.

The time of a journey goes to waiting (network, the site), not to CPU, so a few workers per core pay
off. Workers only run journeys; the parent stores the results and applies the checks, so a parallel
run stores and finds exactly what a serial one does. Each worker launches one Chromium when it starts
and gives every journey a fresh context in it. Workers are forked from a server process that imported
the engine once (multiprocessing's forkserver), so a worker does not pay for the imports again.
"""
from __future__ import annotations

import multiprocessing
from concurrent.futures import ProcessPoolExecutor, as_completed
from datetime import datetime, timedelta, timezone
from typing import Any, Callable, Mapping

from checks import Observations, run_checks

from .clock import SystemClock
from .config import Config
from .journey import Journey
from .mail.outgoing import new_token
from .retries import Attempts, run_with_retries
from .run import JourneyResult, JourneyRunner, RunOptions
from .secrets import Redactor
from .summary import progress_status


# What a worker imports: loaded once by the fork server, shared by every worker forked from it.
WORKER_MODULES = ["shopper.parallel", "shopper.run", "shopper.probes", "shopper.probes.browser", "shopper.inbox",
                  "shopper.store", "shopper.sweep", "checks", "playwright.sync_api"]


class _Worker:
    """One worker process's own browser, probes and store connection (made once per process)."""

    current: "_Worker | None" = None

    def __init__(self, config: Config, run_id: str, options: RunOptions, environ: Mapping[str, str],
                 offset: timedelta, store_url: str):
        from .inbox import Inbox
        from .probes import Probes
        from .probes.browser import BrowserProbe
        from .probes.mail import imap_settings
        from .store import open_store
        from .sweep import Sweeper

        self.clock = SystemClock(offset)
        self.redactor = Redactor()
        self.store = open_store(store_url)
        self.probes = Probes.from_config(config, self.redactor, environ)
        settings = imap_settings(config, self.redactor, environ)
        if settings is not None:
            self.probes.inbox = Inbox(Sweeper(self.store, settings, self.clock), self.store)
        b = config.browser
        self.browser = BrowserProbe(executable=b.executable, headless=b.headless,
                                    viewport=(b.viewport_width, b.viewport_height), locale=b.locale).start()
        self.runner = JourneyRunner(config, self.browser, self.probes, self.clock, self.redactor, environ, run_id,
                                    options)
        self.run_id = run_id


def _start(*args: Any) -> None:
    _Worker.current = _Worker(*args)


def _run_one(journey: Journey, retries: int) -> tuple[list[JourneyResult], list[str]]:
    w = _Worker.current
    assert w is not None, "worker not initialised"

    def once(attempt: int) -> JourneyResult:
        token = new_token()
        w.store.record_journey_token(token, w.run_id, journey.name, w.clock.now().isoformat())
        return w.runner.run(journey, token, attempt=attempt)

    a = run_with_retries(once, retries, checked=w.runner.keep_trace_if_failing)
    swept: list[Any] = []
    if w.probes.inbox is not None:   # what this journey's in-journey sweeps saw, handed to the parent once
        swept, w.probes.inbox.collected = w.probes.inbox.collected, []
    return a.results, swept


def run_parallel(journeys: list[Journey], *, config: Config, run_id: str, options: RunOptions,
                 environ: Mapping[str, str], now: datetime, store_url: str, workers: int, retries: int,
                 progress: Callable[[str], None]) -> tuple[list[JourneyResult], dict[str, Attempts], list[Any]]:
    """Returns (final results in journey order, attempts by journey, observations of in-journey sweeps)."""
    offset = now - datetime.now(timezone.utc)
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload(WORKER_MODULES)
    results: dict[int, list[JourneyResult]] = {}
    swept: list[Any] = []
    with ProcessPoolExecutor(max_workers=workers, mp_context=ctx, initializer=_start,
                             initargs=(config, run_id, options, dict(environ), offset, store_url)) as pool:
        futures = {pool.submit(_run_one, j, retries): i for i, j in enumerate(journeys)}
        for done, fut in enumerate(as_completed(futures), 1):
            i = futures[fut]
            attempts, inbox = fut.result()
            results[i] = attempts
            swept.extend(inbox)
            r = attempts[-1]
            progress(f"[{done}/{len(journeys)}] {r.name}: {progress_status(r, run_checks(Observations([r])))} "
                     f"({len(r.steps)} steps, {r.duration_ms / 1000:.1f}s)")

    ordered = [results[i] for i in range(len(journeys))]
    attempts_by = {a[-1].name: Attempts(list(a), [run_checks(Observations([r])) for r in a]) for a in ordered}
    return [a[-1] for a in ordered], attempts_by, swept
