"""`runner.py schedule`: journeys, sweeps and emailed reports on their own schedules, with the `schedule` library.

The slots are those of shopper/schedule_slots.py (`next_slot`, in `schedules.timezone`), the same as the job
queue's on a PostgreSQL store; `schedule` (through its public API) holds each entry's next slot as a one-shot
job and runs what is due. One scheduler per store (a lock file beside a SQLite store, an advisory lock in a
PostgreSQL one); SIGTERM or Ctrl-C stops it after the current step; a job that overruns its slot is not
started twice (the loop is single-threaded and the next slot is planned after a job ends, from then on); a
slot missed while the scheduler was down runs once at start, not once per missed slot. Tests travel in time
with time-machine.
"""
from __future__ import annotations

import datetime as _dt
import fcntl
import functools
import json
import logging
import os
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Literal

import schedule

from .clock import Clock
from .duration import Duration
from .errors import ConfigError, ShopperError
from .schedule_slots import Every, every_problem, next_slot, period_of, previous_slot

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ScheduledRun:
    """Which journeys (by name or tag; none given: all) and when: `every` a duration, or `at` HH:MM on `days`."""

    name: str
    journeys: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    every: Duration | None = None
    at: str | None = None
    days: Literal["daily", "weekdays", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday",
                  "sunday"] = "daily"

    def __post_init__(self) -> None:
        if (self.every is None) == (self.at is None):
            raise ValueError(f"schedule {self.name!r}: give either 'every' (e.g. 30m) or 'at' (HH:MM)")
        if self.at is not None:
            try:
                _dt.time.fromisoformat(self.at)
            except ValueError:
                raise ValueError(f"schedule {self.name!r}: 'at' {self.at!r} is not HH:MM") from None
        if self.every is not None and self.every.seconds < 60:
            raise ValueError(f"schedule {self.name!r}: 'every' must be at least 1m")
        problem = every_problem(self.every.seconds) if self.every is not None else None
        if problem:
            raise ValueError(f"schedule {self.name!r}: 'every: {self.every}' makes no slots: {problem}")

    @property
    def period(self) -> _dt.timedelta:
        """The longest gap between two slots: how late a missed slot can be noticed."""
        return period_of(self)


@dataclass(frozen=True)
class ScheduledReport:
    at: str = "08:00"
    days: Literal["daily", "weekdays", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday",
                  "sunday"] = "monday"
    to: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class SchedulesConfig:
    runs: list[ScheduledRun] = field(default_factory=list)
    sweep_every: Duration | None = Duration(15 * 60)
    report: ScheduledReport | None = None
    timezone: str = "UTC"     # the zone of every `at` and of the `every` grid (an IANA name: Europe/Berlin)

    def __post_init__(self) -> None:
        self.zone()

    def zone(self) -> _dt.tzinfo:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            return ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"schedules.timezone {self.timezone!r} is not a time zone: use an IANA name such as "
                             f"UTC or Europe/Berlin") from None

    def entries(self) -> list[tuple[str, Any]]:
        """(name, entry) of everything planned: the runs by their names, then 'sweep' and 'report'."""
        out: list[tuple[str, Any]] = [(e.name, e) for e in self.runs]
        if self.sweep_every is not None:
            out.append(("sweep", Every(self.sweep_every)))   # a sweep may come more often than a run (1s in tests)
        if self.report is not None:
            out.append(("report", self.report))
        return out


# -- one scheduler per store ---------------------------------------------------------------------------
class SchedulerLock:
    """An exclusive lock file beside the store; the second scheduler is told who holds it."""

    def __init__(self, path: Path):
        self.path = path
        self._fh: Any = None

    @classmethod
    def for_store(cls, store_url: str) -> Any:
        """The store's one lock, not a var dir's: a file beside a SQLite store, an advisory lock in a PostgreSQL
        store's database (shopper.store.locks.PgSchedulerLock). Both have acquire(started) and release()."""
        from .store import sqlite_path

        db = sqlite_path(store_url)
        if db is None:
            from .store.locks import PgSchedulerLock

            return PgSchedulerLock(store_url)
        db = db.resolve()
        return cls(db.with_name(db.name + ".scheduler.lock"))

    def acquire(self, started: str) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fh = open(self.path, "a+")
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            fh.seek(0)
            holder = fh.read().strip() or "another process"
            fh.close()
            raise ShopperError(f"a scheduler is already running for this store ({holder}); stop it first "
                               f"(one scheduler per store), or use another var_dir/store") from None
        fh.seek(0)
        fh.truncate()
        fh.write(f"pid {os.getpid()}, started {started}")
        fh.flush()
        self._fh = fh

    def release(self) -> None:
        if self._fh is not None:
            fcntl.flock(self._fh, fcntl.LOCK_UN)
            self._fh.close()
            self._fh = None


# -- the scheduler -------------------------------------------------------------------------------------
class Scheduler:
    """Holds each entry's next slot as a one-shot `schedule` job; `tick()` runs what is due; `loop()` until
    stopped. `clock` is the real clock (optionally offset, `--now`): `schedule` waits in real time."""

    def __init__(self, config: SchedulesConfig, clock: Clock, state_path: Path, *,
                 run_journeys: Callable[[ScheduledRun], Any], sweep: Callable[[], Any],
                 email_report: Callable[[ScheduledReport], Any], stop: threading.Event | None = None):
        self.config = config
        self.clock = clock
        self.zone = config.zone()
        self.state_path = state_path
        self.stop = stop or threading.Event()
        self._run_journeys, self._sweep, self._email_report = run_journeys, sweep, email_report
        self._sched = schedule.Scheduler()
        self._entries = dict(config.entries())
        self._jobs: dict[str, Callable[[], Any]] = {e.name: functools.partial(self._run, e) for e in config.runs}
        if config.sweep_every is not None:
            self._jobs["sweep"] = functools.partial(self._do, "sweep", self._sweep)
        if config.report is not None:
            self._jobs["report"] = functools.partial(self._do, "report", self._email_report, config.report)
        self._next: dict[str, _dt.datetime] = {}
        self.history: list[tuple[str, str]] = []   # (what, when) for logs and tests
        now = clock.now()
        for name in self._entries:
            self._plan(name, now)

    def _plan(self, name: str, after: _dt.datetime) -> None:
        """`name`'s next slot after `after`, as a one-shot job (`every(delay).seconds`: schedule's public API)."""
        slot = next_slot(self._entries[name], after, self.zone)
        delay = max((slot - self.clock.now()).total_seconds(), 0.001)
        self._sched.every(delay).seconds.do(self._fire, name, slot).tag(name)   # type: ignore[arg-type]
        self._next[name] = slot

    def _fire(self, name: str, slot: _dt.datetime) -> type[schedule.CancelJob]:
        try:
            self._jobs[name]()
        finally:   # planned from the job's end: slots that passed while it ran are not run (overrun)
            self._plan(name, max(slot, self.clock.now()))
        return schedule.CancelJob

    # -- running --
    def catch_up(self) -> list[str]:
        """Run once each scheduled run whose slot passed while no scheduler was running."""
        state = self._state()
        now = self.clock.now()
        missed = []
        for entry in self.config.runs:
            last = state.get(entry.name)
            if last is not None and previous_slot(entry, now, self.zone) > _dt.datetime.fromisoformat(last):
                missed.append(entry.name)
                log.info("schedule %s: a slot was missed since %s; running it once now", entry.name, last)
                self._run(entry)
        return missed

    def tick(self) -> None:
        """Run every job due now (each at most once per tick; never two at the same time)."""
        self._sched.run_pending()

    def next_runs(self) -> dict[str, _dt.datetime]:
        """Each entry's (and 'sweep', 'report') next slot, timezone-aware (UTC)."""
        return dict(self._next)

    def seconds_to_next(self) -> float:
        idle = self._sched.idle_seconds
        return max(0.0, idle if idle is not None else 60.0)

    def loop(self, max_wait: float = 30.0) -> None:
        """Until stopped: run what is due, then wait (on the stop event) for the next slot."""
        while not self.stop.is_set():
            self.tick()
            self.stop.wait(min(max_wait, self.seconds_to_next()))

    def _run(self, entry: ScheduledRun) -> Any:
        started = self.clock.now().isoformat()
        state = self._state()
        state[entry.name] = started
        self._save_state(state)
        return self._do(f"run {entry.name}", self._run_journeys, entry)

    def _do(self, what: str, fn: Callable[..., Any], *args: Any) -> Any:
        when = self.clock.now().isoformat()
        log.info("%s: %s", when, what)
        self.history.append((what, when))
        try:
            return fn(*args)
        except ShopperError as e:   # one failing job never stops the scheduler
            log.error("%s failed: %s", what, e)
            return None

    def _state(self) -> dict[str, str]:
        try:
            return json.loads(self.state_path.read_text())
        except FileNotFoundError:
            return {}
        except json.JSONDecodeError as e:
            raise ConfigError(f"{self.state_path}: unreadable scheduler state ({e}); delete it to start afresh") from e

    def _save_state(self, state: dict[str, str]) -> None:
        tmp = self.state_path.with_suffix(".tmp")
        tmp.write_text(json.dumps(state, indent=1, sort_keys=True))
        tmp.replace(self.state_path)
