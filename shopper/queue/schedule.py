"""`runner.py schedule` on a PostgreSQL store: enqueue each slot of `schedules:` as a job, run nothing itself.

The slots are procrastinate periodic tasks (cron expressions). procrastinate keeps each (task, schedule,
slot) deferred once in the database, so a restarted scheduler — or a second one — never enqueues a
slot twice; a slot missed while no scheduler ran is enqueued once at start if it is at most one period
late. Time comes from the injectable clock.
"""
from __future__ import annotations

import asyncio
import logging
import threading
from typing import Any, Callable

from ..clock import Clock
from ..errors import ConfigError
from ..scheduler import DAYS, ScheduledRun, SchedulesConfig
from .app import build_app, ensure_schema

log = logging.getLogger(__name__)
CRON_DAYS = {"daily": "*", "weekdays": "1-5", **{d: str((i + 1) % 7) for i, d in enumerate(DAYS)}}


def cron_of(name: str, when: Any) -> str:
    """A cron expression (UTC) for a schedule entry: `every` a duration that divides an hour or a day
    (15m → `*/15 * * * *`), or `at` HH:MM on its days (07:00 weekdays → `0 7 * * 1-5`)."""
    if getattr(when, "every", None) is not None:
        minutes, rest = divmod(int(when.every.seconds), 60)
        if rest == 0 and minutes < 60 and 60 % minutes == 0:
            return f"*/{minutes} * * * *" if minutes > 1 else "* * * * *"
        hours, rest = divmod(minutes, 60)
        if rest == 0 and hours <= 24 and 24 % hours == 0:
            return f"0 */{hours} * * *" if hours < 24 else "0 0 * * *"
        raise ConfigError(f"schedule {name!r}: 'every: {when.every}' cannot be a slot of the job queue: use a "
                          f"duration that divides an hour or a day (5m, 15m, 30m, 1h, 2h, 6h, 1d) or 'at'")
    hour, minute = (int(x) for x in when.at.split(":")[:2])
    return f"{minute} {hour} * * {CRON_DAYS[when.days]}"


def _period_s(when: Any) -> float:
    if getattr(when, "every", None) is not None:
        return float(when.every.seconds)
    return float(ScheduledRun("p", at=when.at, days=when.days).period.total_seconds())


def periodic_registry(app: Any, plan: SchedulesConfig) -> tuple[Any, float]:
    """The periodic tasks of `plan` and the longest period (how late a missed slot may still be enqueued)."""
    from procrastinate.periodic import PeriodicRegistry

    registry = PeriodicRegistry()
    longest = 0.0
    entries: list[tuple[str, str, Any, dict]] = [
        ("shopper:start_scheduled_run", e.name, e, {"schedule": e.name}) for e in plan.runs]
    if plan.sweep_every is not None:
        entries.append(("shopper:sweep", "sweep", ScheduledRun("sweep", every=plan.sweep_every), {}))
    if plan.report is not None:
        entries.append(("shopper:email_report", "report", plan.report, {}))
    for task_name, periodic_id, when, kwargs in entries:
        registry.register_task(task=app.tasks[task_name], cron=cron_of(periodic_id, when), periodic_id=periodic_id,
                               configure_kwargs={"task_kwargs": kwargs, "queueing_lock": f"schedule:{periodic_id}"})
        longest = max(longest, _period_s(when))
    return registry, longest


async def _enqueue_slots(app: Any, plan: SchedulesConfig, clock: Clock, stop: threading.Event,
                         progress: Callable[[str], None], max_wait: float) -> None:
    from procrastinate.periodic import PeriodicDeferrer

    registry, longest = periodic_registry(app, plan)
    deferrer = PeriodicDeferrer(registry, max_delay=longest)
    async with app.open_async():
        while not stop.is_set():
            now = clock.now().timestamp()
            due = list(deferrer.get_previous_tasks(at=now))
            await deferrer.defer_jobs(due)
            for task, timestamp in due:
                progress(f"schedule {task.periodic_id}: slot {timestamp} handed to the queue (once per slot)")
            wait = min(max_wait, max(0.5, deferrer.get_next_tick(at=now)))
            await asyncio.get_running_loop().run_in_executor(None, stop.wait, wait)


def enqueue_on_schedule(store_url: str, plan: SchedulesConfig, clock: Clock, stop: threading.Event,
                        progress: Callable[[str], None], max_wait: float = 30.0) -> None:
    """Until `stop` is set: enqueue every due slot of `plan` into the store's job queue."""
    ensure_schema(store_url)
    app = build_app(store_url)
    for e in plan.runs:
        cron_of(e.name, e)   # every entry checked before anything is enqueued
    asyncio.run(_enqueue_slots(app, plan, clock, stop, progress, max_wait))

