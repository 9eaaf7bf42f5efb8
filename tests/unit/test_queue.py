"""The job queue's pure parts: a queued journey's claims (run once, retried only if it wrote to no one), slots."""
import pytest

from shopper.duration import Duration
from shopper.queue.schedule import slot_tasks
from shopper.scheduler import ScheduledReport, ScheduledRun, SchedulesConfig
from shopper.store import open_store

AT = "2026-01-05T10:00:00+00:00"


@pytest.fixture
def store(tmp_path):
    s = open_store(str(tmp_path / "shopper.db"))
    s.begin_run("r1", AT)
    s.queue_journeys("r1", ["reader", "writer"], AT)
    yield s
    s.close()


def test_a_journey_is_claimed_once_and_a_finished_one_never_again(store):
    assert store.claim_journey("r1", "reader", "w1", AT).action == "run"
    assert store.finish_queued_journey("r1", "reader", "done", AT) == 1   # the writer is still to run
    assert store.claim_journey("r1", "reader", "w2", AT).action == "done"


def test_a_lost_attempt_runs_again_unless_it_may_have_written(store):
    assert store.claim_journey("r1", "reader", "w1", AT).attempt == 1
    again = store.claim_journey("r1", "reader", "w2", AT)   # w1 was lost in a read-only step
    assert (again.action, again.attempt) == ("run", 2)
    store.claim_journey("r1", "writer", "w1", AT)
    store.mark_may_write("r1", "writer", 1, "click", AT)
    store.mark_may_write("r1", "writer", 3, "send_email", AT)   # the first such step is the one that counts
    lost = store.claim_journey("r1", "writer", "w2", AT)
    assert (lost.action, lost.wrote_step, lost.wrote_kind) == ("interrupted", 1, "click")
    assert store.finish_queued_journey("r1", "writer", "interrupted", AT) == 1
    assert store.finish_queued_journey("r1", "reader", "done", AT) == 0
    assert {q["journey"]: q["state"] for q in store.queued_journeys("r1")} == {"reader": "done", "writer": "interrupted"}


def test_schedule_entries_become_slot_tasks_on_the_same_slots_as_the_in_process_scheduler():
    from datetime import datetime, timezone

    from shopper.schedule_slots import next_slot

    plan = SchedulesConfig(runs=[ScheduledRun("a", every=Duration.parse("5h")),   # no cron slot: now one of both
                                 ScheduledRun("e", at="07:30", days="weekdays")],
                           sweep_every=Duration.parse("15m"), report=ScheduledReport(at="08:00", days="monday"))
    tasks = slot_tasks(plan)
    assert [(t.task, t.periodic_id, t.kwargs) for t in tasks] == [
        ("shopper:start_scheduled_run", "a", {"schedule": "a"}), ("shopper:start_scheduled_run", "e", {"schedule": "e"}),
        ("shopper:sweep", "sweep", {}), ("shopper:email_report", "report", {})]
    t = datetime(2026, 1, 5, 9, 0, tzinfo=timezone.utc)
    assert [next_slot(task.when, t, timezone.utc).strftime("%d %a %H:%M") for task in tasks] == [
        "05 Mon 10:00", "06 Tue 07:30", "05 Mon 09:15", "12 Mon 08:00"]
