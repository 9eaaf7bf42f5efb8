"""What a report says about a run, read from the store in one place: the HTML report and the email use it.

    view = run_view(store, run_id, tz=ZoneInfo("Europe/Berlin"))
    view.open_counts          # {"critical": 1, "major": 10} (flaky findings not counted)
    view.fix_first            # the three findings to fix first

Everything the templates show comes from here, so the report never queries the store itself.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from shopper.model import SEVERITIES
from shopper.score import band, open_headline, process_label, process_of, scores
from shopper.summary import JOURNEY_STATUSES

from .fixes import fix_for
from .history import History, history
from .response_times import human, response_times

if TYPE_CHECKING:
    from shopper.store.contract import Store

RANK = {s: i for i, s in enumerate(SEVERITIES)}
FIX_FIRST = 3
DONE = set(JOURNEY_STATUSES)   # the statuses the engine stores (shopper/summary.py)


@dataclass
class FindingView:
    fingerprint: str
    kind: str
    severity: str
    title: str
    detail: str
    journey: str
    step: int | None          # 1-based, like the report's step numbers
    process: str
    fix: str
    new: bool
    since: str                # ISO time of the first run of the streak
    runs: int                 # consecutive runs the finding has been open
    flaky: bool
    reason: str | None
    data: dict[str, Any]
    evidence: list[str]


@dataclass
class ProcessView:
    key: str
    label: str
    score: int | None
    previous: int | None
    counts: dict[str, int]    # open (not flaky) findings by severity

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def band(self) -> str:
        return band(self.score, self.counts)


@dataclass
class TimelineEvent:
    what: str                 # "sent", "acknowledged", "answer due", "breached"...
    at: datetime | None
    state: str                # ok | bad | due | info


@dataclass
class ExpectationView:
    journey: str
    channel: str
    target: str
    state: str
    headline: str
    events: list[TimelineEvent]
    token: str = ""
    subject: str = ""


@dataclass
class JourneyView:
    name: str
    path: str
    status: str               # shopper.summary.JOURNEY_STATUSES
    worst: str | None
    duration_ms: float
    steps: list[dict[str, Any]]
    evidence: list[str]
    error: str | None
    blocked: dict[str, int]
    observations: list[dict[str, Any]]
    findings: list[FindingView]
    reason: str | None = None     # not_applicable: why the journey does not apply to this shop

    @property
    def observed(self) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        """(what a reader needs: failures, errors and the facts behind a finding's step; the rest, behind a
        toggle). Responses are shown only when they failed (4xx/5xx)."""
        shown = [o for o in self.observations if o["kind"] not in NOT_OBSERVED_HERE
                 and (o["kind"] != "response" or (o.get("data") or {}).get("status", 0) >= 400)]
        steps = {f.step - 1 for f in self.findings if f.step is not None}
        needed = [o for o in shown if o["kind"] in NOTEWORTHY
                  or (o.get("step") in steps and (o.get("data") or {}).get("ok") is not True)]   # a link that works: routine
        picked = {id(o) for o in needed}
        return needed, [o for o in shown if id(o) not in picked]


# What "What was observed" leaves out (shown elsewhere: pages in the steps, mail and expectations in their sections)
NOT_OBSERVED_HERE = {"page", "mail_received", "journey_started", "expectation", "expectation_left",
                     "silence_expected"}
# What a reader needs to see without asking: what went wrong on the page or the network
NOTEWORTHY = {"js_error", "request_failed", "site_unreachable", "soft_check", "error_screenshot", "response",
              "blocked_requests"}


@dataclass
class RunView:
    run: Any
    previous: Any
    score: int | None              # None: nothing could be scored (journeys incomplete or not run)
    previous_score: int | None
    findings: list[FindingView]
    processes: list[ProcessView]
    journeys: list[JourneyView]
    history: History
    expectations: list[ExpectationView]
    response_times: list[dict[str, Any]]
    mail: list[dict[str, Any]]
    invalid: list[dict[str, Any]]
    fixed: list[dict[str, Any]] = field(default_factory=list)
    unreadable: list[dict[str, Any]] = field(default_factory=list)   # quarantined messages: never findings

    @property
    def open_findings(self) -> list[FindingView]:
        return [f for f in self.findings if not f.flaky]

    @property
    def open_counts(self) -> dict[str, int]:
        counts = {s: 0 for s in SEVERITIES}
        for f in self.open_findings:
            counts[f.severity] = counts.get(f.severity, 0) + 1
        return {s: n for s, n in counts.items() if n}

    @property
    def new(self) -> list[FindingView]:
        return [f for f in self.open_findings if f.new]

    @property
    def flaky(self) -> list[FindingView]:
        return [f for f in self.findings if f.flaky]

    @property
    def ranked(self) -> list[FindingView]:
        """Every finding in the one order of "what to fix first" (the report, the mail and `status`): the most
        severe first, then the longest open, then the new; flaky ones last."""
        return sorted(self.findings, key=fix_order)

    @property
    def fix_first(self) -> list[FindingView]:
        return [f for f in self.ranked if not f.flaky][:FIX_FIRST]

    @property
    def band(self) -> str:
        """The headline's colour: an open critical is red whatever the score (shopper.score.band)."""
        return band(self.score, self.open_counts)

    @property
    def headline(self) -> str:
        """'1 critical, 3 major open' — what is open leads, before the score."""
        return open_headline(self.open_counts)

    @property
    def trend(self) -> list[tuple[str, int | None]]:
        return [(t["started_at"], t["score"]) for t in self.history.trend]

    def by_process(self) -> list[tuple[ProcessView, list[FindingView]]]:
        """Processes with findings, worst score first; findings most severe first."""
        groups = [(p, [f for f in self.findings if f.process == p.key]) for p in self.processes]
        return [(p, sorted(fs, key=lambda f: (f.flaky, RANK.get(f.severity, 9), f.title))) for p, fs in groups if fs]


def fix_order(f: FindingView) -> tuple:
    return (f.flaky, RANK.get(f.severity, 9), -f.runs, not f.new, f.process, f.title)


def run_view(store: Store, run_id: str) -> RunView:
    """Read run `run_id` and what the report needs around it (history, expectations) from the store."""
    run = store.run(run_id)
    if run is None:
        raise KeyError(run_id)
    journeys, raw = store.journeys(run_id), store.findings(run_id)
    observations = store.observations(run_id)
    previous = store.previous_run(run_id)
    hist = history(store, run_id, raw)
    new_prints = {f["fingerprint"] for f in hist.new}
    streaks = {f["fingerprint"]: (f["since"], f["runs"]) for f in hist.recurring}
    process = {j["name"]: process_of(j.get("tags") or [], j["name"]) for j in journeys}
    findings = [_finding(f, process, new_prints, streaks, run.started_at) for f in raw]
    score = run.summary.get("score")
    per_process = run.summary.get("processes")
    if score is None or per_process is None:   # runs stored before scores were kept in the summary
        computed = scores(journeys, raw)
        score = computed["overall"] if score is None else score
        per_process = computed["processes"] if per_process is None else per_process
    before = (previous.summary.get("processes") or {}) if previous else {}
    keys = list(dict.fromkeys([*per_process, *(f.process for f in findings)]))
    processes = [ProcessView(k, process_label(k), per_process.get(k), before.get(k),
                             _counts([f for f in findings if f.process == k and not f.flaky])) for k in keys]
    # severity before averages: a process with an open critical first, then the worst score
    processes.sort(key=lambda p: (not p.counts.get("critical"), p.score if p.score is not None else 101, p.label))
    by_journey: dict[str, list[dict]] = {}
    for o in observations:
        by_journey.setdefault(o["journey"], []).append(o)
    jviews = [_journey(j, by_journey.get(j["name"], []), [f for f in findings if f.journey == j["name"]])
              for j in journeys]
    mine = [e for e in store.expectations() if e.run_id == run_id]
    sent = store.sent_tokens([e.token for e in mine]) if mine else {}
    return RunView(run=run, previous=previous, score=None if score is None else int(score),
                   previous_score=previous.summary.get("score") if previous else None, findings=findings,
                   processes=processes, journeys=jviews, history=hist,
                   expectations=[expectation_view(e, sent.get(e.token)) for e in mine],
                   response_times=response_times(mine), invalid=store.invalid(run_id),
                   mail=[o for o in observations if o["kind"] == "mail_received"], fixed=hist.fixed,
                   unreadable=[o for o in observations if o["kind"] == "mail_quarantined"])


def _finding(f: dict[str, Any], process: dict[str, str], new: set[str], streaks: dict, started: str) -> FindingView:
    data = f.get("data") or {}
    since, runs = streaks.get(f["fingerprint"], (started, 1))
    detail = f.get("detail") or ""
    return FindingView(fingerprint=f["fingerprint"], kind=f["kind"], severity=f["severity"], title=f["title"],
                       detail="" if detail.strip() == f["title"].strip() else detail, journey=f["journey"],
                       step=f["step"] + 1 if f.get("step") is not None else None,
                       process=process.get(f["journey"], f["journey"]),
                       fix=data.get("fix") or fix_for(f["kind"]), new=f["fingerprint"] in new, since=since, runs=runs,
                       flaky=bool(data.get("flaky")), reason=f.get("reason"), data=data,
                       evidence=list(f.get("evidence") or []))


def _counts(findings: list[FindingView]) -> dict[str, int]:
    out: dict[str, int] = {}
    for f in findings:
        out[f.severity] = out.get(f.severity, 0) + 1
    return {s: out[s] for s in SEVERITIES if s in out}


def journey_status(stored: str, steps: list[dict[str, Any]], findings: list[FindingView]) -> str:
    """clean / findings / incomplete: never 'passed' beside a finding (the engine's own status when it has one);
    `not_judged` for a journey that finished in a run that died before its judge (nothing is known of it)."""
    if stored == "finished":
        return "not_judged"
    if stored in DONE:
        return stored
    if stored == "error" or any(s["status"] == "skipped" for s in steps):
        return "incomplete"
    return "findings" if findings else "clean"


def _journey(j: dict[str, Any], observations: list[dict], findings: list[FindingView]) -> JourneyView:
    marked = {f.step for f in findings if f.step is not None}
    steps = [{**s, "number": s["idx"] + 1, "has_finding": s["idx"] + 1 in marked} for s in j["steps"]]
    open_ = [f for f in findings if not f.flaky]
    worst = min((f.severity for f in open_), key=lambda s: RANK.get(s, 9), default=None)
    return JourneyView(name=j["name"], path=j["path"], status=journey_status(j["status"], j["steps"], open_),
                       worst=worst, duration_ms=j["duration_ms"], steps=steps, evidence=list(j.get("evidence") or []),
                       error=j.get("error"), blocked=j.get("blocked") or {}, observations=observations,
                       findings=findings, reason=j.get("reason"))


def expectation_view(e: Any, sent: dict[str, Any] | None = None) -> ExpectationView:
    """The story of one expectation as a timeline: sent → acknowledged → answered, or due → breached."""
    ev = [TimelineEvent("sent" if e.kind == "reply" else "unsubscribed", e.created_at, "info")]
    what = {"email": f"Mail to {e.target}", "web_form": f"Web form {e.target}",
            "newsletter": f"Newsletter {e.target}"}.get(e.channel, f"{e.channel} {e.target}")
    if e.kind == "silence":
        ev.append(TimelineEvent("grace period ends", e.answer_deadline, "due"))
        came = [m for m in e.evidence if m.get("received_at")]
        for m in came:
            ev.append(TimelineEvent(f"newsletter came anyway: {m.get('subject', '')}", _dt(m["received_at"]), "bad"))
        if e.state == "met":
            ev.append(TimelineEvent("no more newsletters", e.resolved_at, "ok"))
        headline = (f"{what}: {len(came)} newsletter(s) after unsubscribing" if e.state == "violated" else
                    f"{what}: no newsletter since unsubscribing" if e.state == "met" else f"{what}: watched")
        return ExpectationView(e.journey, e.channel, e.target, e.state, headline, _ordered(ev), e.token)
    if e.kind == "order":
        return _order_view(e)
    if e.ack_deadline is not None:
        ev.append(TimelineEvent("acknowledgement due", e.ack_deadline, "due"))
    if e.acked_at is not None:
        ev.append(TimelineEvent("acknowledged", e.acked_at, "bad" if e.ack_missed else "ok"))
    elif e.ack_missed:
        ev.append(TimelineEvent("no acknowledgement", e.ack_deadline, "bad"))
    if e.state != "bounced":   # a bounced mail will never be answered: its deadline is moot
        ev.append(TimelineEvent("answer due", e.answer_deadline, "due"))
    if e.state == "bounced":
        b = e.bounce or {}
        why = " ".join(str(x) for x in (b.get("reason"), b.get("status")) if x)
        ev.append(TimelineEvent(f"bounced{': ' + why if why else ''}", e.resolved_at, "bad"))
        headline = f"{what} bounced{' (' + why + ')' if why else ''}"
    elif e.state == "closed_unanswered":
        ev.append(TimelineEvent("closed by the helpdesk without an answer", e.resolved_at, "bad"))
        if e.answered_at is not None:
            ev.append(TimelineEvent("answered after the closing", e.answered_at, "bad"))
        headline = f"{what}: closed without an answer"
    elif e.answered_at is not None:
        ev.append(TimelineEvent("answered", e.answered_at, "ok"))
        headline = f"{what}: answered after {human(e.answer_latency.total_seconds())}"
    elif e.state == "breached":
        ev.append(TimelineEvent("breached: no answer", e.resolved_at, "bad"))
        ack = f"acknowledged after {human(e.ack_latency.total_seconds())}, " if e.acked_at else ""
        headline = f"{what}: {ack}no answer by the deadline"
    else:
        headline = f"{what}: waiting for an answer"
    return ExpectationView(e.journey, e.channel, e.target, e.state, headline, _ordered(ev), e.token,
                           subject=(sent or {}).get("subject", ""))


def _order_view(e: Any) -> ExpectationView:
    """An order's notice (shipped, delivered, cancelled, refunded): expected → due → came, or overdue."""
    what = f"Order {e.target}: {e.channel} notice"
    ev = [TimelineEvent(f"{e.channel} notice expected", e.created_at, "info"),
          TimelineEvent(f"{e.channel} notice due", e.answer_deadline, "due")]
    if e.answered_at is not None:
        ev.append(TimelineEvent(f"{e.channel} notice came", e.answered_at, "ok" if e.state == "met" else "bad"))
        headline = f"{what} came after {human(e.answer_latency.total_seconds())}"
    elif e.state == "breached":
        ev.append(TimelineEvent(f"overdue: no {e.channel} notice", e.resolved_at, "bad"))
        headline = f"{what}: none by the deadline"
    else:
        headline = f"{what}: waiting" if e.state == "open" else f"{what}: {e.state}"
    return ExpectationView(e.journey, e.channel, e.target, e.state, headline, _ordered(ev), e.token)


def _ordered(events: list[TimelineEvent]) -> list[TimelineEvent]:
    return sorted(events, key=lambda t: (t.at is None, t.at or datetime.min))


def _dt(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None
