"""Real MTA output, made by the real daemons on loopback: final failures, delay warnings, router failures, Sieve
rejects."""
from __future__ import annotations

import secrets
import smtplib
from email.message import EmailMessage

import pytest

from shopper.mail.classify import classify

pytestmark = [pytest.mark.mta, pytest.mark.smtp]
ALPHABET = "abcdefghijklmnopqrstuvwxyz234567"


def customer_mail(*to: str) -> tuple[str, str, EmailMessage]:
    """A shopper's message from a fresh plus-address (its token in the address and the Message-ID)."""
    token = "ms-" + "".join(secrets.choice(ALPHABET) for _ in range(12))
    sender = f"alex+{token}@shopper.test"
    msg = EmailMessage()
    msg["From"], msg["To"] = sender, ", ".join(to)
    msg["Subject"] = f"Where is my kettle? [{token}]"
    msg["Message-ID"] = f"<{token}.contact@shopper.test>"
    msg.set_content("Hello,\n\nmy kettle has not arrived. Could you check?\n")
    return token, sender, msg


def submit(port: int, sender: str, msg: EmailMessage, to: list[str], lmtp: bool = False) -> None:
    client = smtplib.LMTP("127.0.0.1", port, timeout=30) if lmtp else smtplib.SMTP("127.0.0.1", port, timeout=30)
    with client:
        refused = client.send_message(msg, from_addr=sender, to_addrs=to)
    assert refused == {}, refused


def test_postfix_final_failure_after_its_only_attempt_is_a_bounce_for_every_recipient(postfix) -> None:
    token, sender, msg = customer_mail("sales@dead.test", "info@dead.test")
    submit(postfix.port, sender, msg, ["sales@dead.test", "info@dead.test"])
    raw = postfix.report_for(sender)
    assert b"Action: failed" in raw and b"Status: 4.4.1" in raw and b"Connection refused" in raw   # real Postfix
    c = classify(raw)
    assert c.kind == "bounce", "a dead mail server that Postfix gave up on is not a delay"
    assert sorted((d.recipient, d.reason, d.status, d.action) for d in c.deliveries) == [
        ("info@dead.test", "expired", "4.4.1", "failed"), ("sales@dead.test", "expired", "4.4.1", "failed")]
    assert token in c.tokens


def test_postfix_delay_warning_still_being_retried_is_a_delay_not_a_bounce(postfix_retrying) -> None:
    token, sender, msg = customer_mail("sales@dead.test")
    submit(postfix_retrying.port, sender, msg, ["sales@dead.test"])
    raw = postfix_retrying.report_for(sender)
    assert b"Delayed Mail (still being retried)" in raw and b"Action: delayed" in raw   # real Postfix
    c = classify(raw)
    assert c.kind == "delay", "a slow mailbox is not a bounced one"
    assert [(d.recipient, d.action) for d in c.deliveries] == [("sales@dead.test", "delayed")]
    assert token in c.tokens


def test_exim_delay_warning_is_a_delay_not_a_bounce(exim) -> None:
    token, sender, msg = customer_mail("sales@slow.test")
    submit(exim.port, sender, msg, ["sales@slow.test"])
    raw = exim.report_for(sender)
    assert b"Warning: message" in raw and b"delayed" in raw   # real Exim
    c = classify(raw)
    assert c.kind == "delay", "a slow mailbox is not a bounced one"
    assert c.recipient == "sales@slow.test" and {d.action for d in c.deliveries} == {"delayed"}
    assert token in c.tokens


def test_exim_retry_timeout_exceeded_is_a_bounce(exim) -> None:
    token, sender, msg = customer_mail("sales@dead.test")
    submit(exim.port, sender, msg, ["sales@dead.test"])
    raw = exim.report_for(sender)
    assert b"retry timeout exceeded" in raw and b"X-Failed-Recipients: sales@dead.test" in raw
    c = classify(raw)
    assert (c.kind, c.recipient, c.reason) == ("bounce", "sales@dead.test", "expired")
    assert token in c.tokens


def test_exim_router_fail_unknown_user_is_userunknown(exim) -> None:
    token, sender, msg = customer_mail("ghost@users.test")
    submit(exim.port, sender, msg, ["ghost@users.test"])
    raw = exim.report_for(sender)
    assert b"Unknown user" in raw and b"Mail delivery failed" in raw
    c = classify(raw)
    assert (c.kind, c.recipient, c.reason, c.hard) == ("bounce", "ghost@users.test", "userunknown", True)


def test_sieve_reject_is_filtered(sieve_lmtp) -> None:
    token, sender, msg = customer_mail("kiji@company.test")
    submit(sieve_lmtp.port, sender, msg, ["kiji@company.test"], lmtp=True)
    raw = sieve_lmtp.report_for(sender)
    assert b"report-type=disposition-notification" in raw and b"MDN-sent-automatically; deleted" in raw
    c = classify(raw)
    assert (c.kind, c.recipient, c.reason, c.status) == ("bounce", "kiji@company.test", "filtered", "5.0.910")
    assert "I do not accept messages from this sender." in c.diagnostic
    assert token in c.tokens
