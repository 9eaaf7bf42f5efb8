"""The scheduler on a moved clock: slots, overruns, missed slots after downtime, sweeps, reports."""
from datetime import datetime, timedelta, timezone

import pytest

from shopper.clock import ManualClock
from shopper.duration import Duration
from shopper.scheduler import ScheduledReport, ScheduledRun, Scheduler, SchedulesConfig

MONDAY_8 = datetime(2026, 1, 5, 8, 0, tzinfo=timezone.utc)   # a Monday


def make(tmp_path, runs, clock, *, sweep_every=None, report=None, run_takes=timedelta(0)):
    calls = []

    def run_journeys(entry):
        calls.append(("run", entry.name, clock.now()))
        clock.advance(run_takes)

    sched = Scheduler(SchedulesConfig(runs=runs, sweep_every=sweep_every, report=report), clock,
                      tmp_path / "state.json", run_journeys=run_journeys,
                      sweep=lambda: calls.append(("sweep", None, clock.now())),
                      email_report=lambda r: calls.append(("report", None, clock.now())))
    return sched, calls


def test_every_interval_runs_once_per_slot(tmp_path):
    clock = ManualClock(MONDAY_8)
    sched, calls = make(tmp_path, [ScheduledRun("web", every=Duration.parse("10m"))], clock)
    sched.tick()
    assert calls == []
    for _ in range(3):
        clock.advance(minutes=10)
        sched.tick()
        sched.tick()   # a second tick at the same instant runs nothing more
    assert [c[0] for c in calls] == ["run"] * 3


def test_an_overrunning_journey_is_not_started_twice(tmp_path):
    clock = ManualClock(MONDAY_8)
    sched, calls = make(tmp_path, [ScheduledRun("slow", every=Duration.parse("10m"))], clock,
                        run_takes=timedelta(minutes=25))
    clock.advance(minutes=10)
    sched.tick()                       # runs, and takes 25 minutes: two more slots pass meanwhile
    sched.tick()
    assert len(calls) == 1
    clock.advance(minutes=10)          # the next slot is planned from the end of the run
    sched.tick()
    assert len(calls) == 2


def test_daily_on_weekdays_at_a_time(tmp_path):
    clock = ManualClock(MONDAY_8)
    sched, calls = make(tmp_path, [ScheduledRun("morning", at="09:00", days="weekdays")], clock)
    ran_on = []
    for _ in range(7 * 24 + 1):
        clock.advance(hours=1)
        before = len(calls)
        sched.tick()
        if len(calls) > before:
            ran_on.append(clock.now().strftime("%a %H:%M"))
    assert ran_on == ["Mon 09:00", "Tue 09:00", "Wed 09:00", "Thu 09:00", "Fri 09:00", "Mon 09:00"]


def test_a_missed_slot_after_downtime_runs_once(tmp_path):
    clock = ManualClock(MONDAY_8)
    sched, calls = make(tmp_path, [ScheduledRun("hourly", every=Duration.parse("1h"))], clock)
    clock.advance(hours=1)
    sched.tick()
    assert len(calls) == 1
    clock.advance(hours=5)             # the scheduler was down for five slots
    restarted, calls2 = make(tmp_path, [ScheduledRun("hourly", every=Duration.parse("1h"))], clock)
    assert restarted.catch_up() == ["hourly"] and len(calls2) == 1
    restarted.tick()
    assert len(calls2) == 1
    assert make(tmp_path, [ScheduledRun("hourly", every=Duration.parse("1h"))], clock)[0].catch_up() == []


def test_sweeps_and_reports_on_their_own_schedules(tmp_path):
    clock = ManualClock(MONDAY_8)
    sched, calls = make(tmp_path, [ScheduledRun("web", every=Duration.parse("1h"))], clock,
                        sweep_every=Duration.parse("15m"), report=ScheduledReport(at="08:30", days="daily"))
    for _ in range(4):
        clock.advance(minutes=15)
        sched.tick()
    assert [c[0] for c in calls].count("sweep") == 4
    assert [c[0] for c in calls].count("report") == 1 and [c[0] for c in calls].count("run") == 1


def test_bad_schedules_are_refused():
    with pytest.raises(ValueError, match="either 'every'"):
        ScheduledRun("x")
    with pytest.raises(ValueError, match="HH:MM"):
        ScheduledRun("x", at="25:99")


def test_loop_returns_when_stopped(tmp_path):
    clock = ManualClock(MONDAY_8)
    sched, _ = make(tmp_path, [ScheduledRun("web", every=Duration.parse("1h"))], clock)
    sched.stop.set()
    sched.loop()   # returns at once
