"""Maintenance windows: fixed (start/end instants) or weekly ('sat 22:00-sun 06:00', UTC); alerts wait them out."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from ..clock import parse_instant

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_FULL = {d: i for i, d in enumerate(("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"))}
_WEEK = 7 * 24 * 60  # minutes
_WEEKLY = re.compile(r"\s*([a-z]+)\s+(\d{1,2}):(\d{2})\s*-\s*([a-z]+)\s+(\d{1,2}):(\d{2})\s*")


@dataclass(frozen=True)
class MaintenanceWindow:
    """`{start: "2026-01-10T22:00Z", end: "2026-01-11T06:00Z"}` or `{weekly: "sat 22:00-sun 06:00"}` (UTC).

    >>> MaintenanceWindow(weekly="sat 22:00-sun 06:00").ends_at(datetime(2026, 1, 10, 23, 0, tzinfo=timezone.utc))
    datetime.datetime(2026, 1, 11, 6, 0, tzinfo=datetime.timezone.utc)
    """

    start: str | None = None
    end: str | None = None
    weekly: str | None = None

    def __post_init__(self) -> None:
        if self.weekly is not None:
            if self.start is not None or self.end is not None:
                raise ValueError("a maintenance window has either weekly or start and end, not both")
            weekly_minutes(self.weekly)
            return
        if self.start is None or self.end is None:
            raise ValueError("a maintenance window needs start and end (ISO instants, e.g. "
                             "'2026-01-10T22:00Z'), or weekly: 'sat 22:00-sun 06:00'")
        start, end = _instant(self.start, "start"), _instant(self.end, "end")
        if end <= start:
            raise ValueError(f"maintenance window ends ({self.end}) before it starts ({self.start})")

    def ends_at(self, now: datetime) -> datetime | None:
        """When the window that holds `now` ends; None when `now` is outside this window."""
        if self.weekly is None:
            start, end = _instant(str(self.start), "start"), _instant(str(self.end), "end")
            return end if start <= now < end else None
        begin, finish = weekly_minutes(self.weekly)
        utc = now.astimezone(timezone.utc)
        minute = utc.weekday() * 24 * 60 + utc.hour * 60 + utc.minute
        inside = begin <= minute < finish if begin < finish else (minute >= begin or minute < finish)
        if not inside:
            return None
        to_end = (finish - minute) % _WEEK or _WEEK
        return utc.replace(second=0, microsecond=0) + timedelta(minutes=to_end)


def window_end(windows: list[MaintenanceWindow] | tuple[MaintenanceWindow, ...], now: datetime) -> datetime | None:
    """The latest end among the windows holding `now` (overlapping windows chain); None outside all of them."""
    end: datetime | None = None
    moved = True
    for _ in range(2 * len(windows) + 1):  # a window that ends inside another one continues into it;
        if not moved:                      # bounded, as weekly windows covering the whole week never end
            break
        moved = False
        at = end or now
        for w in windows:
            e = w.ends_at(at)
            if e is not None and (end is None or e > end):
                end, moved = e, True
    return end


def weekly_minutes(text: str) -> tuple[int, int]:
    """'sat 22:00-sun 06:00' -> (minute of the week it starts, minute it ends), Monday 00:00 UTC being 0."""
    m = _WEEKLY.fullmatch(text.lower())
    if not m:
        raise ValueError(f"weekly {text!r}: expected 'DAY HH:MM-DAY HH:MM' in UTC, e.g. 'sat 22:00-sun 06:00'")
    d1, h1, m1, d2, h2, m2 = m.groups()
    begin = _day(d1, text) * 1440 + _clock_minutes(int(h1), int(m1), text)
    finish = _day(d2, text) * 1440 + _clock_minutes(int(h2), int(m2), text)
    if begin == finish:
        raise ValueError(f"weekly {text!r}: the window starts and ends at the same time")
    return begin, finish


def _day(name: str, text: str) -> int:
    if name in _FULL:
        return _FULL[name]
    if name[:3] in DAYS and len(name) == 3:
        return DAYS.index(name)
    raise ValueError(f"weekly {text!r}: {name!r} is not a day (use {', '.join(DAYS)})")


def _clock_minutes(hour: int, minute: int, text: str) -> int:
    if hour > 23 or minute > 59:
        raise ValueError(f"weekly {text!r}: {hour:02d}:{minute:02d} is not a time of day")
    return hour * 60 + minute


def _instant(text: str, what: str) -> datetime:
    try:
        return parse_instant(text)
    except ValueError:
        raise ValueError(f"maintenance {what} {text!r} is not an ISO instant like '2026-01-10T22:00Z'") from None
