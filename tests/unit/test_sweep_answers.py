"""Sweep level: only a person's reply meets answer_within; receipts ack; every failed recipient is stored."""
from __future__ import annotations

import csv
import secrets
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from shopper.clock import ManualClock
from shopper.expectations import Expectation
from shopper.probes.imap import FetchedMessage, FolderBatch, FolderState
from shopper.store import open_store
from shopper.sweep import SweepResult, Sweeper

FIXTURES = Path(__file__).resolve().parents[1] / "data/mail/people_vs_machines"
with open(FIXTURES / "labels.tsv", encoding="utf-8", newline="") as fh:
    LABELS = {row["file"]: row["kind"] for row in csv.DictReader(fh, delimiter="\t")}
T0 = datetime(2026, 1, 5, 9, 0, tzinfo=timezone.utc)
ALPHABET = "abcdefghijklmnopqrstuvwxyz234567"


def new_token() -> str:
    return "ms-" + "".join(secrets.choice(ALPHABET) for _ in range(12))


@pytest.fixture
def store(tmp_path):
    s = open_store(str(tmp_path / "store.db"))
    yield s
    s.close()


def expect(store, token: str, to: str = "support@kettle-shop.test") -> None:
    store.record_sent("run-1", "contact_support", 1, token, f"<{token}.x@shopper.test>", f"alex+{token}@shopper.test",
                      to, f"Where is my kettle? [{token}]", T0.isoformat(), True, {})
    store.add_expectation(Expectation(token=token, journey="contact_support", channel="email",
                                      target="support@kettle-shop.test", created_at=T0, run_id="run-1", step=2,
                                      ack_deadline=T0 + timedelta(hours=1), answer_deadline=T0 + timedelta(days=2)))


def batch(raws: list[bytes], when: datetime) -> FolderBatch:
    messages = tuple(FetchedMessage("INBOX", uid, 7, len(raw), when, raw, False) for uid, raw in enumerate(raws, 1))
    return FolderBatch("INBOX", messages, FolderState("INBOX", 7, len(raws)), False)


def addressed(raw: bytes, token: str) -> bytes:
    """The fixture as the shopper's plus-address received it (its token in the address)."""
    return raw.replace(b"alex@shopper.test", f"alex+{token}@shopper.test".encode()).replace(
        b"staff@loopback-goods.test", f"alex+{token}@shopper.test".encode())


def test_no_transactional_or_acknowledgement_mail_resolves_an_answer(store) -> None:
    clock = ManualClock(T0 + timedelta(minutes=30))
    tokens = {name: new_token() for name in LABELS}
    for token in tokens.values():
        expect(store, token)
    sweeper = Sweeper(store, None, clock)
    result = SweepResult("sweep-1", ok=True)
    sweeper.ingest(batch([addressed((FIXTURES / n).read_bytes(), t) for n, t in tokens.items()], clock.now()), result)
    clock.advance(days=3)
    sweeper.judge_deadlines(result)

    by_token = {e.token: e for e in store.expectations()}
    for name, kind in LABELS.items():
        e = by_token[tokens[name]]
        if kind == "reply":
            assert e.state == "met" and e.answered_at is not None, name
        else:
            assert e.state == "breached" and e.answered_at is None, (name, kind, e.state)
        assert (e.acked_at is not None) == (kind in ("reply", "acknowledgement")), (name, kind)
        assert e.ack_missed == (kind == "transactional"), name
    stored = {m["matched_token"]: m["kind"] for m in store.messages()}
    assert {name: stored[t] for name, t in tokens.items()} == LABELS


def test_the_sweep_parses_each_message_once(store, monkeypatch) -> None:
    import shopper.mail.parse as parse

    calls = []
    for module in (parse, parse.email):   # our parser, and the standard library's for anyone calling it
        real = module.message_from_bytes
        monkeypatch.setattr(module, "message_from_bytes", lambda *a, real=real, **k: calls.append(1) or real(*a, **k))
    token = new_token()
    expect(store, token)
    raw = addressed((FIXTURES / "oscar-order-confirmation.eml").read_bytes(), token)
    Sweeper(store, None, ManualClock(T0)).ingest(batch([raw], T0), SweepResult("sweep-1", ok=True))
    assert len(calls) == 1
    assert store.messages()[0]["classification"]["links"], "links come from the same parse"


def test_a_bounce_naming_two_recipients_is_two_bounced_addresses(store) -> None:
    from checks import Observations, run_checks
    from tests.unit.test_classify import TOKEN, TWO_RECIPIENTS

    expect(store, TOKEN, to="sales@company.example, info@company.example")   # the report is about both
    result = SweepResult("sweep-1", ok=True)
    Sweeper(store, None, ManualClock(T0)).ingest(batch([TWO_RECIPIENTS], T0 + timedelta(minutes=1)), result)

    [message] = store.messages()
    assert [(r["position"], r["recipient"], r["reason"], r["status"], r["hard"])
            for r in store.failed_recipients(message["key"])] == [
        (0, "sales@company.example", "userunknown", "5.1.1", True),
        (1, "info@company.example", "mailboxfull", "5.2.2", False)]
    [e] = store.expectations()
    assert e.state == "bounced" and [r["recipient"] for r in e.bounce["recipients"]] == [
        "sales@company.example", "info@company.example"]
    bounced = [f for f in run_checks(Observations(result.journeys)) if f.kind == "bounced_mailbox"]
    assert sorted((f.subject, f.reason) for f in bounced) == [
        ("info@company.example", "mailboxfull"), ("sales@company.example", "userunknown")]


def test_a_failing_store_stops_the_sweep_instead_of_quarantining_every_message(store, monkeypatch) -> None:
    import sqlite3

    from shopper.errors import StoreError

    def down(*args, **kwargs):
        raise sqlite3.OperationalError("database is locked")

    token = new_token()
    expect(store, token)
    monkeypatch.setattr(store, "known_tokens", down)
    raw = addressed((FIXTURES / "rt-correspondence-agent.eml").read_bytes(), token)
    with pytest.raises((sqlite3.OperationalError, StoreError)):
        Sweeper(store, None, ManualClock(T0)).ingest(batch([raw], T0), SweepResult("sweep-1", ok=True))
    monkeypatch.undo()
    assert store.messages() == []   # nothing stored as unreadable: the next sweep reads it


def test_a_message_naming_thousands_of_tokens_is_read_with_the_first_fifty() -> None:
    from shopper.mail.classify import classify
    from shopper.mail.match import candidate_tokens

    def token(n: int) -> str:
        return "ms-" + "".join(ALPHABET[(n >> (5 * i)) % 32] for i in range(12))

    flood = " ".join(token(n) for n in range(5000))
    c = classify(f"From: x@flood.test\r\nSubject: tokens\r\n\r\n{flood}\r\n".encode())
    assert len(c.tokens) > 1000 and len(candidate_tokens(c)) == 50
