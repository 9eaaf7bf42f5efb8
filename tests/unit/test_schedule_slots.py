"""One slot semantics for both schedulers: `next_slot` in an explicit zone, walked by the in-process scheduler
(SQLite store) and by the job queue's enqueuer (PostgreSQL store) to the same instants."""
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
import time_machine
from hypothesis import given, settings
from hypothesis import strategies as st

from shopper.clock import SystemClock
from shopper.duration import Duration
from shopper.queue.schedule import due_slots, first_slots, slot_tasks
from shopper.schedule_slots import Every, _slots_from, next_slot, period_of, previous_slot
from shopper.scheduler import ScheduledReport, ScheduledRun, Scheduler, SchedulesConfig

BERLIN = ZoneInfo("Europe/Berlin")
UTC = timezone.utc
ENTRIES = [Every(Duration.parse("50s")), ScheduledRun("q", every=Duration.parse("15m")), ScheduledRun("h", every=Duration.parse("1h")),
           ScheduledRun("two", every=Duration.parse("2h")), ScheduledRun("odd", every=Duration.parse("45m")),
           ScheduledRun("days", every=Duration.parse("2d")), ScheduledRun("m", at="07:30", days="weekdays"),
           ScheduledRun("night", at="02:30", days="daily"), ScheduledRun("sun", at="06:00", days="sunday")]
ZONES = [UTC, BERLIN, ZoneInfo("Asia/Kolkata"), ZoneInfo("America/New_York")]


def walk(when, start, n, zone):
    out, t = [], start
    for _ in range(n):
        t = next_slot(when, t, zone)
        out.append(t)
    return out


def until(when, start, end, zone):
    out, t = [], next_slot(when, start, zone)
    while t <= end:
        out.append(t)
        t = next_slot(when, t, zone)
    return out


def local(slots, zone=BERLIN):
    return [s.astimezone(zone).strftime("%a %H:%M%z") for s in slots]


def test_every_is_a_grid_on_the_zones_clock_and_keeps_its_pace_when_the_clocks_go_back():
    start = datetime(2026, 10, 24, 22, 30, tzinfo=UTC)          # 00:30 CEST, the night DST ends
    assert local(walk(ScheduledRun("h", every=Duration.parse("1h")), start, 5, BERLIN)) == [
        "Sun 01:00+0200", "Sun 02:00+0200", "Sun 02:00+0100", "Sun 03:00+0100", "Sun 04:00+0100"]


def test_at_in_the_hour_the_clocks_skip_runs_that_much_later_and_once_when_they_go_back():
    night = ScheduledRun("night", at="02:30")
    assert local(walk(night, datetime(2026, 3, 28, 0, 0, tzinfo=UTC), 3, BERLIN)) == [
        "Sat 02:30+0100", "Sun 03:30+0200", "Mon 02:30+0200"]
    assert local(walk(night, datetime(2026, 10, 24, 0, 0, tzinfo=UTC), 3, BERLIN)) == [
        "Sat 02:30+0200", "Sun 02:30+0200", "Mon 02:30+0100"]


def test_whole_days_count_from_the_epoch_and_weekly_reports_keep_their_day():
    assert [s.date().isoformat() for s in walk(ScheduledRun("d", every=Duration.parse("2d")),
                                               datetime(2026, 1, 1, tzinfo=UTC), 3, UTC)] == [
        "2026-01-03", "2026-01-05", "2026-01-07"]
    assert local(walk(ScheduledReport(at="08:00", days="monday"), datetime(2026, 1, 5, 9, tzinfo=UTC), 2, UTC),
                 UTC) == ["Mon 08:00+0000", "Mon 08:00+0000"]


def test_a_naive_instant_is_refused():
    with pytest.raises(ValueError, match="aware"):
        next_slot(ENTRIES[0], datetime(2026, 1, 5, 8, 0), UTC)


@settings(max_examples=300, deadline=None)
@given(entry=st.sampled_from(ENTRIES), zone=st.sampled_from(ZONES),
       t=st.datetimes(min_value=datetime(2024, 1, 1), max_value=datetime(2030, 12, 31), timezones=st.just(UTC)))
def test_next_and_previous_slot_agree(entry, zone, t):
    s = next_slot(entry, t, zone)
    assert s == next(x for x in _slots_from(entry, t, zone) if x > t)   # the arithmetic agrees with the day walk
    assert t < s <= t + period_of(entry) + timedelta(hours=1)               # never more than a period (+ DST) away
    assert previous_slot(entry, s, zone) == s                              # a slot is its own latest slot
    assert previous_slot(entry, s - timedelta(microseconds=1), zone) <= t  # and nothing lies between t and it


DST_CHANGES = [datetime(2026, 3, 29, 1, tzinfo=UTC), datetime(2026, 10, 25, 1, tzinfo=UTC),     # Europe
               datetime(2026, 3, 8, 7, tzinfo=UTC), datetime(2026, 11, 1, 6, tzinfo=UTC)]      # America


@settings(max_examples=150, deadline=None)
@given(entry=st.sampled_from([e for e in ENTRIES if e.every is not None and e.every.seconds < 86400]),
       zone=st.sampled_from(ZONES), change=st.sampled_from(DST_CHANGES),
       seconds=st.integers(min_value=-4 * 3600, max_value=4 * 3600))
def test_every_slots_around_a_clock_change_agree_with_the_day_walk(entry, zone, change, seconds):
    t = change + timedelta(seconds=seconds)
    assert next_slot(entry, t, zone) == next(x for x in _slots_from(entry, t, zone) if x > t)


@pytest.mark.parametrize("zone", [UTC, BERLIN], ids=str)
@pytest.mark.parametrize("start", [datetime(2026, 1, 5, 8, 7, 13, tzinfo=UTC), datetime(2026, 3, 28, 20, 0, tzinfo=UTC),
                                   datetime(2026, 10, 24, 21, 59, tzinfo=UTC)], ids=lambda d: d.strftime("%m-%d"))
def test_both_schedulers_fire_on_the_same_instants(tmp_path, zone, start):
    """The in-process scheduler (SQLite) and the queue's enqueuer (PostgreSQL) walk one plan over two days (from
    slot to slot, and every 37 minutes between): each fires the slots `next_slot` names, no other, each once."""
    plan = SchedulesConfig(runs=ENTRIES[1:8], sweep_every=Duration.parse("20m"),
                           report=ScheduledReport(at="08:30", days="daily"), timezone=str(zone))
    end = start + timedelta(days=2)
    expected = {name: until(when, start, end, zone) for name, when in plan.entries()}

    in_process: dict[str, list[datetime]] = {name: [] for name in expected}
    clock = SystemClock()
    with time_machine.travel(start, tick=False) as travel:
        def note(name):
            return lambda *_: in_process[name].append(clock.now())
        sched = Scheduler(plan, clock, tmp_path / "state.json", run_journeys=lambda e: in_process[e.name].append(
            clock.now()), sweep=note("sweep"), email_report=note("report"))
        queued: dict[str, list[datetime]] = {name: [] for name in expected}
        tasks = slot_tasks(plan)
        pending = first_slots(tasks, clock.now(), zone)
        now = start
        while True:   # the enqueuer checks at once, then at its next slot; the scheduler ticks at its own
            for task, slot in due_slots(tasks, pending, now, zone):
                queued[task.periodic_id].append(slot)
            if now >= end:
                break
            now = min([end, now + timedelta(minutes=37), *sched.next_runs().values(), *pending.values()])
            travel.move_to(now)
            sched.tick()
    for name in expected:   # the enqueuer also hands over the latest slot before its start, once
        assert queued[name][0] == previous_slot(dict(plan.entries())[name], start, zone)
        assert queued[name][1:] == expected[name] == in_process[name], name
