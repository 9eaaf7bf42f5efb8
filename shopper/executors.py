"""Executors turn journeys into attempts — nothing before, nothing after (the audit session begins, sweeps,
judges, records, finishes and publishes the run).

    executor.execute(journeys, request) -> Executed

Every executor runs each journey through the same `attempt_journey` (shopper/attempts.py), which writes ahead
what each step sent and expects as the step ends, so a process that dies loses no mail it sent:
- SerialExecutor: one after another in this process, in the session's browser;
- PoolExecutor: worker processes, each with its own Chromium (shopper/parallel.py);
- the job queue (shopper/queue/): workers on any machine take one journey each; the run's finish job is the
  session's `finish_stored` (the same judge over the stored journeys).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable, Protocol, Sequence

from .attempts import attempt_journey
from .compose import browser_version, take_swept
from .journey import Journey
from .retries import Attempts
from .run import JourneyResult, JourneyRunner, RunOptions
from .summary import progress_status

if TYPE_CHECKING:
    from .store.contract import Store


@dataclass(frozen=True)
class ExecuteRequest:
    """What a run asks of every journey."""

    run_id: str
    options: RunOptions = field(default_factory=RunOptions)
    retries: int = 0
    headed: bool = False
    stop: Any = None   # a threading.Event: journeys not yet started are not started


@dataclass
class Executed:
    results: list[JourneyResult]          # each journey's final attempt, in journey order
    attempts: dict[str, Attempts]         # every attempt of each journey (flaky findings)
    swept: list[Any]                      # observations of the sweeps made during journeys
    browser: str = ""                     # what ran them (the summary's `browser`)


class Executor(Protocol):
    def execute(self, journeys: Sequence[Journey], request: ExecuteRequest) -> Executed: ...


class SerialExecutor:
    """One journey after another in this process; each journey stored as it ends."""

    def __init__(self, session: Any, probes: Any):
        self.session, self.probes = session, probes

    def execute(self, journeys: Sequence[Journey], request: ExecuteRequest) -> Executed:
        s = self.session
        # Chromium only when some step needs a page; mail-only journeys run without one
        needs_page = any(st.uses_page for j in journeys for st in j.steps)
        browser = s.browser(request.headed) if needs_page else None
        runner = JourneyRunner(s.config, browser, self.probes, s.clock, s.redactor, s.environ, request.run_id,
                               request.options, s.rng)
        runner.stop = request.stop
        runner.browser_error = s.browser_error
        results, attempts = _serially(journeys, runner, s.store, request, s.progress)
        return Executed(results, attempts, take_swept(self.probes), browser_version(browser))


def _serially(journeys: Sequence[Journey], runner: JourneyRunner, store: Store, request: ExecuteRequest,
              progress: Callable[[str], None]) -> tuple[list[JourneyResult], dict[str, Attempts]]:
    results = []
    attempts: dict[str, Attempts] = {}
    total = len(journeys)
    for n, journey in enumerate(journeys, 1):
        if runner.stop is not None and runner.stop.is_set():
            progress(f"[{n}/{total}] {journey.name}: not started (stopping)")
            continue
        progress(f"[{n}/{total}] {journey.name} …")
        a = attempt_journey(runner, store, request.run_id, journey, request.retries,
                            lambda attempt: progress(f"[{n}/{total}] {journey.name}: attempt {attempt}"))
        result = a.final
        attempts[journey.name] = a
        store.save_journey(request.run_id, result)
        results.append(result)
        tries = f", {len(a.results)} attempts" if len(a.results) > 1 else ""
        progress(f"[{n}/{total}] {journey.name}: {progress_status(result, a.findings[-1])} ({len(result.steps)} "
                 f"steps, {result.duration_ms / 1000:.1f}s{tries})")
    return results, attempts


class PoolExecutor:
    """Worker processes (multiprocessing's forkserver), each with its own Chromium; the parent stores each
    journey as it comes back."""

    def __init__(self, session: Any, workers: int):
        self.session, self.workers = session, workers

    def execute(self, journeys: Sequence[Journey], request: ExecuteRequest) -> Executed:
        from .parallel import run_parallel

        s = self.session
        results, attempts, swept = run_parallel(
            list(journeys), config=s.config, run_id=request.run_id, options=request.options, environ=s.environ,
            now=s.clock.now(), store_url=s.config.store_url, workers=self.workers, retries=request.retries,
            progress=s.progress, store=s.store)
        return Executed(results, attempts, swept, f"{self.workers} worker processes")


def executor_for(session: Any, probes: Any, workers: int, journeys: Sequence[Journey]) -> Executor:
    """The process pool for `--workers N` (N > 1) and more than one journey; else this process."""
    if workers > 1 and len(journeys) > 1:
        return PoolExecutor(session, workers)
    return SerialExecutor(session, probes)
