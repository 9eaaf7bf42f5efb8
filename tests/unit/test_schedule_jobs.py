"""The schedule's jobs as the scheduler and the worker call them: what they do with what the CLI injects."""
from __future__ import annotations

from types import SimpleNamespace

import shopper.schedule_jobs as jobs


class Runs:
    def __init__(self, last):
        self.last = last

    def last_run(self):
        return self.last


def test_the_report_job_mails_the_latest_run_and_nothing_before_the_first():
    mailed = []
    jobs.scheduled_email_report(Runs(None), mailed.append)
    assert mailed == []
    jobs.scheduled_email_report(Runs(SimpleNamespace(id="r2")), mailed.append)
    assert mailed == ["r2"]


def test_a_sweep_slot_that_cannot_sweep_says_why_and_sweeps_nothing(monkeypatch):
    monkeypatch.setattr("shopper.schedule_plan.sweep_problem", lambda config: "no mailbox configured")
    said, swept = [], []
    jobs.scheduled_sweep(SimpleNamespace(), None, None, {}, on_sweep=lambda *a: swept.append(a), warn=said.append)
    assert (said, swept) == (["sweep skipped: no mailbox configured"], [])
