"""When a `schedules:` entry is due: its slots, in one explicit time zone, for every scheduler (pure logic).

The in-process scheduler (SQLite store, shopper/scheduler.py) and the job queue's (PostgreSQL store,
shopper/queue/schedule.py) both ask `next_slot`, so the same entry means the same instants on both.

- `at: "07:00"` on `days` (daily, weekdays, a day name): that wall-clock time in the zone on those days. A
  time that does not exist that day (a DST gap) is moved forward by the gap; one that happens twice (DST
  ends) runs once, the first time.
- `every: 15m`: the wall-clock times 00:00, 00:15, 00:30... of each day in the zone, counted from midnight
  (a duration that does not divide a day restarts at midnight). When the clocks go back, the repeated hour
  keeps its slots, so the real gap stays 15 minutes.
- `every: 2d` (whole days): midnight in the zone every second day, counted from 1970-01-01.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone, tzinfo
from typing import Any, Iterator

from .duration import Duration

DAY_S = 86400
DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
DST_MARGIN_S = 3 * 3600   # more than any DST shift: how far back a day's slots are looked at


@dataclass(frozen=True)
class Every:
    """Slots of a bare interval (the sweeps' `sweep_every`): what `next_slot` reads of an entry, no more."""

    every: Duration


def every_problem(seconds: float) -> str | None:
    """Why `every` cannot make slots (None if it can): up to a day, or a whole number of days.

    >>> every_problem(900) is None, every_problem(2 * DAY_S) is None
    (True, True)
    >>> every_problem(36 * 3600)
    'use a duration up to 1d (15m, 1h, 6h...), a whole number of days (2d, 7d) or at: HH:MM'
    """
    if seconds <= DAY_S or seconds % DAY_S == 0:
        return None
    return "use a duration up to 1d (15m, 1h, 6h...), a whole number of days (2d, 7d) or at: HH:MM"


def next_slot(when: Any, after: datetime, zone: tzinfo) -> datetime:
    """The first slot of `when` (a schedule entry: `every`, or `at` + `days`) strictly after `after`, in UTC.

    >>> from zoneinfo import ZoneInfo
    >>> from shopper.scheduler import ScheduledRun
    >>> from shopper.duration import Duration
    >>> berlin, t = ZoneInfo("Europe/Berlin"), datetime(2026, 1, 5, 6, 10, tzinfo=timezone.utc)   # 07:10 in Berlin
    >>> next_slot(ScheduledRun("m", at="07:00", days="weekdays"), t, berlin).isoformat()
    '2026-01-06T06:00:00+00:00'
    >>> next_slot(ScheduledRun("w", every=Duration.parse("15m")), t, berlin).isoformat()
    '2026-01-05T06:15:00+00:00'
    """
    if after.tzinfo is None:
        raise ValueError("next_slot needs an aware instant (a naive time means nothing without its zone)")
    quick = _next_on_steady_clock(when, after, zone)
    if quick is not None:
        return quick
    for slot in _slots_from(when, after, zone):
        if slot > after:
            return slot
    raise AssertionError("unreachable: every entry has a slot within eight days")


def previous_slot(when: Any, at: datetime, zone: tzinfo) -> datetime:
    """The latest slot of `when` at or before `at` (for a slot missed while no scheduler ran), in UTC."""
    back = period_of(when) + timedelta(seconds=DST_MARGIN_S)
    slot = next_slot(when, at - back, zone)
    while slot > at:   # not reached with the longest gap; kept so that a wrong period cannot give a later slot
        back *= 2
        slot = next_slot(when, at - back, zone)
    while True:
        following = next_slot(when, slot, zone)
        if following > at:
            return slot
        slot = following


def period_of(when: Any) -> timedelta:
    """The longest gap between two slots of `when` (how late a missed slot can still be run once)."""
    every = getattr(when, "every", None)
    if every is not None:
        return timedelta(seconds=every.seconds)
    return timedelta(days={"daily": 1, "weekdays": 3}.get(when.days, 7))   # weekdays: Friday to Monday


def _next_on_steady_clock(when: Any, after: datetime, zone: tzinfo) -> datetime | None:
    """`every` under a day: a few steps of arithmetic on the wall clock, under each offset the zone has around
    `after` (a 1s sweep interval is not 86400 candidates, even the night the clocks change). None: `at` and whole
    days, which ask the day-by-day walk."""
    every = getattr(when, "every", None)
    if every is None or every.seconds >= DAY_S:
        return None
    step = float(every.seconds)
    margin = timedelta(seconds=DST_MARGIN_S + step)
    offsets = {(after - margin).astimezone(zone).utcoffset(), (after + margin).astimezone(zone).utcoffset()}
    # the next slot's wall time is the first grid time after `after` read with one of these offsets
    found = []
    for offset in offsets:
        wall_after = (after + offset).replace(tzinfo=None) if offset is not None else after.replace(tzinfo=None)
        midnight = wall_after.replace(hour=0, minute=0, second=0, microsecond=0)
        k = int((wall_after - midnight).total_seconds() // step) + 1
        for j in (k, k + 1):
            wall = midnight + timedelta(seconds=j * step) if j * step < DAY_S else midnight + timedelta(days=1)
            found.append(_instant(wall, zone, fold=0))
            second = _instant(wall, zone, fold=1)
            if second.astimezone(zone).replace(tzinfo=None) == wall:   # the clocks went back: it came twice
                found.append(second)
    return min(t for t in found if t > after)


def _slots_from(when: Any, after: datetime, zone: tzinfo) -> Iterator[datetime]:
    """Slots in order, from the local day before `after` on (enough to find the next one)."""
    day = after.astimezone(zone).date() - timedelta(days=1)
    every = getattr(when, "every", None)
    last = day + timedelta(days=9 + (int(every.seconds // DAY_S) if every is not None else 0))
    while day <= last:
        yield from sorted(_slots_of_day(when, day, zone, after))
        day += timedelta(days=1)


def _slots_of_day(when: Any, day: date, zone: tzinfo, after: datetime) -> set[datetime]:
    every = getattr(when, "every", None)
    if every is None:
        if not _runs_on(when.days, day):
            return set()
        return {_instant(datetime.combine(day, time.fromisoformat(when.at)), zone, fold=0)}
    step = float(every.seconds)
    if step >= DAY_S:   # whole days, counted from 1970-01-01 (checked by every_problem)
        days = int(step // DAY_S)
        if (day - date(1970, 1, 1)).days % days:
            return set()
        return {_instant(datetime.combine(day, time()), zone, fold=0)}
    midnight = datetime.combine(day, time())
    # skip the part of the day well before `after`: its slots cannot be next
    ahead_s = (after.astimezone(zone).replace(tzinfo=None) - midnight).total_seconds() - DST_MARGIN_S
    k = max(0, int(ahead_s // step))
    end_s = min(DAY_S, max(ahead_s, 0) + 2 * DST_MARGIN_S + step)   # ... and beyond the next one
    out: set[datetime] = set()
    while k * step < end_s:
        wall = midnight + timedelta(seconds=k * step)
        out.add(_instant(wall, zone, fold=0))
        second = _instant(wall, zone, fold=1)
        if second.astimezone(zone).replace(tzinfo=None) == wall:   # the clocks went back: this time came twice
            out.add(second)
        k += 1
    return out


def _runs_on(days: str, day: date) -> bool:
    if days == "daily":
        return True
    if days == "weekdays":
        return day.weekday() < 5
    return DAYS[day.weekday()] == days


def _instant(wall: datetime, zone: tzinfo, fold: int) -> datetime:
    """A local wall-clock time as a UTC instant (a time in a DST gap: moved forward by the gap)."""
    return wall.replace(tzinfo=zone, fold=fold).astimezone(timezone.utc)
