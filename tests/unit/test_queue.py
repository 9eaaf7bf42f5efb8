"""The job queue's pure parts: a queued journey's claims (run once, retried only if it wrote to no one), slots."""
import pytest

from shopper.duration import Duration
from shopper.errors import ConfigError
from shopper.queue.schedule import cron_of
from shopper.scheduler import ScheduledReport, ScheduledRun
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


@pytest.mark.parametrize("entry,cron", [
    (ScheduledRun("a", every=Duration.parse("15m")), "*/15 * * * *"),
    (ScheduledRun("b", every=Duration.parse("1m")), "* * * * *"),
    (ScheduledRun("c", every=Duration.parse("6h")), "0 */6 * * *"),
    (ScheduledRun("d", every=Duration.parse("1d")), "0 0 * * *"),
    (ScheduledRun("e", at="07:30", days="weekdays"), "30 7 * * 1-5"),
    (ScheduledRun("f", at="06:00", days="sunday"), "0 6 * * 0"),
    (ScheduledReport(at="08:00", days="monday"), "0 8 * * 1")])
def test_schedule_entries_become_cron_slots(entry, cron):
    assert cron_of("x", entry) == cron


@pytest.mark.parametrize("every", ["45m", "5h", "90m"])
def test_a_period_that_is_no_cron_slot_names_the_fix(every):
    with pytest.raises(ConfigError, match=f"'every: {every}' cannot be a slot of the job queue: use a duration that "
                                          f"divides an hour or a day"):
        cron_of("x", ScheduledRun("x", every=Duration.parse(every)))
