"""Sweep: read new mail, classify and match it, resolve expectations; record what was seen as observations."""
from __future__ import annotations

import hashlib
import logging
import secrets
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Callable, Iterator, Mapping

from .clock import Clock
from .errors import ProbeError, StoreError
from .expectations import (ACKNOWLEDGING, ANSWERING, Arrival, apply_arrival, apply_deadlines, changes,
                           sender_allowed)
from .mail.classify import Classification, classify_strict
from .mail.links import extract_links, list_id
from .mail.match import match_token
from .mail.parse import parse_message
from .mail.senders import addresses_written_to, dmarc_verdict
from .model import Observation
from .order_watch import order_arrival, order_mail_observations
from .probes import Probes
from .probes.imap import FolderBatch, ImapMailbox, ImapSettings, SweepDeadline, message_key, watch
from .probes.mail import mailbox_name
from .quarantine import quarantine_data, quarantine_row

if TYPE_CHECKING:
    from .store.contract import MailStore

log = logging.getLogger(__name__)
SWEEP_JOURNEY = "(mailbox)"


@dataclass
class SweepResult:
    sweep_id: str
    ok: bool
    error: str | None = None
    new_messages: int = 0          # messages this sweep stored (not those a concurrent sweep stored first)
    timed_out: bool = False        # stopped at imap.sweep_timeout; what was read is saved
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

    def __init__(self, store: MailStore, settings: ImapSettings | None, clock: Clock,
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
        """One pass over every configured folder, then deadlines (only when the pass succeeded).

        The pass has an overall deadline (imap.sweep_timeout): past it, what was read is saved, the sweep says
        so in its error and judges no deadline (a sweep that did not read everything is not a good sweep)."""
        result = SweepResult(self._new_id(), ok=False)
        self.store.begin_sweep(result.sweep_id, self.clock.now().isoformat())
        if self.settings is None:
            result.error = ("no mailbox configured: set imap.host/imap.user in config.yaml and the password in "
                            "$SHOPPER_IMAP_PASSWORD")
        else:
            limit = self.settings.sweep_timeout
            deadline = time.monotonic() + limit if limit else None
            try:
                with self.box_factory(self.settings) as box:
                    box.set_deadline(deadline)
                    states = self.store.folder_states(self.mailbox)
                    since = self.since()
                    for folder in box.folders():
                        batch = box.fetch_new(folder, states.get(folder), since=since)
                        self.ingest(batch, result)
                        if not batch.complete or (deadline is not None and time.monotonic() >= deadline):
                            raise SweepDeadline(box.deadline_text(f"reading {folder}"))
                result.ok = True
            except ProbeError as e:
                result.error = str(e)
                result.timed_out = isinstance(e, SweepDeadline)
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
        """Classify and match the batch's new messages, store them with the folder state, apply arrivals.

        A message that cannot be read (any error while parsing, classifying, matching or reading its links) is
        quarantined: stored as kind `unreadable` with its UID, size and the error, observed, never a finding;
        the others go on, and the folder state advances past it."""
        now = self.clock.now().isoformat()
        keyed = [(_key(m), m) for m in batch.messages]
        seen = self.store.known_message_keys([k for k, _ in keyed])
        rows, read = [], []
        for key, m in keyed:
            if key in seen:          # the same message again (UIDVALIDITY resync, or in two folders)
                continue
            seen.add(key)
            try:
                c, token, links, auth = self._read(m)
            except Exception as err:  # noqa: BLE001 - one message must never stop the sweep: it is quarantined
                if _store_failure(err):
                    raise   # the shopper's own store failing is no fault of the message: the sweep stops
                rows.append(quarantine_row(self.mailbox, key, m, err, result.sweep_id, now))
                read.append((key, None, None, m, err))
                continue
            rows.append(self._row(key, m, c, token, result.sweep_id, now, links))
            read.append((key, (c, auth, links), token, m, None))
        stored = self.store.save_batch(self.mailbox, batch.state, rows, now)
        result.new_messages += len(stored)   # what this sweep stored: a concurrent sweep's are not counted twice
        read.sort(key=lambda r: (r[3].internaldate, r[3].uid))   # an answer and a "Resolved" in one batch: in order
        for key, read_as, token, m, err in read:
            if key not in stored:
                continue
            if err is not None:
                result.observations.append(self._obs("mail_quarantined", SWEEP_JOURNEY, None,
                                                     quarantine_data(m, err)))
                continue
            c, auth, links = read_as
            result.observations.append(self._received(c, m, token))
            if token:
                self._arrive(token, c, m, result, auth, links)
            if c.kind == "newsletter" and c.list_id:
                self._newsletter(c, m, result)

    def _read(self, m: Any) -> tuple[Classification, str | None, list[tuple[str, str]], tuple[str, str] | None]:
        """Parse once, classify, match to what we sent, the links a journey may follow and the verdict of the
        shopper's own provider on DMARC; may raise."""
        mail = parse_message(m.raw)   # once: classification and links read the same parse
        c = classify_strict(mail)
        token = match_token(c, self.store.known_tokens,
                            lambda ids: {k: v["token"] for k, v in self.store.sent_by_message_ids(ids).items()})
        # links matter for mail a journey may follow (its own) and for newsletters (unsubscribe)
        links = extract_links(mail.message) if (token or c.kind == "newsletter") and c.kind != "bounce" else []
        trusted = self.settings.trusted_authserv_ids if self.settings else ()
        return c, token, links, dmarc_verdict(mail.headers, trusted)

    def _arrive(self, token: str, c: Classification, m: Any, result: SweepResult,
                auth: tuple[str, str] | None = None, links: list[tuple[str, str]] = ()) -> None:
        sent = self.store.sent_tokens([token]).get(token)
        received = m.internaldate
        if c.kind in ("bounce", "delay"):
            failed = _about_what_we_sent(c, sent)
            if not failed:   # a report about an address the shopper never wrote to: never a bounce of ours
                result.observations.append(self._foreign_report(c, m, token, sent))
                return
            if c.kind == "bounce":
                for f in failed:   # one observation (and finding) per bounced address
                    result.observations.append(self._obs("mail_bounced", sent["journey"], sent["step"], {
                        **f, "kind": c.kind, "token": token, "to": sent["to_addr"], "subject": sent["subject"],
                        "received_at": received.isoformat(), "excerpt": c.excerpt[:1500]}))
            bounce = {**failed[0], "kind": c.kind, "recipients": failed}
        else:
            bounce = {}
            if auth is not None and auth[1] == "fail" and c.kind in ANSWERING + ACKNOWLEDGING:
                owner = self._owner(token)
                result.observations.append(self._obs("unauthenticated_reply", owner[0], owner[1], {
                    "kind": c.kind, "from": c.from_addr, "subject": c.subject[:300], "token": token,
                    "received_at": received.isoformat(), "authserv_id": auth[0], "dmarc": auth[1],
                    "note": "unauthenticated reply: its sender failed DMARC at the shopper's own provider"}))
                return
        orders = []
        for exp in self.store.expectations(tokens=[token]):
            if exp.kind == "silence":   # judged by the list the mail comes from, in _newsletter
                continue
            if exp.kind == "order":   # mail about a watched order (shopper/order_watch.py)
                orders.append(exp)
                self._save_change(exp, apply_arrival(exp, order_arrival(exp, c, received)), result)
                continue
            if c.kind in ANSWERING + ACKNOWLEDGING and not sender_allowed(exp, c.from_addr):
                # kept in sight: a helpdesk answering from a domain the profile does not list yet
                result.observations.append(self._obs("reply_from_other_sender", exp.journey, exp.step, {
                    "kind": c.kind, "from": c.from_addr, "subject": c.subject[:300], "token": token,
                    "received_at": received.isoformat(), "allowed": list(exp.reply_from),
                    "note": "not counted: the sender is outside the expectation's sender rule"}))
            after = apply_arrival(exp, Arrival(c.kind, c.from_addr, received, bounce, summary=_notice(c, m),
                                               closes=c.helpdesk_state == "resolved"))
            self._save_change(exp, after, result)
        if orders and c.kind != "bounce":
            result.observations += order_mail_observations(orders, c, m, list(links), self.links, self._obs)

    def _foreign_report(self, c: Classification, m: Any, token: str, sent: dict | None) -> Observation:
        owner = self._owner(token)
        return self._obs("mail_report_foreign", owner[0], owner[1], {
            "kind": c.kind, "from": c.from_addr, "subject": c.subject[:300], "token": token,
            "received_at": m.internaldate.isoformat(), "written_to": sorted(addresses_written_to(
                sent["to_addr"])) if sent else [], "recipients": [d.recipient for d in c.deliveries][:20],
            "note": "report for an address we did not write to"})

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


@contextmanager
def configured_sweeper(config: Any, store: MailStore, settings: ImapSettings, clock: Clock, redactor: Any,
                       environ: Mapping[str, str]) -> Iterator[Sweeper]:
    """The configured mailbox's Sweeper with the LinkChecker that follows the tracking and status links in watched
    orders' mail (closed after): `sweep`, `sweep --watch`, the schedule and the worker all sweep with one of these."""
    probes = Probes.from_config(config, redactor, environ)
    try:
        yield Sweeper(store, settings, clock, links=probes.links)
    finally:
        probes.close()


def _store_failure(err: BaseException) -> bool:
    """The store itself failing (locked, gone, unreachable) while a message was read: not the message's fault."""
    name, module = type(err).__name__, type(err).__module__.split(".")[0]
    return isinstance(err, StoreError) or (module in ("sqlite3", "psycopg") and name in (
        "OperationalError", "InterfaceError", "DatabaseError"))


def _notice(c: Classification, m: Any) -> dict[str, Any]:
    """Evidence of a helpdesk's status mail: what it said, who sent it, when."""
    if c.kind != "helpdesk_status":
        return {}
    return {"subject": c.subject[:300], "from": c.from_addr, "state": c.helpdesk_state, "folder": m.folder,
            "uid": m.uid, "excerpt": c.excerpt[:600]}


def _key(m: Any) -> str:
    """The message's key; a message whose headers even the key cannot read is keyed by its bytes."""
    try:
        return message_key(m.raw)
    except Exception as err:  # noqa: BLE001 - hostile headers must not stop the sweep
        log.warning("UID %s in %s: no key from its headers (%s); keyed by its bytes", m.uid, m.folder,
                    type(err).__name__)
        return "raw-" + hashlib.sha256(bytes(m.raw)).hexdigest()[:28]


def _delivery_info(d: Any) -> dict[str, Any]:
    return {"recipient": d.recipient, "reason": d.reason, "status": d.status, "reply_code": d.reply_code,
            "hard": d.hard, "action": d.action, "diagnostic": d.diagnostic, "reporting_mta": d.reporting_mta,
            "remote_mta": d.remote_mta}


def _failed(c: Classification) -> list[dict[str, Any]]:
    """Every recipient the bounce reports as not delivered, in its order."""
    return [_delivery_info(d) for d in c.deliveries if d.reason != "delivered"]


def _about_what_we_sent(c: Classification, sent: dict[str, Any] | None) -> list[dict[str, Any]]:
    """The failed recipients of a delivery report that the shopper wrote to (a report that names none takes
    the To of the original it quotes). Empty: the report is about someone else's mail."""
    if not sent:
        return []
    written = addresses_written_to(sent["to_addr"])
    failed = _failed(c)
    ours = [f for f in failed if (f["recipient"] or "").lower() in written]
    if not ours and failed and not any(f["recipient"] for f in failed) and (c.original_to or "").lower() in written:
        ours = [dict(f, recipient=c.original_to) for f in failed]
    return ours


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
