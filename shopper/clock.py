"""Time comes from here: a system clock for real runs, a movable one for tests and the demo."""
from __future__ import annotations

import os
import threading
from datetime import datetime, timedelta, timezone
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime:
        """The current time, timezone-aware UTC."""


class SystemClock:
    """Wall-clock time, optionally shifted by a fixed offset (e.g. `--now` or SHOPPER_NOW)."""

    def __init__(self, offset: timedelta = timedelta(0)):
        self.offset = offset

    def now(self) -> datetime:
        return datetime.now(timezone.utc) + self.offset


class ManualClock:
    """A clock that only moves when told: `clock.advance(days=2)`."""

    def __init__(self, start: datetime | None = None):
        self._now = start or datetime(2026, 1, 5, 9, 0, tzinfo=timezone.utc)
        self._lock = threading.Lock()

    def now(self) -> datetime:
        with self._lock:
            return self._now

    def advance(self, delta: timedelta | None = None, **kwargs: float) -> datetime:
        with self._lock:
            self._now += delta if delta is not None else timedelta(**kwargs)
            return self._now

    def set(self, when: datetime) -> None:
        with self._lock:
            self._now = when


def parse_instant(text: str) -> datetime:
    """Parse an ISO 8601 instant; a naive one is taken as UTC. `2026-01-07T09:00` -> aware datetime."""
    dt = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    return dt if dt.tzinfo else dt.replace(tzinfo=timezone.utc)


def clock_from_env(value: str | None = None) -> Clock:
    """SHOPPER_NOW (or the given value) pins the start of 'now'; time still flows from there."""
    value = value if value is not None else os.environ.get("SHOPPER_NOW")
    if not value:
        return SystemClock()
    from .errors import ConfigError

    try:
        instant = parse_instant(value)
    except ValueError:
        instant = None
    if instant is None or not 1970 <= instant.year <= 2999:
        raise ConfigError(f"--now / SHOPPER_NOW {value[:60]!r} is not an instant: give an ISO 8601 time such as "
                          "2026-01-07T09:00Z")
    return SystemClock(instant - datetime.now(timezone.utc))
