"""Execute journeys: a fresh browser context each, step and journey timeouts, evidence on failure."""
from __future__ import annotations

import contextlib
import dataclasses
import logging
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterator, Mapping
from urllib.parse import urlsplit

from .clock import Clock
from .config import Config
from .applicability import journey_not_applicable, journey_vars, step_not_applicable
from .errors import ConfigError, JourneyBlocked, NotApplicable, OrderNotPlaced, SetupError, ShopperError, StepError
from .journey import Journey, Step, expand_flows
from .autofill.persona import payment_preference, persona_variables
from .mail.outgoing import new_token, plus_address
from .model import Observation
from .probes import settle, trace
from .probes.browser import BrowserProbe, attach_observers, guard_pages, trace_has_secret
from .probes.reach import ReachPolicy
from .reachability import origin, site_down
from .record import JourneyStatus
from .secrets import Redactor
from .steps.context import JourneyState, StepContext, slug
from .template import MissingSecret, UndefinedVariable, expand_known, resolve
from .steps.soft import is_soft, soft_failure, step_budget
from .summary import NOT_APPLICABLE
from .watchdog import STOPPED_RESPONDING, Alarm, Watchdog

FINISHED = JourneyStatus.FINISHED   # the runner says what happened; clean or findings is the judge's

log = logging.getLogger(__name__)
SNAPSHOT_S = 5.0   # the failure's DOM snapshot: its own waits are 1 s and 5 s (shopper/probes/trace.py)


@dataclass
class StepResult:
    index: int
    kind: str
    label: str
    status: str                     # a shopper.record.StepStatus: what happened (the judge adds "findings")
    started_at: str
    duration_ms: float
    detail: str = ""
    error: str | None = None
    evidence: list[str] = field(default_factory=list)
    url: str | None = None
    title: str | None = None
    line: int = 0

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass
class JourneyResult:
    name: str
    path: str
    tags: list[str]
    status: str                     # a shopper.record.JourneyStatus: what happened (finished, incomplete, setup_error,
    #                                 not_applicable); the run's judge makes a finished journey clean or findings
    started_at: str
    duration_ms: float
    steps: list[StepResult]
    observations: list[Observation]
    site: str | None = None
    error: str | None = None
    evidence: list[str] = field(default_factory=list)   # journey-level: the trace
    blocked_requests: dict[str, int] = field(default_factory=dict)
    worst: str | None = None        # the worst severity of its findings (status "findings")
    reason: str | None = None       # status not_applicable: why the journey does not apply to this shop

    def to_dict(self, with_observations: bool = False) -> dict[str, Any]:
        d = {k: v for k, v in self.__dict__.items() if k not in ("steps", "observations")}
        d["steps"] = [s.to_dict() for s in self.steps]
        if with_observations:
            d["observations"] = [o.to_dict() for o in self.observations]
        return d


@dataclass
class RunOptions:
    base_url: str | None = None
    site: str | None = None
    variables: Mapping[str, str] = field(default_factory=dict)


def _no_names(host: str) -> list[str]:
    from .probes.dns import DnsFailure

    raise DnsFailure("error", host, "A/AAAA", "no resolver in this run")


class JourneyRunner:
    """Runs journeys one after another in one browser. A failing or hanging journey never stops the others."""

    def __init__(self, config: Config, browser: BrowserProbe, probes: Any, clock: Clock, redactor: Redactor,
                 environ: Mapping[str, str], run_id: str, options: RunOptions | None = None, rng: Any = None):
        self.config = config
        self.browser = browser
        self.probes = probes
        self.clock = clock
        self.redactor = redactor
        self.environ = environ
        self.run_id = run_id
        self.options = options or RunOptions()
        self.rng = rng
        self.stop: Any = None   # a threading.Event: when set, the journey stops after its current step
        self.after_step: Callable[[list[Observation]], None] | None = None   # gets each step's observations
        self.before_step: Callable[[Step], None] | None = None   # told before each step starts (job queue)
        self.browser_error: str | None = None   # why there is no browser (journeys that need one: setup_error)
        self._watchdog: Watchdog | None = None
        self._open_trace: tuple[JourneyResult, trace.OpenPart] | None = None   # until keep_trace_if_failing
        self.unreachable: dict[str, tuple[str, str]] = {}   # origin -> (host, why it cannot be reached)

    def _site(self, journey: Journey) -> tuple[str, dict[str, str], set[str]]:
        profile = self.config.site(self.options.site or journey.site)
        variables: dict[str, str] = dict(journey.variables)
        base_url = ""
        extra_hosts: list[str] = []
        if profile is not None:
            variables.update(profile.vars)
            variables.update(journey_vars(profile, journey.name))   # this journey's own, over the profile's
            base_url = profile.base_url
            extra_hosts = list(profile.hosts)
        variables.update(self.options.variables)
        base_url = self.options.base_url or variables.get("base_url") or base_url
        variables.update({"base_url": base_url.rstrip("/"), "journey": journey.name, "run_id": self.run_id})
        hosts = {urlsplit(base_url).hostname or ""} | set(extra_hosts)
        return base_url, variables, {h for h in hosts if h}

    def _reach(self, base_url: str, journey: Journey) -> ReachPolicy:
        """The reach policy of this journey: network.allow, and this site's own origins."""
        profile = self.config.sites.get(self.options.site or journey.site or self.config.default_site or "")
        resolve = self.probes.resolver.addresses if self.probes is not None else _no_names
        allow = ReachPolicy.build([], self.config.network.allow, resolve)
        return allow.with_site([base_url, profile.base_url if profile else ""], profile.hosts if profile else [])

    def _payment(self, journey: Journey) -> str | None:
        profile = self.config.sites.get(self.options.site or journey.site or self.config.default_site or "")
        return profile.payment if profile is not None else None

    def run(self, journey: Journey, token: str | None = None, attempt: int = 1) -> JourneyResult:
        """Run one journey; `token` marks mail sent to its ${shopper_email} (default: a new one).

        With `trace: on-failure`, a journey that ran cleanly leaves its trace open: `keep_trace_if_failing`
        saves or drops it once its checks have spoken (else the next run saves it)."""
        self._finish_trace(keep=True)   # one left open by a caller that never said (kept: nothing is lost)
        started = self.clock.now()
        t0 = time.monotonic()
        jdir = self.config.var_path / "artifacts" / self.run_id / slug(journey.name)
        if attempt > 1:
            jdir = jdir / f"attempt-{attempt}"
        try:
            base_url, variables, hosts = self._site(journey)
            profile = self.config.sites.get(self.options.site or journey.site or self.config.default_site or "")
            journey = dataclasses.replace(journey, steps=expand_flows(journey, profile.flows if profile else {}))
        except ShopperError as e:   # e.g. an unknown site profile or flow: the shopper's configuration
            return self._not_run(journey, started, str(e))
        declared = journey_not_applicable(profile, journey.name)
        if declared:
            return self._not_run(journey, started, declared, status=NOT_APPLICABLE)
        site = origin(base_url)
        if site in self.unreachable:   # one fact about the site, found by an earlier journey of this run
            return self._unreachable(journey, started, base_url, site, self.unreachable[site])
        if self.browser is None and any(step.uses_page for step in journey.steps):
            return self._not_run(journey, started, self.browser_error or "no browser: run `make setup` or set "
                                 "browser.executable in config.yaml ($SHOPPER_BROWSER)")
        token = token or new_token(self.rng)
        mail = getattr(self.probes, "mail", None)
        if mail is not None:
            variables.setdefault("shopper_email", plus_address(mail.address, token) if mail.plus_addressing
                                 else mail.address)
            variables.setdefault("shopper_name", mail.name)
        ident = self.config.shopper
        email = variables.get("shopper_email") or (plus_address(ident.address, token) if ident.plus_addressing
                                                   else ident.address)
        for name, value in persona_variables(ident, email).items():
            variables.setdefault(name, value)
        variables.setdefault("shopper_password_env", ident.password_env)
        profile_payment = self._payment(journey)
        variables.setdefault("shopper_payment", profile_payment or payment_preference(ident.payment))
        variables.setdefault("journey_token", token)
        state = JourneyState(journey=journey.name, variables=variables, redactor=self.redactor,
                             reach=self._reach(base_url, journey),
                             secret_origins=profile.secret_origins if profile else {},
                             environ=self.environ, clock=self.clock, artifact_dir=jdir,
                             var_dir=self.config.var_path, base_url=base_url, journey_token=token,
                             site_hosts=tuple(sorted(hosts)),
                             expectation_defaults=self.config.expectations, rng=self.rng, started_at=started,
                             write_ahead=self.after_step)
        steps: list[StepResult] = []
        evidence: list[str] = []
        error: str | None = None
        blocked: dict[str, int] = {}
        current = {"step": None}
        live = [True]   # what the page does once the steps are over (closing, a trace left open) is not theirs

        def record(kind: str, data: dict) -> None:
            if not live[0]:
                return
            clean = self.redactor.redact_data(data)
            state.observations.append(Observation(kind, journey.name, current["step"], clean,
                                                  self.clock.now().isoformat()))

        record("journey_started", {"base_url": base_url, "site": self.options.site or journey.site})
        context = page = None
        hung = False
        blocked_counter: dict[str, int] = {}
        not_applicable: str | None = None   # a step found the journey does not apply to this shop
        blocked_by: str | None = None       # set before `try`: a browser failing at the start reaches the end too
        open_part: trace.OpenPart | None = None   # the trace's last part, left open for the journey's checks
        try:
            tracing = snaps = False
            if any(step.uses_page for step in journey.steps):
                context, blocked_counter = self.browser.new_context(
                    block_hosts=self.config.browser.block_hosts, reach=state.reach,
                    on_refused=lambda r: record("link_refused", r.observation("browser")))
                tracing = self.config.browser.trace != "off"
            if context is not None:
                page = context.new_page()
                attach_observers(page, record, hosts)
                guard_pages(context, page, record)
                settle.prepare(page)
            if tracing:   # DOM snapshots only once something fails, unless trace: always (shopper/probes/trace.py)
                # started once the page is set up: the trace begins with the journey's first step
                snaps = trace.snapshots_from_start(self.config.browser.trace, self.config.browser.trace_snapshots)
                trace.start(context, snaps)
            journey_budget = (journey.timeout or self.config.browser.journey_timeout).seconds
            deadline = time.monotonic() + journey_budget
            failed: str | None = None   # why the steps after this one do not run
            handed_over = 0
            trace_parts: list[Path] = []
            marks = trace.StepMarks()   # recording cheaply: the steps' groups go into each part once it is saved
            for step in journey.steps:
                remaining = deadline - time.monotonic()
                if self.stop is not None and self.stop.is_set():
                    steps.append(StepResult(step.index, step.kind, step.label, "skipped", self.clock.now().isoformat(),
                                            0.0, error="stopped: the scheduler was asked to stop", line=step.line))
                    continue
                if failed or remaining <= 0:
                    why = failed or f"journey timed out after {journey_budget:g}s"
                    if not failed and remaining <= 0:
                        error = why
                        failed = why
                    steps.append(StepResult(step.index, step.kind, step.label, "skipped", self.clock.now().isoformat(),
                                            0.0, error=why, line=step.line))
                    continue
                if tracing and step.has_secret():
                    # Traces keep typed values and DOM snapshots: stop before a secret is used, for good.
                    part = jdir / f"trace-part{len(trace_parts) + 1}.zip"
                    jdir.mkdir(parents=True, exist_ok=True)
                    context.tracing.stop(path=str(part))
                    if not snaps:
                        trace.group_actions(part, marks.take())
                    trace_parts.append(part)
                    tracing = False
                skip = step_not_applicable(profile, journey.name, step, state.variables)
                if skip:   # declared by the profile: a note, not a failure
                    steps.append(StepResult(step.index, step.kind, self.redactor.redact(step.label), NOT_APPLICABLE,
                                            self.clock.now().isoformat(), 0.0, detail=skip, line=step.line))
                    continue
                step_timeout = step_budget(step, (journey.step_timeout or self.config.browser.step_timeout).seconds,
                                           self.config.browser.soft_timeout.seconds)
                current["step"] = step.index
                if self.before_step is not None:
                    self.before_step(step)
                if tracing:   # the trace viewer lists the step's actions under its name
                    title = f"{step.index + 1}. {self._label(step, state)}"
                    if snaps:
                        context.tracing.group(title)
                    else:
                        marks.begin(title)
                seen = len(state.observations)
                with self._watch(step, min(step_timeout, remaining), deadline) as alarm:
                    result = self._run_step(step, state, page, min(step_timeout, remaining))
                if alarm is not None and alarm.fired:   # a hung page: this journey ends, the next one runs
                    hung = True
                    result.status, result.error = "failed", (f"{STOPPED_RESPONDING}: step {step.index + 1} ran past "
                                                             f"its {min(step_timeout, remaining):g}s and was stopped")
                    error = failed = f"{STOPPED_RESPONDING} (step {step.index + 1}); the journey was stopped"
                    tracing = False   # the page's processes are gone: what the trace holds is lost with them
                steps.append(result)
                down = site_down(result, state.observations[seen:], base_url,
                                 first_open=step.kind == "open" and not any(s.kind == "open" for s in steps[:-1]))
                if tracing:   # after the result is kept: a browser gone mid-step raises here, as a crash
                    if snaps:
                        context.tracing.group_end()
                    else:
                        marks.end()
                        if not getattr(self.browser, "connected", True):
                            raise RuntimeError("the browser is gone")
                if tracing and not snaps and self.config.browser.trace_snapshots and (
                        result.status in ("failed", "blocked") or result.evidence
                        or self._step_saw_errors(state, step.index)):
                    part = jdir / f"trace-part{len(trace_parts) + 1}.zip"
                    # under the watchdog too: Playwright's own timeouts do not fire while the page's script loops
                    with self._watch(step, SNAPSHOT_S, deadline) as alarm:
                        outcome = trace.snapshot_from_here(context, page, part,
                                                           f"the page after step {step.index + 1}")
                    if outcome != "kept":
                        trace.group_actions(part, marks.take())
                        trace_parts.append(part)
                    tracing, snaps = outcome != "lost", outcome == "switched"
                    if alarm is not None and alarm.fired:   # the page hangs: this journey ends, the next one runs
                        hung, tracing = True, False
                        error = failed = f"{STOPPED_RESPONDING} (step {step.index + 1}); the journey was stopped"
                if self.after_step is not None:
                    self.after_step(state.observations[handed_over:])
                    handed_over = len(state.observations)
                if down is not None:   # the site is not there: said once, not as a failure of every step
                    site, host, cause = down
                    self.unreachable[site] = (host, cause)
                    record("site_unreachable", {"origin": site, "host": host, "cause": cause,
                                                "error": result.error or ""})
                    failed = error = f"not run: site unreachable: {cause}"
                elif result.status == "setup_error":
                    failed = f"not run: the shopper's set-up stopped step {step.index + 1}"
                elif result.status == NOT_APPLICABLE:   # an outcome: nothing after it runs
                    not_applicable = result.error
                    failed = f"not run: the journey does not apply to this shop ({not_applicable})"
                elif result.status == "blocked":   # the customer cannot go on: a finding, not a failure
                    blocked_by = result.error
                    failed = f"skipped: {blocked_by}"
                elif result.status == "skipped":   # it stopped on purpose (no real order): the rest cannot run
                    failed = f"skipped: {result.error}"
                elif result.status == "failed" and not step.continue_on_error:
                    failed = f"not run: step {step.index + 1} failed, so what follows is unknown"
            live[0] = False
            part = jdir / f"trace-part{len(trace_parts) + 1}.zip"
            if tracing and not failed and not error and self.config.browser.trace == "on-failure":
                open_part = trace.OpenPart(context, part, marks.take(), snaps)   # its checks decide
            elif tracing:   # a failing journey keeps its trace
                jdir.mkdir(parents=True, exist_ok=True)
                context.tracing.stop(path=str(part))
                if not snaps:
                    trace.group_actions(part, marks.take())
                trace_parts.append(part)
            for part in trace_parts:
                if not trace_has_secret(part, self.redactor.contains_secret):
                    evidence.append(str(part.resolve().relative_to(self.config.var_path.resolve())))
                else:
                    part.unlink(missing_ok=True)
            blocked = dict(blocked_counter)
        except ShopperError as e:
            error = str(e)
        except Exception as e:  # a crashed browser or driver: this journey fails, the others go on
            log.debug("journey %s crashed:\n%s", journey.name, traceback.format_exc())
            error = f"{type(e).__name__}: {self.redactor.redact(str(e).splitlines()[0] if str(e) else '')}"
            if self.browser is not None and not getattr(self.browser, "connected", True):
                step = f" in step {current['step'] + 1}" if current["step"] is not None else ""
                error = (f"Chromium exited during the journey{step} (it crashed or was killed): no screenshot or "
                         f"trace could be kept; the next journey starts a new browser ({error})")
            if hung:
                error = f"{STOPPED_RESPONDING}; the journey was stopped and its browser restarted"
        finally:
            live[0] = False
            if context is not None and open_part is None:
                try:
                    context.close()
                except Exception as e:  # the browser may already be gone; the next journey relaunches it
                    log.warning("closing the browser context of %s failed: %s", journey.name, e)
        if blocked:
            state.observations.append(Observation("blocked_requests", journey.name, None, {"hosts": blocked},
                                                  self.clock.now().isoformat()))
        setup = next((s for s in steps if s.status == "setup_error"), None)
        if setup is not None:
            status, error = "setup_error", error or f"step {setup.index + 1} ({setup.label}): {setup.error}"
        elif not_applicable is not None and not error:
            status = NOT_APPLICABLE  # an outcome, not a finding: never scored, alerted or failed
        elif blocked_by is not None and not error:
            status = FINISHED       # the customer could not go on: a known result, which the judge makes a finding
        elif error or failed or len(steps) < len(journey.steps) or any(s.status == "skipped" for s in steps):
            status = "incomplete"   # it could not finish: what later steps would have found is unknown
        else:
            status = FINISHED       # what happened; clean or findings is the run's judge's to say
        result = JourneyResult(journey.name, journey.path, list(journey.tags), status, started.isoformat(),
                               (time.monotonic() - t0) * 1000, steps, state.observations, journey.site,
                               error=self.redactor.redact(error) if error else None, evidence=evidence,
                               blocked_requests=blocked,
                               reason=self.redactor.redact(not_applicable) if status == NOT_APPLICABLE else None)
        if open_part is not None:
            self._open_trace = (result, open_part)
        return result

    @contextlib.contextmanager
    def _watch(self, step: Step, timeout_s: float, deadline: float) -> Iterator[Alarm | None]:
        """A watchdog on a step that uses the page: past its timeout (or the journey's deadline, for steps whose
        time goes mostly to the network), plus as much again for the failure screenshot, plus a grace for
        Playwright's own timeouts to fire first."""
        if self.browser is None or not step.uses_page or not hasattr(self.browser, "kill_pages"):
            yield None
            return
        if self._watchdog is None:
            self._watchdog = Watchdog(self.browser)
        grace = min(10.0, max(2.0, timeout_s / 2))
        limit = deadline - time.monotonic() + grace
        if not getattr(step.spec, "network_bound", False):
            limit = min(limit, 2 * timeout_s + grace)
        with self._watchdog.armed(limit) as alarm:
            yield alarm

    def keep_trace_if_failing(self, result: JourneyResult, findings: list[Any]) -> None:
        """`trace: on-failure` means a failing journey, as in Playwright Test: one that failed, stopped or has
        findings keeps its trace; a clean one drops it."""
        keep = self.config.browser.trace != "on-failure" or bool(findings) or result.status != FINISHED
        self._finish_trace(keep, result)
        if keep:
            return
        for e in [e for e in result.evidence if Path(e).name.startswith("trace-part")]:
            (self.config.var_path / e).unlink(missing_ok=True)
            result.evidence.remove(e)

    def _finish_trace(self, keep: bool, result: JourneyResult | None = None) -> None:
        """Save (`keep`) or drop the trace part a clean journey left open, and close its context. A part left
        by another journey than `result`'s is saved for that one."""
        if self._open_trace is None:
            return
        owner, part = self._open_trace
        self._open_trace = None
        if not keep and owner is result:
            part.drop()
            return
        saved = part.save()
        if saved is None:
            return
        if trace_has_secret(saved, self.redactor.contains_secret):
            saved.unlink(missing_ok=True)
        else:
            owner.evidence.append(str(saved.resolve().relative_to(self.config.var_path.resolve())))

    def close(self) -> None:
        """Save a trace part still left open (keep_trace_if_failing was not told), closing its context."""
        self._finish_trace(keep=True)

    def _unreachable(self, journey: Journey, started: Any, base_url: str, site: str,
                     known: tuple[str, str]) -> JourneyResult:
        """A journey not started because its site cannot be reached (status incomplete: nothing is known of it)."""
        host, cause = known
        why = f"not started: site unreachable: {cause}"
        at = self.clock.now().isoformat()
        steps = [StepResult(step.index, step.kind, self.redactor.redact(step.label), "skipped", started.isoformat(),
                            0.0, error=why, line=step.line) for step in journey.steps]
        observations = [Observation("journey_started", journey.name, None, {"base_url": base_url, "site": journey.site},
                                    at),
                        Observation("site_unreachable", journey.name, None,
                                    {"origin": site, "host": host, "cause": cause}, at)]
        return JourneyResult(journey.name, journey.path, list(journey.tags), "incomplete", started.isoformat(), 0.0,
                             steps, observations, journey.site, error=why)

    def _not_run(self, journey: Journey, started: Any, why: str, status: str = "setup_error") -> JourneyResult:
        """A journey the shopper's own set-up kept from running (status setup_error), or one the site profile
        declares not applicable (with its reason): nothing is known of the site."""
        steps = [StepResult(step.index, step.kind, self.redactor.redact(step.label), "skipped", started.isoformat(),
                            0.0, error="not run: " + why, line=step.line) for step in journey.steps]
        na = status == NOT_APPLICABLE
        return JourneyResult(journey.name, journey.path, list(journey.tags), status, started.isoformat(), 0.0,
                             steps, [], journey.site, error=None if na else self.redactor.redact(why),
                             reason=self.redactor.redact(why) if na else None)

    @staticmethod
    def _step_saw_errors(state: JourneyState, index: int) -> bool:
        for o in reversed(state.observations):
            if o.step != index:
                break
            if o.kind == "js_error" or (o.kind == "response" and o.data.get("audited") and o.data["status"] >= 400
                                        and o.data["type"] == "document"):
                return True
        return False

    def _label(self, step: Step, state: JourneyState) -> str:
        """The step's label with its `${...}` values filled in for showing (secrets masked)."""
        try:
            return resolve(step.label, state.variables, self.redactor, self.environ).display
        except (UndefinedVariable, MissingSecret):   # not known (yet): the label as written
            return step.label

    def _run_step(self, step: Step, state: JourneyState, page: Any, timeout_s: float) -> StepResult:
        ctx = StepContext(state=state, page=page, index=step.index, timeout_ms=timeout_s * 1000, probes=self.probes)
        if page is not None and state.page_timeout != timeout_s:
            page.set_default_timeout(timeout_s * 1000)   # only when it changes: a message to the driver each
            page.set_default_navigation_timeout(timeout_s * 1000)
            state.page_timeout = timeout_s
        started = self.clock.now().isoformat()
        t0 = time.monotonic()
        status, detail, error, evidence = "passed", "", None, []
        try:
            detail = str(step.spec.run(ctx) or "")
            if page is not None and getattr(step.spec, "acts", False):
                ctx.settle()   # the page reacts to the action (XHR, re-render): the next step sees its result
        except JourneyBlocked as e:   # recorded by the step; its check reports it
            status, error = "blocked", str(e)
        except OrderNotPlaced as e:   # shopper.place_orders: false: the shopper's choice, not the site's failure
            status, error = "skipped", str(e)
        except NotApplicable as e:   # an outcome: the journey ends not_applicable with this reason
            status, error = NOT_APPLICABLE, e.reason
        except (SetupError, ConfigError) as e:   # the shopper's own set-up: never the company's finding
            status, error = "setup_error", str(e)
        except StepError as e:
            status, error = "failed", str(e)
        except Exception as e:  # Playwright timeouts and errors: the message is the evidence
            status = "failed"
            lines = [ln for ln in str(e).splitlines() if ln.strip() and "=====" not in ln]
            error = f"{type(e).__name__}: {' '.join(lines[:3])[:600]}"
        withheld = [o.data.get("field") for o in state.observations if o.kind == "secret_withheld" and o.step == step.index]
        if withheld:   # the step says why a field stayed empty
            detail = (f"{detail}; " if detail else "") + (
                f"left empty: {', '.join(map(str, withheld))} (a secret is typed only on the audited site's own "
                f"origins or those its secret_origins names; {urlsplit(page.url).netloc if page else '?'} is not one)")
        soft = status == "failed" and is_soft(step.spec)
        if soft:
            status, soft_error, error = "passed", error or "", None
        duration = (time.monotonic() - t0) * 1000
        label = self._label(step, state)
        # every message shows values, never `${name}`: steps quote the options they were given
        detail = expand_known(detail, state.variables, self.redactor)
        error = expand_known(error, state.variables, self.redactor) if error else error
        if page is None:
            if soft:
                detail = soft_failure(ctx, step, soft_error, label=label)
            return StepResult(step.index, step.kind, self.redactor.redact(label), status, started, duration,
                              detail=self.redactor.redact(detail), error=self.redactor.redact(error) if error else None,
                              line=step.line)
        if status == "passed" and self._step_saw_errors(state, step.index):
            try:   # what the customer saw when the page failed them
                path = ctx.screenshot("page-error")
                ctx.record("error_screenshot", {"url": page.url}, evidence=(path,))
            except Exception as e:
                log.warning("no screenshot of the page error in step %s of %s: %s", step.index, state.journey, e)
        if status == "failed" or soft:
            try:
                evidence.append(ctx.screenshot("failed" if status == "failed" else "finding", full_page=True))
            except Exception as e:  # the page may be gone; the failure itself is still recorded
                log.warning("no screenshot for failed step %s of %s: %s", step.index, state.journey, e)
        if soft:
            detail = soft_failure(ctx, step, soft_error, tuple(evidence), label=label)
        url, title = page.url, state.last_title
        seen = settle.seen_title(page, url)   # what this step's settle saw (used up either way)
        if url != state.last_url:   # a new page: note its title (the settle's look saw it, else a round trip)
            try:
                title = seen if seen is not None else page.title()
            except Exception as e:  # the page may be navigating or gone; the URL is still recorded
                log.debug("no title after step %s: %s", step.index, e)
                title = None
            ctx.record("page", {"url": url, "title": title})
            state.last_url, state.last_title = url, title
        red = self.redactor.redact
        return StepResult(step.index, step.kind, red(label), status, started, duration,
                          detail=red(detail), error=red(error) if error else None, evidence=evidence,
                          url=red(url) if url else url, title=red(title) if title else title, line=step.line)
