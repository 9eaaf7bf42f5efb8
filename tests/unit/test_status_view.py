"""`runner.py status` in short: what the status view says of a store (the report's view injected)."""
from __future__ import annotations

from types import SimpleNamespace

from shopper.status import status_lines


class Store:
    def __init__(self, run, sweep=None):
        self.run, self.sweep = run, sweep

    def last_run(self):
        return self.run

    def expectations(self, states):
        return []

    def last_sweep(self):
        return self.sweep


def view(store, run_id):
    return SimpleNamespace(headline="nothing open", processes=[], findings=[], ranked=[])


def test_no_store_or_no_run_says_how_to_get_one():
    for store in (None, Store(None)):
        assert status_lines(store, "var/shopper.db", run_view=view) == \
            ["no runs in var/shopper.db yet: run `runner.py run` (or `make demo`)"]


def test_a_run_that_audited_nothing_says_so_and_is_never_scored():
    run = SimpleNamespace(id="r1", started_at="2026-12-01T10:00:00+00:00", status="error",
                          summary={"score": None, "findings": 0, "journeys": 0, "error": "no journey matched"})
    lines = status_lines(Store(run, {"started_at": "2026-12-01T11:00:00", "ok": False, "error": "login refused"}),
                         "var/shopper.db", run_view=view)
    assert lines == ["last run r1 (2026-12-01 10:00): error, nothing open, no score, 0 finding(s), 0 journey(s)",
                     "  nothing was audited: no journey matched",
                     "open expectations: 0",
                     "last sweep 2026-12-01T11:00: FAILED: login refused"]
