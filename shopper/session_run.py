"""One run built up journey by journey: what the pytest plugin needs (one run, one report, one trend point per
pytest session, however many items), with each journey's own findings known as soon as it ends.

    run = IncrementalRun(audit_session, AuditOptions(sweep=True))
    result, findings = run.add(journey)        # the journey's own findings: the item's verdict
    run.add_invalid(error)
    whole = run.finish()                       # one sweep, every check over every journey, stored once

It does what AuditSession.run does in one go, in steps.
"""
from __future__ import annotations

from typing import Any

from checks import Observations, run_checks

from .attempts import attempt_journey
from .audit import AuditOptions, AuditResult, AuditSession, new_run_id, sweep_after_run
from .inbox import Inbox
from .interrupted import mark_interrupted_runs, owner
from .journey import Journey
from .model import Finding
from .probes import Probes
from .probes.mail import imap_settings
from .retries import Attempts, mark_flaky
from .run import JourneyResult, JourneyRunner
from .summary import settle_statuses
from .sweep import Sweeper, SweepResult


class IncrementalRun:
    def __init__(self, audit: AuditSession, options: AuditOptions = AuditOptions()):
        self.audit, self.options = audit, options
        self.run_id: str | None = None
        self.started = ""
        self.results: list[JourneyResult] = []
        self.invalid: list[Any] = []
        self.attempts: dict[str, Attempts] = {}
        self._runner: JourneyRunner | None = None
        self._probes: Any = None
        self.browser_version = ""

    def _start(self) -> JourneyRunner:
        a = self.audit
        self.run_id = new_run_id(a.clock)
        self.started = a.clock.now().isoformat()
        for line in mark_interrupted_runs(a.store, self.started):
            a.progress(line)
        a.store.begin_run(self.run_id, self.started, owner=owner())
        self._probes = Probes.from_config(a.config, a.redactor, a.environ)
        settings = imap_settings(a.config, a.redactor, a.environ)
        if settings is not None:
            self._probes.inbox = Inbox(Sweeper(a.store, settings, a.clock), a.store)
        self._runner = JourneyRunner(a.config, None, self._probes, a.clock, a.redactor, a.environ, self.run_id,
                                     self.options.run_options, a.rng)
        return self._runner

    def add(self, journey: Journey) -> tuple[JourneyResult, list[Finding]]:
        """Run one journey into the run; its result and its own findings (settled: never 'clean' beside one)."""
        runner = self._runner or self._start()
        assert self.run_id is not None
        if runner.browser is None and any(s.uses_page for s in journey.steps):
            runner.browser = self.audit.browser(self.options.headed)
            runner.browser_error = self.audit.browser_error
            if runner.browser is not None:
                b = runner.browser
                self.browser_version = f"{b.choice.source}: {b.choice.executable or 'playwright'} {b.version}"
        a = attempt_journey(runner, self.audit.store, self.run_id, journey, self.options.retries)
        result = a.final
        self.audit.store.save_journey(self.run_id, result)
        self.results.append(result)
        self.attempts[journey.name] = a
        findings = mark_flaky(run_checks(Observations([result])), {journey.name: a})
        settle_statuses([result], findings)
        return result, findings

    def add_invalid(self, error: Any) -> None:
        if self.run_id is None:
            self._start()
        self.invalid.append(error)
        self.audit.store.save_invalid(self.run_id, error.path, [str(p) for p in error.problems])

    def finish(self) -> AuditResult | None:
        """Sweep once, check every journey, settle and store the run; None when nothing was added."""
        if self.run_id is None:
            return None
        a = self.audit
        try:
            swept = sweep_after_run(a.config, a.store, a.clock, a.redactor, a.environ,
                                    a.progress) if self.options.sweep else None
            if self._probes.inbox is not None and self._probes.inbox.collected:
                swept = swept or SweepResult("in-journey", ok=True)
                swept.observations[:0] = self._probes.inbox.collected
        finally:
            self._probes.close()
        views: list[Any] = list(self.results)
        if swept is not None:
            a.store.save_observations(self.run_id, swept.observations)
            views += swept.journeys
        findings = mark_flaky(run_checks(Observations(views)), self.attempts)
        settle_statuses(self.results, findings)
        for r in self.results:
            a.store.save_statuses(self.run_id, r)
        a.store.save_findings(self.run_id, findings)
        result = AuditResult(self.run_id, self.started, a.clock.now().isoformat(), self.results, findings,
                             self.invalid, self.browser_version, swept)
        a.store.finish_run(self.run_id, result.finished_at, result.status, result.summary())
        return result
