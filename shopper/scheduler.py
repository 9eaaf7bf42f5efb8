"""`runner.py schedule`: journeys, sweeps and emailed reports on their own schedules, with the `schedule` library.

One scheduler per store (a lock file); SIGTERM or Ctrl-C stops it after the current step; a job that
overruns its slot is not started twice (the loop is single-threaded and `schedule` plans the next
slot after a job ends); a slot missed while the scheduler was down runs once at start, not once per
missed slot. Time comes from an injectable clock, so tests move it instead of waiting.
"""
from __future__ import annotations

import contextlib
import datetime as _dt
import fcntl
import json
import logging
import os
import threading
import types
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterator, Literal

import schedule

from .clock import Clock
from .duration import Duration
from .errors import ConfigError, ShopperError

log = logging.getLogger(__name__)
DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


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

    @property
    def period(self) -> _dt.timedelta:
        """The longest gap between two slots: how late a missed slot can be noticed."""
        if self.every is not None:
            return self.every.timedelta
        return _dt.timedelta(days=1 if self.days in ("daily", "weekdays") else 7)


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


# -- schedule reads the time through our clock -------------------------------------------------------
def _clock_module(clock: Clock) -> types.SimpleNamespace:
    class ClockDatetime(_dt.datetime):
        @classmethod
        def now(cls, tz: Any = None) -> _dt.datetime:   # type: ignore[override]
            now = clock.now()
            return now.astimezone(tz) if tz is not None else now.astimezone().replace(tzinfo=None)

    names = {k: getattr(_dt, k) for k in dir(_dt) if not k.startswith("__")}
    names["datetime"] = ClockDatetime
    return types.SimpleNamespace(**names)


@contextlib.contextmanager
def _on_clock(clock: Clock) -> Iterator[None]:
    real = schedule.datetime
    schedule.datetime = _clock_module(clock)   # type: ignore[attr-defined]
    try:
        yield
    finally:
        schedule.datetime = real   # type: ignore[attr-defined]


# -- one scheduler per store ---------------------------------------------------------------------------
class SchedulerLock:
    """An exclusive lock file beside the store; the second scheduler is told who holds it."""

    def __init__(self, path: Path):
        self.path = path
        self._fh: Any = None

    @classmethod
    def for_store(cls, store_url: str) -> "SchedulerLock":
        """Beside the store's file, not in a var dir: two var dirs that share a store share its one scheduler."""
        from .store import sqlite_path

        db = sqlite_path(store_url)
        if db is None:
            raise ValueError("a PostgreSQL store's schedulers only enqueue slots (once each); they take no lock file")
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
    """Plans jobs with `schedule`; `tick()` runs what is due at the clock's now; `loop()` until stopped."""

    def __init__(self, config: SchedulesConfig, clock: Clock, state_path: Path, *,
                 run_journeys: Callable[[ScheduledRun], Any], sweep: Callable[[], Any],
                 email_report: Callable[[ScheduledReport], Any], stop: threading.Event | None = None):
        self.config = config
        self.clock = clock
        self.state_path = state_path
        self.stop = stop or threading.Event()
        self._run_journeys, self._sweep, self._email_report = run_journeys, sweep, email_report
        self._sched = schedule.Scheduler()
        self.history: list[tuple[str, str]] = []   # (what, when) for logs and tests
        with _on_clock(clock):
            for entry in config.runs:
                self._plan(entry.name, entry, lambda e=entry: self._run(e))
            if config.sweep_every is not None:
                self._sched.every(int(config.sweep_every.seconds)).seconds.do(self._do, "sweep", self._sweep).tag("sweep")
            if config.report is not None:
                self._plan("report", config.report, lambda r=config.report: self._do("report", self._email_report, r))

    def _plan(self, name: str, when: Any, job: Callable[[], Any]) -> None:
        if getattr(when, "every", None) is not None:
            self._sched.every(int(when.every.seconds)).seconds.do(job).tag(name)
            return
        days = DAYS[:5] if when.days == "weekdays" else [when.days] if when.days in DAYS else [None]
        for day in days:
            base = self._sched.every()
            (getattr(base, day) if day else base.day).at(when.at).do(job).tag(name)

    # -- running --
    def catch_up(self) -> list[str]:
        """Run once each scheduled run whose slot passed while no scheduler was running."""
        state = self._state()
        now = self.clock.now()
        missed = []
        for entry in self.config.runs:
            last = state.get(entry.name)
            if last is not None and now - _dt.datetime.fromisoformat(last) > entry.period:
                missed.append(entry.name)
                log.info("schedule %s: a slot was missed since %s; running it once now", entry.name, last)
                self._run(entry)
        return missed

    def tick(self) -> None:
        """Run every job due now (each at most once per tick; never two at the same time)."""
        with _on_clock(self.clock):
            self._sched.run_pending()   # plans each job's next slot after it ends: an overrun is not run twice

    def next_runs(self) -> dict[str, _dt.datetime]:
        """Each entry's (and 'sweep', 'report') next slot, timezone-aware."""
        out: dict[str, _dt.datetime] = {}
        for job in self._sched.jobs:
            for tag in job.tags:
                if job.next_run is not None and (tag not in out or job.next_run.astimezone() < out[tag]):
                    out[tag] = job.next_run.astimezone()   # schedule plans in the machine's local time
        return out

    def seconds_to_next(self) -> float:
        with _on_clock(self.clock):
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
