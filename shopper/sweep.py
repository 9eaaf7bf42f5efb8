"""Sweep: read new mail, classify and match it, resolve expectations; record what was seen as observations."""
from __future__ import annotations

import logging
import secrets
import threading
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Callable

from .clock import Clock
from .errors import ProbeError
from .expectations import Arrival, apply_arrival, apply_deadlines, changes
from .mail.classify import Classification, classify
from .mail.links import extract_links, list_id
from .mail.match import match_token
from .mail.parse import parse_message
from .model import Observation
from .order_watch import order_arrival, order_mail_observations
from .probes.imap import FolderBatch, ImapMailbox, ImapSettings, message_key, watch
from .probes.mail import mailbox_name

log = logging.getLogger(__name__)
SWEEP_JOURNEY = "(mailbox)"


@dataclass
class SweepResult:
    sweep_id: str
    ok: bool
    error: str | None = None
    new_messages: int = 0
    observations: list[Observation] = field(default_factory=list)

    @property
    def journeys(self) -> list[Any]:
        """Observations grouped like journey results, so checks read sweeps and runs alike."""
        by: dict[str, list[Observation]] = {}
        for o in self.observations:
            by.setdefault(o.journey, []).append(o)
        return [_SweepView(name, obs) for name, obs in by.items()]


@dataclass
class _SweepView:
    name: str
    observations: list[Observation]
    steps: list[Any] = field(default_factory=list)
    error: str | None = None
    evidence: list[str] = field(default_factory=list)


class Sweeper:
    """Reads one mailbox into the store. Not thread-safe; one per process (or per watch)."""

    def __init__(self, store: Any, settings: ImapSettings | None, clock: Clock,
                 box_factory: Callable[[ImapSettings], ImapMailbox] = ImapMailbox, links: Any = None):
        self.store = store
        self.links = links   # a LinkChecker: the tracking and status links of watched orders' mail
        self.settings = settings
        self.clock = clock
        self.box_factory = box_factory
        self.mailbox = mailbox_name(settings) if settings else ""
        self._lock = threading.Lock()

    def since(self) -> datetime:
        """Messages older than the shopper's first message or expectation never need classifying."""
        first = self.store.first_sent_at()
        start = datetime.fromisoformat(first) if first else self.clock.now()
        return start - timedelta(days=1)

    def sweep(self) -> SweepResult:
        """One pass over every configured folder, then deadlines (only when the pass succeeded)."""
        result = SweepResult(self._new_id(), ok=False)
        self.store.begin_sweep(result.sweep_id, self.clock.now().isoformat())
        if self.settings is None:
            result.error = ("no mailbox configured: set imap.host/imap.user in config.yaml and the password in "
                            "$SHOPPER_IMAP_PASSWORD")
        else:
            try:
                with self.box_factory(self.settings) as box:
                    states = self.store.folder_states(self.mailbox)
                    since = self.since()
                    for folder in box.folders():
                        batch = box.fetch_new(folder, states.get(folder), since=since)
                        self.ingest(batch, result)
                result.ok = True
            except ProbeError as e:
                result.error = str(e)
        self.judge_deadlines(result)
        self.store.finish_sweep(result.sweep_id, self.clock.now().isoformat(), result.ok, result.error,
                                result.new_messages)
        return result

    def watch(self, stop: threading.Event, on_result: Callable[[SweepResult], None]) -> None:
        """Stay connected (IDLE); every batch resolves at once. Returns when `stop` is set."""
        if self.settings is None:
            raise ProbeError("no mailbox configured: set imap.host/imap.user in config.yaml")

        def on_batch(batch: FolderBatch) -> None:
            result = SweepResult(self._new_id(), ok=True)
            self.store.begin_sweep(result.sweep_id, self.clock.now().isoformat())
            self.ingest(batch, result)
            self.judge_deadlines(result)
            self.store.finish_sweep(result.sweep_id, self.clock.now().isoformat(), True, None, result.new_messages)
            on_result(result)

        watch(self.settings, on_batch, stop, since=self.since(), states=self.store.folder_states(self.mailbox))

    # -- steps of a sweep -------------------------------------------------------------------------
    def ingest(self, batch: FolderBatch, result: SweepResult) -> None:
        """Classify and match the batch's new messages, store them with the folder state, apply arrivals."""
        now = self.clock.now().isoformat()
        keyed = [(message_key(m.raw), m) for m in batch.messages]
        seen = self.store.known_message_keys([k for k, _ in keyed])
        rows, arrivals = [], []
        for key, m in keyed:
            if key in seen:          # the same message again (UIDVALIDITY resync, or in two folders)
                continue
            seen.add(key)
            mail = parse_message(m.raw)   # once: classification and links read the same parse
            c = classify(mail)
            token = match_token(c, self.store.known_tokens,
                                lambda ids: {k: v["token"] for k, v in self.store.sent_by_message_ids(ids).items()})
            # links matter for mail a journey may follow (its own) and for newsletters (unsubscribe)
            links = extract_links(mail.message) if (token or c.kind == "newsletter") and c.kind != "bounce" else []
            rows.append(self._row(key, m, c, token, result.sweep_id, now, links))
            result.observations.append(self._received(c, m, token))
            arrivals.append((token, c, m, links))
        self.store.save_batch(self.mailbox, batch.state, rows, now)
        result.new_messages += len(rows)
        for token, c, m, links in arrivals:
            if token:
                self._arrive(token, c, m, result, links)
            if c.kind == "newsletter" and c.list_id:
                self._newsletter(c, m, result)

    def _arrive(self, token: str, c: Classification, m: Any, result: SweepResult,
                links: list[tuple[str, str]] = ()) -> None:
        sent = self.store.sent_tokens([token]).get(token)
        received = m.internaldate
        bounce = _bounce_info(c)
        if c.kind == "bounce" and sent:
            for failed in _failed(c):   # one observation (and finding) per bounced address
                result.observations.append(self._obs("mail_bounced", sent["journey"], sent["step"], {
                    **failed, "kind": c.kind, "token": token, "to": sent["to_addr"], "subject": sent["subject"],
                    "received_at": received.isoformat(), "excerpt": c.excerpt[:1500]}))
        orders = []
        for exp in self.store.expectations(tokens=[token]):
            if exp.kind == "silence":   # judged by the list the mail comes from, in _newsletter
                continue
            if exp.kind == "order":   # mail about a watched order (shopper/order_watch.py)
                orders.append(exp)
                self._save_change(exp, apply_arrival(exp, order_arrival(exp, c, received)), result)
                continue
            after = apply_arrival(exp, Arrival(c.kind, c.from_addr, received, bounce))
            self._save_change(exp, after, result)
        if orders and c.kind != "bounce":
            result.observations += order_mail_observations(orders, c, m, list(links), self.links, self._obs)

    def _newsletter(self, c: Classification, m: Any, result: SweepResult) -> None:
        """A newsletter may break a promise of silence (after unsubscribing from its list)."""
        summary = {"subject": c.subject[:300], "from": c.from_addr, "list_id": list_id(c.list_id),
                   "date": c.date.isoformat() if c.date else None, "folder": m.folder}
        for exp in self.store.expectations(states=("open", "violated"), silence_for=[list_id(c.list_id) or ""]):
            self._save_change(exp, apply_arrival(exp, Arrival("newsletter", c.from_addr, m.internaldate,
                                                              summary=summary)), result)

    def judge_deadlines(self, result: SweepResult) -> None:
        now = self.clock.now()
        for exp in self.store.expectations(states=("open", "met", "breached", "violated")):
            after = apply_deadlines(exp, now, result.ok)
            self._save_change(exp, after, result)
        if not result.ok:
            open_count = len(self.store.expectations(states=("open",)))
            result.observations.append(self._obs("sweep_failed", SWEEP_JOURNEY, None, {
                "error": result.error, "mailbox": self.mailbox or "(none)", "open_expectations": open_count}))

    def _save_change(self, before: Any, after: Any, result: SweepResult) -> None:
        what = changes(before, after)
        if not what:
            return
        if not self.store.update_expectation(after, self.clock.now().isoformat()):
            return   # another sweep (a shard, the scheduler) resolved it first: it is reported once, there
        result.observations.append(self._obs("expectation", after.journey, after.step, {
            "changes": what, **expectation_data(after)}))

    # -- records ----------------------------------------------------------------------------------
    def _obs(self, kind: str, journey: str, step: int | None, data: dict[str, Any]) -> Observation:
        return Observation(kind, journey, step, data, self.clock.now().isoformat())

    def _received(self, c: Classification, m: Any, token: str | None) -> Observation:
        owner = self._owner(token)
        return self._obs("mail_received", owner[0], owner[1], {
            "kind": c.kind, "from": c.from_addr, "subject": c.subject[:300], "folder": m.folder,
            "received_at": m.internaldate.isoformat(), "token": token, "reason": c.reason,
            "list_id": c.list_id, "list_unsubscribe": list(c.list_unsubscribe), "truncated": m.truncated,
            "parse_problems": list(c.parse_problems), "excerpt": c.excerpt[:1500]})

    def _owner(self, token: str | None) -> tuple[str, int | None]:
        """The journey (and step) a token belongs to."""
        if token:
            sent = self.store.sent_tokens([token]).get(token)
            if sent:
                return sent["journey"], sent["step"]
            journey = self.store.journey_of_token(token)
            if journey:
                return journey, None
        return SWEEP_JOURNEY, None

    def _row(self, key: str, m: Any, c: Classification, token: str | None, sweep_id: str, now: str,
             links: list[tuple[str, str]]) -> dict:
        return {"key": key, "mailbox": self.mailbox, "folder": m.folder, "uid": m.uid, "uidvalidity": m.uidvalidity,
                "received_at": m.internaldate.isoformat(), "swept_at": now, "sweep_id": sweep_id, "kind": c.kind,
                "reason": c.reason, "status": c.status, "recipient": c.recipient, "from_addr": c.from_addr,
                "subject": c.subject[:500], "matched_token": token, "truncated": int(m.truncated), "size": m.size,
                "classification": _json({**c.to_json(), "links": links}),
                "failed": _failed(c) if c.kind in ("bounce", "delay") else []}

    @staticmethod
    def _new_id() -> str:
        return "sweep-" + secrets.token_hex(6)


def _delivery_info(d: Any) -> dict[str, Any]:
    return {"recipient": d.recipient, "reason": d.reason, "status": d.status, "reply_code": d.reply_code,
            "hard": d.hard, "action": d.action, "diagnostic": d.diagnostic, "reporting_mta": d.reporting_mta,
            "remote_mta": d.remote_mta}


def _failed(c: Classification) -> list[dict[str, Any]]:
    """Every recipient the bounce reports as not delivered, in its order."""
    return [_delivery_info(d) for d in c.deliveries if d.reason != "delivered"]


def _bounce_info(c: Classification) -> dict[str, Any]:
    """The expectation's record of a bounce: the first failed recipient's fields, and all of them."""
    failed = _failed(c)
    if not failed:
        return {}
    return {**failed[0], "kind": c.kind, "recipients": failed}


def expectation_data(e: Any) -> dict[str, Any]:
    iso = lambda v: v.isoformat() if v else None  # noqa: E731
    return {"id": e.id, "token": e.token, "channel": e.channel, "target": e.target, "state": e.state,
            "created_at": iso(e.created_at), "ack_deadline": iso(e.ack_deadline),
            "answer_deadline": iso(e.answer_deadline), "acked_at": iso(e.acked_at),
            "answered_at": iso(e.answered_at), "ack_missed": e.ack_missed, "bounce": e.bounce,
            "ack_latency_s": e.ack_latency.total_seconds() if e.ack_latency else None,
            "answer_latency_s": e.answer_latency.total_seconds() if e.answer_latency else None,
            "reply_from": list(e.reply_from), "kind": e.kind,
            "window_end": iso(e.window_end), "evidence": list(e.evidence)}


def _json(v: Any) -> str:
    from .store.codec import to_json
    return to_json(v)
