"""`runner.py schedule` on a PostgreSQL store: enqueue each slot of `schedules:` as a job, run nothing itself.

The slots are those of shopper/schedule_slots.py (`next_slot`, in `schedules.timezone`): the same instants as
the in-process scheduler of a SQLite store. Each slot is deferred as a procrastinate periodic job, which the
database keeps once per (task, entry, slot), so a restarted scheduler never enqueues a slot twice; at start
the latest slot is enqueued if it was not yet. One scheduler per store: an advisory lock in its database.
Time comes from the injectable clock.
"""
from __future__ import annotations

import asyncio
import logging
import threading
from dataclasses import dataclass
from datetime import datetime, tzinfo
from typing import Any, Callable

from ..clock import Clock
from ..schedule_slots import next_slot, previous_slot
from ..scheduler import SchedulerLock, SchedulesConfig
from .app import build_app, ensure_schema

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SlotTask:
    """What one entry of `schedules:` enqueues on each of its slots."""

    task: str            # procrastinate task name
    periodic_id: str     # the entry ('sweep', 'report' or a run's name)
    when: Any            # the entry: `every`, or `at` + `days`
    kwargs: dict[str, Any]


def slot_tasks(plan: SchedulesConfig) -> list[SlotTask]:
    tasks = {"sweep": "shopper:sweep", "report": "shopper:email_report"}
    runs = {e.name for e in plan.runs}
    return [SlotTask("shopper:start_scheduled_run", name, when, {"schedule": name}) if name in runs
            else SlotTask(tasks[name], name, when, {}) for name, when in plan.entries()]


def first_slots(tasks: list[SlotTask], now: datetime, zone: tzinfo) -> dict[str, datetime]:
    """At start: each entry's latest slot (enqueued if it was not yet: a restart misses nothing, doubles nothing)."""
    return {t.periodic_id: previous_slot(t.when, now, zone) for t in tasks}


def due_slots(tasks: list[SlotTask], pending: dict[str, datetime], now: datetime,
              zone: tzinfo) -> list[tuple[SlotTask, datetime]]:
    """The slots due at `now` (at most one per entry: the latest passed), and each entry's next pending slot
    planned after it (`pending` is updated)."""
    due = []
    for t in tasks:
        slot = pending[t.periodic_id]
        if slot <= now:
            latest = previous_slot(t.when, now, zone) if next_slot(t.when, slot, zone) <= now else slot
            due.append((t, latest))
            pending[t.periodic_id] = next_slot(t.when, now, zone)
    return due


async def _defer(app: Any, t: SlotTask, timestamp: int) -> bool:
    """Defer one slot's job; False when the database already has it (deferred by this or another scheduler)."""
    from procrastinate import exceptions

    deferrer = app.tasks[t.task].configure(task_kwargs={**t.kwargs, "timestamp": timestamp},
                                           queueing_lock=f"schedule:{t.periodic_id}")
    try:
        job_id = await deferrer.job_manager.defer_periodic_job(job=deferrer.job, periodic_id=t.periodic_id,
                                                               defer_timestamp=timestamp)
    except exceptions.AlreadyEnqueued:   # the entry's previous slot still waits in the queue
        return False
    return job_id is not None


async def _enqueue_slots(app: Any, plan: SchedulesConfig, clock: Clock, stop: threading.Event,
                         progress: Callable[[str], None], max_wait: float) -> None:
    zone = plan.zone()
    tasks = slot_tasks(plan)
    pending = first_slots(tasks, clock.now(), zone)
    async with app.open_async():
        while not stop.is_set():
            now = clock.now()
            for t, slot in due_slots(tasks, pending, now, zone):
                timestamp = int(slot.timestamp())
                new = await _defer(app, t, timestamp)
                progress(f"schedule {t.periodic_id}: slot {timestamp} ({slot.astimezone(zone):%Y-%m-%d %H:%M %Z}) "
                         + ("handed to the queue (once per slot)" if new else "already in the queue"))
            wait = min([max_wait, *((s - clock.now()).total_seconds() for s in pending.values())])
            await asyncio.get_running_loop().run_in_executor(None, stop.wait, max(0.5, wait))


def enqueue_on_schedule(store_url: str, plan: SchedulesConfig, clock: Clock, stop: threading.Event,
                        progress: Callable[[str], None], max_wait: float = 30.0) -> None:
    """Until `stop` is set: enqueue every due slot of `plan` into the store's job queue. Holds the store's one
    scheduler lock meanwhile (ShopperError, naming the holder, if another scheduler has it)."""
    lock = SchedulerLock.for_store(store_url)
    lock.acquire(clock.now().isoformat())
    try:
        ensure_schema(store_url)
        app = build_app(store_url)
        asyncio.run(_enqueue_slots(app, plan, clock, stop, progress, max_wait))
    finally:
        lock.release()
