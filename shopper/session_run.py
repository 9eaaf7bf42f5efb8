"""One run built up journey by journey: what the pytest plugin needs (one run, one report, one trend point per
pytest session, however many items), with each journey's own findings known as soon as it ends.

    run = IncrementalRun(audit_session, AuditOptions(sweep=True))
    item, findings = run.add(journey)          # the journey as its own findings leave it: the item's verdict
    run.add_invalid(error)
    whole = run.finish()                       # one sweep, every check over every journey, stored once

It does what AuditSession.run does in one go, in steps.
"""
from __future__ import annotations

from typing import Any

from .attempts import attempt_journey
from .audit import AuditOptions, AuditResult, AuditSession
from .compose import browser_version, build_probes, take_swept
from .journey import Journey
from .model import Finding
from .record import JourneyRecord, journey_of, settled
from .retries import Attempts, mark_flaky
from .run import JourneyResult, JourneyRunner


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
        self.run_id, self.started = a.begin([])
        self._probes = build_probes(a.config, a.store, a.clock, a.redactor, a.environ)
        self._runner = JourneyRunner(a.config, None, self._probes, a.clock, a.redactor, a.environ, self.run_id,
                                     self.options.run_options, a.rng)
        return self._runner

    def add(self, journey: Journey) -> tuple[JourneyRecord, list[Finding]]:
        """Run one journey into the run: the journey as its own findings leave it (its final attempt's, flaky
        ones marked: never 'clean' beside one), a view for the item's verdict, and those findings. The run's
        results keep what happened: the run's judge decides their statuses once, over all journeys."""
        runner = self._runner or self._start()
        assert self.run_id is not None
        if runner.browser is None and any(s.uses_page for s in journey.steps):
            runner.browser = self.audit.browser(self.options.headed)
            runner.browser_error = self.audit.browser_error
            if runner.browser is not None:
                self.browser_version = browser_version(runner.browser)
        a = attempt_journey(runner, self.audit.store, self.run_id, journey, self.options.retries)
        result = a.final
        self.audit.store.save_journey(self.run_id, result)
        self.results.append(result)
        self.attempts[journey.name] = a
        findings = mark_flaky(a.findings[-1], {journey.name: a})   # the item's verdict: no second check
        return settled(journey_of(result), findings), findings

    def add_invalid(self, error: Any) -> None:
        if self.run_id is None:
            self._start()
        self.invalid.append(error)
        self.audit.store.save_invalid(self.run_id, error.path, [str(p) for p in error.problems])

    def finish(self) -> AuditResult | None:
        """Sweep once, judge every journey once, record and finish the run; None when nothing was added."""
        if self.run_id is None:
            return None
        a = self.audit
        try:
            swept = a.sweep_once(take_swept(self._probes), read_mailbox=self.options.sweep)
        finally:
            self._probes.close()
        return a.conclude(self.run_id, self.started, self.results, self.attempts, self.invalid,
                          self.browser_version, swept)
