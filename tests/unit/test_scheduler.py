"""The scheduler in travelled time (time-machine): slots, overruns, missed slots after downtime, sweeps, reports.

`schedule` is used through its public API only; nothing patches its clock: time-machine moves the time every
clock reads, the process's own included."""
from datetime import datetime, timedelta, timezone

import pytest
import time_machine

from shopper.clock import SystemClock
from shopper.duration import Duration
from shopper.scheduler import ScheduledReport, ScheduledRun, Scheduler, SchedulesConfig

MONDAY_8 = datetime(2026, 1, 5, 8, 0, tzinfo=timezone.utc)   # a Monday


@pytest.fixture
def travel():
    with time_machine.travel(MONDAY_8, tick=False) as traveller:
        yield traveller


def make(tmp_path, runs, travel, *, sweep_every=None, report=None, run_takes=timedelta(0), timezone_="UTC"):
    calls = []
    clock = SystemClock()

    def run_journeys(entry):
        calls.append(("run", entry.name, clock.now()))
        travel.shift(run_takes)

    sched = Scheduler(SchedulesConfig(runs=runs, sweep_every=sweep_every, report=report, timezone=timezone_), clock,
                      tmp_path / "state.json", run_journeys=run_journeys,
                      sweep=lambda: calls.append(("sweep", None, clock.now())),
                      email_report=lambda r: calls.append(("report", None, clock.now())))
    return sched, calls


def test_every_interval_runs_once_per_slot(tmp_path, travel):
    sched, calls = make(tmp_path, [ScheduledRun("web", every=Duration.parse("10m"))], travel)
    sched.tick()
    assert calls == []
    for _ in range(3):
        travel.shift(timedelta(minutes=10))
        sched.tick()
        sched.tick()   # a second tick at the same instant runs nothing more
    assert [(c[0], c[2].strftime("%H:%M")) for c in calls] == [("run", "08:10"), ("run", "08:20"), ("run", "08:30")]


def test_every_slots_sit_on_the_clock_of_the_zone_not_on_the_start(tmp_path, travel):
    travel.shift(timedelta(minutes=7, seconds=13))   # started at 08:07:13: the slots stay at :00, :15, :30...
    sched, calls = make(tmp_path, [ScheduledRun("web", every=Duration.parse("15m"))], travel)
    assert sched.next_runs()["web"] == datetime(2026, 1, 5, 8, 15, tzinfo=timezone.utc)
    assert sched.seconds_to_next() == pytest.approx(7 * 60 + 47)
    travel.shift(timedelta(minutes=7, seconds=46))
    sched.tick()
    assert calls == []
    travel.shift(timedelta(seconds=1))
    sched.tick()
    assert [c[2] for c in calls] == [datetime(2026, 1, 5, 8, 15, tzinfo=timezone.utc)]


def test_an_overrunning_journey_is_not_started_twice(tmp_path, travel):
    sched, calls = make(tmp_path, [ScheduledRun("slow", every=Duration.parse("10m"))], travel,
                        run_takes=timedelta(minutes=25))
    travel.shift(timedelta(minutes=10))
    sched.tick()                       # runs at 08:10 and takes 25 minutes: the 08:20 and 08:30 slots pass
    sched.tick()
    assert len(calls) == 1
    assert sched.next_runs()["slow"] == datetime(2026, 1, 5, 8, 40, tzinfo=timezone.utc)   # the first after its end
    travel.shift(timedelta(minutes=5))
    sched.tick()
    assert len(calls) == 2


def test_daily_on_weekdays_at_a_time(tmp_path, travel):
    sched, calls = make(tmp_path, [ScheduledRun("morning", at="09:00", days="weekdays")], travel)
    ran_on = []
    for _ in range(7 * 24 + 1):
        travel.shift(timedelta(hours=1))
        before = len(calls)
        sched.tick()
        if len(calls) > before:
            ran_on.append(calls[-1][2].strftime("%a %H:%M"))
    assert ran_on == ["Mon 09:00", "Tue 09:00", "Wed 09:00", "Thu 09:00", "Fri 09:00", "Mon 09:00"]


def test_at_is_a_time_of_the_configured_zone_not_of_the_machine(tmp_path, travel):
    sched, calls = make(tmp_path, [ScheduledRun("morning", at="09:00")], travel, timezone_="Asia/Kolkata")
    assert sched.next_runs()["morning"] == datetime(2026, 1, 6, 3, 30, tzinfo=timezone.utc)   # 09:00 IST
    travel.move_to(datetime(2026, 1, 6, 3, 30, tzinfo=timezone.utc))
    sched.tick()
    assert [c[2] for c in calls] == [datetime(2026, 1, 6, 3, 30, tzinfo=timezone.utc)]


def test_a_missed_slot_after_downtime_runs_once(tmp_path, travel):
    sched, calls = make(tmp_path, [ScheduledRun("hourly", every=Duration.parse("1h"))], travel)
    travel.shift(timedelta(hours=1))
    sched.tick()
    assert len(calls) == 1
    travel.shift(timedelta(hours=5))             # the scheduler was down for five slots
    restarted, calls2 = make(tmp_path, [ScheduledRun("hourly", every=Duration.parse("1h"))], travel)
    assert restarted.catch_up() == ["hourly"] and len(calls2) == 1
    restarted.tick()
    assert len(calls2) == 1
    assert make(tmp_path, [ScheduledRun("hourly", every=Duration.parse("1h"))], travel)[0].catch_up() == []


def test_a_restart_within_the_slot_it_ran_misses_nothing(tmp_path, travel):
    sched, calls = make(tmp_path, [ScheduledRun("hourly", every=Duration.parse("1h"))], travel)
    travel.shift(timedelta(hours=1, seconds=2))  # ran at 09:00:02
    sched.tick()
    travel.shift(timedelta(minutes=50))          # restarted at 09:50: the 09:00 slot ran, 10:00 is to come
    assert make(tmp_path, [ScheduledRun("hourly", every=Duration.parse("1h"))], travel)[0].catch_up() == []


def test_sweeps_and_reports_on_their_own_schedules(tmp_path, travel):
    sched, calls = make(tmp_path, [ScheduledRun("web", every=Duration.parse("1h"))], travel,
                        sweep_every=Duration.parse("15m"), report=ScheduledReport(at="08:30", days="daily"))
    for _ in range(4):
        travel.shift(timedelta(minutes=15))
        sched.tick()
    assert [c[0] for c in calls].count("sweep") == 4
    assert [c[0] for c in calls].count("report") == 1 and [c[0] for c in calls].count("run") == 1


def test_bad_schedules_are_refused():
    with pytest.raises(ValueError, match="either 'every'"):
        ScheduledRun("x")
    with pytest.raises(ValueError, match="HH:MM"):
        ScheduledRun("x", at="25:99")
    with pytest.raises(ValueError, match="'every: 36h' makes no slots: use a duration up to 1d"):
        ScheduledRun("x", every=Duration.parse("36h"))
    with pytest.raises(ValueError, match="schedules.timezone 'Mars/Olympus' is not a time zone"):
        SchedulesConfig(timezone="Mars/Olympus")


def test_loop_returns_when_stopped(tmp_path, travel):
    sched, _ = make(tmp_path, [ScheduledRun("web", every=Duration.parse("1h"))], travel)
    sched.stop.set()
    sched.loop()   # returns at once
