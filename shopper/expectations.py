"""Expectations: what must come back, by when; how messages and deadlines resolve them (pure logic).

Two kinds. A `reply` expectation: `open` → `met` (a person answered), `bounced` (the mail
bounced), `breached` (the answer deadline passed) or `closed_unanswered` (the helpdesk said the request was
resolved or closed while no person's answer had come: never `met`, a later answer is kept as late). Only a
`reply` (a person's answer) meets `answer_within`; an `acknowledgement` (a helpdesk's receipt), a
`helpdesk_status` mail or an `autoreply` (a vacation notice) meets `ack_within` only; `transactional` mail,
newsletters and anything else meet nothing.
A `silence` expectation (after unsubscribing): mail from the list after the grace period
(`answer_deadline`) makes it `violated`; none until `window_end` makes it `met`.
An `order` expectation (after an order, a cancellation): mail about the order (`target`, its number) that
says `channel` happened — shipped, delivered, cancelled, refunded (shopper/mail/order_notice.py) — makes it
`met`; none by `answer_deadline` makes it `breached`.
A deadline is only judged after a sweep that *succeeded* past it: when the mailbox cannot be read,
nothing is breached.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

ANSWERING = ("reply",)                          # a person's answer: meets answer_within (and ack_within)
ACKNOWLEDGING = ("acknowledgement", "helpdesk_status", "autoreply")  # a machine's receipt: meets ack_within only
CLOSED_UNANSWERED = "closed_unanswered"


@dataclass(frozen=True)
class Expectation:
    token: str
    journey: str
    channel: str                     # email | web_form
    target: str                      # the address written to, or the form's URL
    created_at: datetime
    answer_deadline: datetime
    ack_deadline: datetime | None = None
    reply_from: tuple[str, ...] = ()  # domains or addresses a reply may come from; empty: anyone
    state: str = "open"
    acked_at: datetime | None = None
    answered_at: datetime | None = None
    ack_missed: bool = False
    bounce: dict[str, Any] | None = None
    resolved_at: datetime | None = None
    id: int | None = None
    run_id: str = ""
    step: int | None = None
    kind: str = "reply"                      # reply | silence | order (channel: the notice, target: the order)
    window_end: datetime | None = None       # silence: watched until then
    evidence: tuple[dict[str, Any], ...] = ()  # silence: the messages that came anyway
    revision: int | None = None   # the row's revision when read: a save fails if the row changed since; None: never read

    @property
    def ack_latency(self) -> timedelta | None:
        return self.acked_at - self.created_at if self.acked_at else None

    @property
    def answer_latency(self) -> timedelta | None:
        return self.answered_at - self.created_at if self.answered_at else None


@dataclass(frozen=True)
class Arrival:
    """A classified message matched to an expectation's token."""

    kind: str   # bounce | delay | reply | acknowledgement | autoreply | transactional | newsletter | other
    from_addr: str | None
    received_at: datetime
    bounce: dict[str, Any] = field(default_factory=dict)   # reason, status, diagnostic, recipient, mta...
    summary: dict[str, Any] = field(default_factory=dict)  # subject, from, date: evidence for silence
    closes: bool = False   # a helpdesk's status mail saying the request is resolved, solved or closed


def sender_allowed(exp: Expectation, sender: str | None) -> bool:
    """A reply counts when it comes from one of `reply_from` (an address, a domain, or a subdomain of one)."""
    if not exp.reply_from:
        return True
    s = (sender or "").lower()
    domain = s.rsplit("@", 1)[-1]
    for allowed in exp.reply_from:
        a = allowed.lower().lstrip("@")
        if "@" in a and s == a:
            return True
        if "@" not in a and (domain == a or domain.endswith("." + a)):
            return True
    return False


def apply_arrival(exp: Expectation, msg: Arrival) -> Expectation:
    """What one matched message changes. Bounces are final; answers after a breach are kept as late."""
    if exp.kind == "silence":
        return _break_silence(exp, msg)
    if exp.kind == "order":
        return _order_notice(exp, msg)
    if exp.state == "bounced":
        return exp
    if msg.kind == "bounce":
        if exp.state == "open":
            return dataclasses.replace(exp, state="bounced", bounce=dict(msg.bounce), resolved_at=msg.received_at)
        return exp
    if msg.kind not in ACKNOWLEDGING + ANSWERING or not sender_allowed(exp, msg.from_addr):
        return exp
    acked = exp.acked_at if exp.acked_at and exp.acked_at <= msg.received_at else msg.received_at
    if msg.kind not in ANSWERING:
        if msg.closes and exp.state == "open" and (exp.answered_at is None or exp.answered_at > msg.received_at):
            # closed while nobody had answered: the request is done for the helpdesk, never for the customer
            evidence = exp.evidence + (dict(msg.summary, received_at=msg.received_at.isoformat()),)
            return dataclasses.replace(exp, acked_at=acked, state=CLOSED_UNANSWERED, resolved_at=msg.received_at,
                                       evidence=evidence)
        return dataclasses.replace(exp, acked_at=acked)
    answered = exp.answered_at if exp.answered_at and exp.answered_at <= msg.received_at else msg.received_at
    state = "met" if exp.state == "open" else exp.state
    resolved = exp.resolved_at if exp.state != "open" else msg.received_at
    return dataclasses.replace(exp, acked_at=acked, answered_at=answered, state=state, resolved_at=resolved)


def _order_notice(exp: Expectation, msg: Arrival) -> Expectation:
    """Mail about the order saying the awaited state happened meets it (late ones are kept as late)."""
    if exp.target not in msg.summary.get("orders", ()) or exp.channel not in msg.summary.get("states", ()):
        return exp
    if exp.answered_at is not None and exp.answered_at <= msg.received_at:
        return exp
    state = "met" if exp.state == "open" else exp.state
    resolved = exp.resolved_at if exp.state != "open" else msg.received_at
    return dataclasses.replace(exp, answered_at=msg.received_at, state=state, resolved_at=resolved)


def _break_silence(exp: Expectation, msg: Arrival) -> Expectation:
    """Mail from the list: within the grace period it is fine; after it, it is evidence of being ignored."""
    if msg.received_at <= exp.answer_deadline or exp.state not in ("open", "violated"):
        return exp
    evidence = exp.evidence + (dict(msg.summary, received_at=msg.received_at.isoformat()),)
    return dataclasses.replace(exp, state="violated", evidence=evidence,
                               resolved_at=exp.resolved_at or msg.received_at)


def apply_deadlines(exp: Expectation, swept_at: datetime, sweep_ok: bool) -> Expectation:
    """Judge deadlines after a sweep that ended at `swept_at`; a failed sweep judges nothing."""
    if not sweep_ok:
        return exp
    if exp.kind == "silence":
        if exp.state == "open" and exp.window_end is not None and swept_at > exp.window_end:
            return dataclasses.replace(exp, state="met", resolved_at=swept_at)
        return exp
    out = exp
    if exp.ack_deadline is not None and not exp.ack_missed and swept_at > exp.ack_deadline \
            and exp.state in ("open", "met", "breached", CLOSED_UNANSWERED) \
            and (exp.acked_at is None or exp.acked_at > exp.ack_deadline):
        out = dataclasses.replace(out, ack_missed=True)
    if out.state == "open" and swept_at > exp.answer_deadline:
        out = dataclasses.replace(out, state="breached", resolved_at=swept_at)
    return out


def changes(before: Expectation, after: Expectation) -> list[str]:
    """What became true: 'acked', 'met', 'bounced', 'breached', 'closed_unanswered', 'ack_missed', 'late_answer'."""
    out = []
    if after.acked_at and not before.acked_at:
        out.append("acked")
    if after.state != before.state:
        out.append(after.state)
    if after.ack_missed and not before.ack_missed:
        out.append("ack_missed")
    if before.state in ("breached", CLOSED_UNANSWERED) and after.answered_at and not before.answered_at:
        out.append("late_answer")
    if before.state == after.state == "violated" and len(after.evidence) > len(before.evidence):
        out.append("more_evidence")
    return out
