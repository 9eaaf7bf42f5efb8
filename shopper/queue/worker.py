"""`runner.py worker`: take jobs from the store's queue and run them; any number of workers, on any machines.

A worker process runs one job at a time. Its journeys run in one thread of their own, in one Chromium
(launched by the first journey that needs a page and kept), with a fresh context per journey. Workers
send heartbeats; the jobs of a worker whose heartbeat stopped (SIGKILL, a lost machine) are retried by
the other workers (the journey itself decides whether it may run again: shopper/queue/journeys.py).
"""
from __future__ import annotations

import asyncio
import logging
import os
import socket
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable, Mapping

from ..clock import Clock
from ..config import Config
from ..journey import Journey, Step
from ..store.jobs import unfinished_jobs
from .app import QUEUES, build_app, ensure_schema
from .journeys import RunRequest, enqueue_run

if TYPE_CHECKING:
    from ..store.contract import Store

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class WorkerSettings:
    heartbeat_s: float = 10.0          # how often a worker says it is alive
    stalled_after_s: float = 60.0      # a worker silent this long is lost: its jobs are retried
    drain: bool = False                # stop once no job is waiting or running (CI, tests), instead of waiting
    name: str = ""


class WorkerHost:
    """What jobs run with in one worker process: the config, the store, one Chromium, the run's hooks."""

    def __init__(self, config: Config, store: Store, clock: Clock, environ: Mapping[str, str], *,
                 after_run: Callable[[str], None], email_report: Callable[[], None],
                 sweep: Callable[[], Any], progress: Callable[[str], None]):
        from ..audit import AuditSession, _known_vars

        self.config, self.store, self.clock, self.environ = config, store, clock, environ
        self.session = AuditSession(config, store, clock, environ, progress=progress)   # begins and finishes runs
        self.known_vars = _known_vars(config)
        self._after_run, self._email_report, self._sweep, self.progress = after_run, email_report, sweep, progress
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="journeys")   # the browser's thread
        self._browser: Any = None
        self._probes: Any = None
        self._redactor: Any = None

    # -- journeys (in the browser's thread) --
    def run(self, journey: Journey, run_id: str, request: RunRequest,
            before_step: Callable[[Step], None]) -> tuple[Any, list[Any]]:
        """(the journey's Attempts, observations of its in-journey sweeps)."""
        self.progress(f"{journey.name} ({run_id}) …")
        attempts, swept = self._thread.submit(self._run, journey, run_id, request, before_step).result()
        r = attempts.final
        self.progress(f"{journey.name} ({run_id}): {r.status} ({len(r.steps)} steps, {r.duration_ms / 1000:.1f}s)")
        return attempts, swept

    def _run(self, journey: Journey, run_id: str, request: RunRequest,
             before_step: Callable[[Step], None]) -> tuple[Any, list[Any]]:
        from ..attempts import attempt_journey
        from ..compose import start_browser, take_swept
        from ..run import JourneyRunner, RunOptions

        self._start_probes()
        needs_page = any(s.uses_page for s in journey.steps)
        if needs_page and self._browser is None:
            self._browser = start_browser(self.config)
        runner = JourneyRunner(self.config, self._browser if needs_page else None, self._probes, self.clock,
                               self._redactor, self.environ, run_id,
                               RunOptions(base_url=request.base_url, site=request.site, variables=request.variables))
        runner.before_step = before_step
        attempts = attempt_journey(runner, self.store, run_id, journey, request.retries)
        return attempts, take_swept(self._probes)

    def _start_probes(self) -> None:
        if self._probes is not None:
            return
        from ..compose import build_probes
        from ..secrets import Redactor

        self._redactor = Redactor()
        self._probes = build_probes(self.config, self.store, self.clock, self._redactor, self.environ)

    # -- runs, sweeps, reports --
    def start_scheduled(self, app: Any, schedule: str, timestamp: int) -> str:
        from ..audit import new_run_id, select_journeys
        from ..errors import ConfigError

        entry = next((e for e in self.config.schedules.runs if e.name == schedule), None)
        if entry is None:
            raise ConfigError(f"schedule {schedule!r} is not in this worker's config.yaml (schedules.runs): give "
                              f"the scheduler and the workers the same config")
        sel = select_journeys([self.config.path(self.config.journeys)], self.config, names=entry.journeys,
                              tags=entry.tags)
        run_id = new_run_id(self.clock)
        texts = {j.name: _read(j.path) for j in sel.journeys}
        enqueue_run(app, self.store, sel.journeys, texts, run_id=run_id, now=self.clock.now().isoformat(),
                    request=RunRequest(retries=self.config.retries), invalid=sel.invalid)
        self.progress(f"schedule {schedule}: run {run_id} queued, {len(sel.journeys)} journey(s)")
        return run_id

    def finish(self, run_id: str) -> None:
        summary = self.session.finish_stored(run_id, sweep=self._sweep_if_due)
        if summary is None:
            return
        self.progress(f"run {run_id} finished: {summary.get('journeys', 0)} journey(s), "
                      f"{summary.get('findings', 0)} finding(s)")
        self._after_run(run_id)

    def _sweep_if_due(self) -> Any:
        from ..audit import sweep_after_run

        self._start_probes()
        return sweep_after_run(self.config, self.store, self.clock, self._redactor, self.environ, self.progress)

    def sweep(self) -> None:
        self._sweep()

    def email_report(self) -> None:
        self._email_report()

    def close(self) -> None:
        def stop() -> None:
            if self._browser is not None:
                self._browser.close()
            if self._probes is not None:
                self._probes.close()

        self._thread.submit(stop).result()
        self._thread.shutdown()


def _read(path: str) -> str:
    from ..journey import read_text_file

    return read_text_file(path)


def worker_name() -> str:
    return f"{socket.gethostname()}-{os.getpid()}"


async def _retry_stalled(app: Any, settings: WorkerSettings) -> int:
    """Put the jobs of lost workers (no heartbeat for `stalled_after_s`) back in the queue; how many."""
    jobs = list(await app.job_manager.get_stalled_jobs(seconds_since_heartbeat=settings.stalled_after_s))
    for job in jobs:
        log.warning("job %s (%s) was running on a lost worker: retrying it", job.id, job.task_name)
        await app.job_manager.retry_job(job)
    return len(jobs)


async def _unfinished(app: Any) -> int:
    return await unfinished_jobs(app.connector, QUEUES)


async def _recover_stalled_forever(app: Any, settings: WorkerSettings) -> None:
    while True:
        await _retry_stalled(app, settings)
        await asyncio.sleep(settings.heartbeat_s)


async def _work(app: Any, host: WorkerHost, settings: WorkerSettings) -> None:
    options = dict(queues=list(QUEUES), name=settings.name or worker_name(), concurrency=1,
                   additional_context={"host": host}, update_heartbeat_interval=settings.heartbeat_s,
                   stalled_worker_timeout=settings.stalled_after_s, fetch_job_polling_interval=settings.heartbeat_s,
                   delete_jobs="never")
    async with app.open_async():
        if not settings.drain:
            recover = asyncio.create_task(_recover_stalled_forever(app, settings))
            try:
                await app.run_worker_async(wait=True, **options)
            finally:
                recover.cancel()
            return
        # Drain: work until nothing is waiting or running anywhere; jobs of lost workers are retried first.
        while True:
            await _retry_stalled(app, settings)
            await app.run_worker_async(wait=False, install_signal_handlers=False, **options)
            if await _unfinished(app) == 0:
                return
            await asyncio.sleep(settings.heartbeat_s)   # others still run jobs: look again after a heartbeat


def run_worker(host: WorkerHost, store_url: str, settings: WorkerSettings) -> None:
    """Until SIGTERM/Ctrl-C (the current job is finished first), or with `drain`, until the queue is empty."""
    ensure_schema(store_url)
    app = build_app(store_url)
    try:
        asyncio.run(_work(app, host, settings))
    finally:
        host.close()
