"""A helpdesk that says "resolved" while nobody answered: `closed_without_answer`, and the request is never met."""
from __future__ import annotations

import secrets
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from checks import Observations, run_checks
from shopper.clock import ManualClock
from shopper.expectations import Expectation
from shopper.probes.imap import FetchedMessage, FolderBatch, FolderState
from shopper.store import open_store
from shopper.sweep import SweepResult, Sweeper

DESK = Path(__file__).resolve().parents[1] / "data/mail/helpdesk_status"
T0 = datetime(2026, 1, 5, 9, 0, tzinfo=timezone.utc)
ALPHABET = "abcdefghijklmnopqrstuvwxyz234567"


@pytest.fixture
def store(tmp_path):
    s = open_store(str(tmp_path / "store.db"))
    yield s
    s.close()


def expect(store) -> str:
    token = "ms-" + "".join(secrets.choice(ALPHABET) for _ in range(12))
    store.record_sent("run-1", "contact_support", 1, token, f"<{token}.contact@shopper.test>",
                      f"alex+{token}@shopper.test", "support@kettle-shop.test", f"Where is my kettle? [{token}]",
                      T0.isoformat(), True, {})
    store.add_expectation(Expectation(token=token, journey="contact_support", channel="email",
                                      target="support@kettle-shop.test", created_at=T0, run_id="run-1", step=2,
                                      ack_deadline=T0 + timedelta(hours=1), answer_deadline=T0 + timedelta(days=2)))
    return token


def mail(name: str, token: str) -> bytes:
    return (DESK / name).read_bytes().replace(b"ms-abcdefghijk2", token.encode())


def sweep(store, when: datetime, *raws: bytes) -> tuple[SweepResult, list]:
    clock = ManualClock(when)
    result = SweepResult("sweep-" + secrets.token_hex(3), ok=True)
    messages = tuple(FetchedMessage("INBOX", 100 + i, 7, len(r), when + timedelta(seconds=i), r, False)
                     for i, r in enumerate(raws))
    sweeper = Sweeper(store, None, clock)
    if raws:
        sweeper.ingest(FolderBatch("INBOX", messages, FolderState("INBOX", 7, 100 + len(raws)), False), result)
    sweeper.judge_deadlines(result)
    return result, run_checks(Observations(result.journeys))


def state(store, token: str):
    return next(e for e in store.expectations() if e.token == token)


@pytest.mark.parametrize("notice", ["rt-resolved-en.eml", "zendesk-solved-de.eml", "freshdesk-resolved-fr.eml",
                                    "osticket-closed-en.eml", "jira-resolved-nl.eml", "hubspot-closed-en.eml"])
def test_resolved_without_any_answer_is_a_major_finding_with_its_evidence(store, notice: str) -> None:
    token = expect(store)
    result, findings = sweep(store, T0 + timedelta(hours=3), mail(notice, token))
    assert [(f.kind, f.severity) for f in findings] == [("closed_without_answer", "major")]
    f = findings[0]
    assert f.data["notification"]["subject"] and f.data["notification"]["received_at"]
    assert f.data["request"] == {"target": "support@kettle-shop.test", "token": token, "channel": "email",
                                 "sent_at": T0.isoformat()}
    assert f.data["times"]["closed_at"] == (T0 + timedelta(hours=3)).isoformat()
    assert state(store, token).state == "closed_unanswered"

    # never met: not by the deadline, not by an answer that comes later (kept as late)
    _, later = sweep(store, T0 + timedelta(days=3), mail("rt-correspondence-en.eml", token))
    e = state(store, token)
    assert e.state == "closed_unanswered" and e.answered_at is not None
    assert [f.kind for f in later] == []


def test_an_answer_before_the_resolved_mail_meets_the_request_and_nothing_is_found(store) -> None:
    token = expect(store)
    _, findings = sweep(store, T0 + timedelta(minutes=30), mail("rt-correspondence-en.eml", token),
                        mail("rt-resolved-en.eml", token))
    assert state(store, token).state == "met" and findings == []


def test_a_solved_mail_carrying_the_agents_answer_meets_the_request(store) -> None:
    token = expect(store)
    _, findings = sweep(store, T0 + timedelta(minutes=30), mail("zendesk-solved-with-answer-es.eml", token))
    assert state(store, token).state == "met" and findings == []


@pytest.mark.parametrize("notice", ["rt-status-stalled-en.eml", "zammad-owner-en.eml", "zendesk-satisfaction-it.eml",
                                    "rt-on-hold-fr.eml"])
def test_other_status_mail_acknowledges_but_neither_answers_nor_closes(store, notice: str) -> None:
    token = expect(store)
    _, findings = sweep(store, T0 + timedelta(minutes=30), mail(notice, token))
    e = state(store, token)
    assert e.state == "open" and e.acked_at is not None and e.answered_at is None and findings == []
    _, findings = sweep(store, T0 + timedelta(days=3))
    assert state(store, token).state == "breached"
    assert [f.kind for f in findings] == ["unanswered_email"]
