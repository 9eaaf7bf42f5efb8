"""The queue's jobs. Each runs in a worker (`runner.py worker`) with the worker's host in its context."""
from __future__ import annotations

from typing import Any

import procrastinate

from .app import JOURNEYS_QUEUE, RUNS_QUEUE

blueprint = procrastinate.Blueprint()

# The worker's own problems (the store unreachable, a lost race) are retried; a journey that fails is a
# result, not an exception. A retried `run_journey` re-claims its journey, so it never runs twice.
RETRY = procrastinate.RetryStrategy(max_attempts=4, wait=5, linear_wait=5)


def _host(context: Any) -> Any:
    return context.additional_context["host"]


@blueprint.task(name="run_journey", queue=JOURNEYS_QUEUE, pass_context=True, retry=RETRY)
def run_journey(context: Any, run_id: str, name: str, path: str, text: str, request: dict) -> str:
    """Run one journey of a queued run (once), store it, and queue the run's finish after its last journey."""
    from .journeys import run_queued_journey

    return run_queued_journey(_host(context), context.app, run_id=run_id, name=name, path=path, text=text,
                              request=request, worker=context.worker_name or "worker")


@blueprint.task(name="finish_run", queue=RUNS_QUEUE, pass_context=True, retry=RETRY)
def finish_run(context: Any, run_id: str) -> None:
    """Sweep, score and close a queued run; render its report and send its alerts."""
    _host(context).finish(run_id)


@blueprint.task(name="start_scheduled_run", queue=RUNS_QUEUE, pass_context=True, retry=RETRY)
def start_scheduled_run(context: Any, timestamp: int, schedule: str) -> str:
    """A slot of `schedules.runs[schedule]`: select its journeys and queue them as one run."""
    return _host(context).start_scheduled(context.app, schedule, timestamp)


@blueprint.task(name="sweep", queue=RUNS_QUEUE, pass_context=True, retry=RETRY, lock="sweep")
def sweep(context: Any, timestamp: int) -> None:
    """A scheduled sweep (one at a time across all workers)."""
    _host(context).sweep()


@blueprint.task(name="email_report", queue=RUNS_QUEUE, pass_context=True, retry=RETRY)
def email_report(context: Any, timestamp: int) -> None:
    """The scheduled emailed report of the latest run."""
    _host(context).email_report()
