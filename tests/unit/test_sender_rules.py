"""Only mail about what the shopper sent counts: reports about other addresses, forged answers, form senders."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from checks import Observations, run_checks
from shopper.clock import ManualClock
from shopper.expectations import Expectation
from shopper.mail.parse import parse_message
from shopper.mail.senders import dmarc_verdict, registrable_domain, site_mail_domains
from shopper.probes.imap import FetchedMessage, FolderBatch, FolderState, ImapSettings
from shopper.store import open_store
from shopper.sweep import SweepResult, Sweeper

T0 = datetime(2026, 1, 5, 9, 0, tzinfo=timezone.utc)
TOKEN = "ms-abcdefghijk2"
SENT_ID = f"<{TOKEN}.contact@shopper.test>"


@pytest.fixture
def store(tmp_path):
    s = open_store(str(tmp_path / "store.db"))
    s.record_sent("run-1", "contact_support", 1, TOKEN, SENT_ID, f"alex+{TOKEN}@shopper.test",
                  "support@kettle-shop.test", f"Where is my kettle? [{TOKEN}]", T0.isoformat(), True, {})
    s.add_expectation(Expectation(token=TOKEN, journey="contact_support", channel="email",
                                  target="support@kettle-shop.test", created_at=T0, run_id="run-1", step=2,
                                  answer_deadline=T0 + timedelta(days=2), reply_from=("kettle-shop.test",)))
    yield s
    s.close()


def eml(text: str) -> bytes:
    return text.strip().replace("\n", "\r\n").encode() + b"\r\n"


def sweep(store, raw: bytes, settings: ImapSettings | None = None) -> SweepResult:
    result = SweepResult("sweep-1", ok=True)
    m = FetchedMessage("INBOX", 1, 7, len(raw), T0 + timedelta(hours=1), raw, False)
    Sweeper(store, settings, ManualClock(T0 + timedelta(hours=1))).ingest(
        FolderBatch("INBOX", (m,), FolderState("INBOX", 7, 1), False), result)
    return result


def report_about(recipient: str, sender: str = "MAILER-DAEMON@mx.shopper.test") -> bytes:
    return eml(f"""
From: {sender}
To: alex+{TOKEN}@shopper.test
Subject: Undelivered Mail Returned to Sender
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="B"

--B
Content-Type: text/plain

Your message could not be delivered to {recipient}.

--B
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.evil.test

Final-Recipient: rfc822; {recipient}
Action: failed
Status: 5.1.1
Diagnostic-Code: smtp; 550 5.1.1 User unknown

--B
Content-Type: text/rfc822-headers

Message-ID: {SENT_ID}
To: {recipient}
Subject: Where is my kettle? [{TOKEN}]
--B--
""")


def test_a_report_about_an_address_we_never_wrote_to_is_an_observation_not_a_bounce(store) -> None:
    result = sweep(store, report_about("ceo@bank.test", sender="stranger@evil.test"))
    [e] = store.expectations()
    assert e.state == "open" and e.bounce is None
    kinds = [o.kind for o in result.observations]
    assert "mail_bounced" not in kinds and "mail_report_foreign" in kinds
    foreign = next(o for o in result.observations if o.kind == "mail_report_foreign")
    assert foreign.data["note"] == "report for an address we did not write to"
    assert foreign.data["recipients"] == ["ceo@bank.test"] and foreign.data["written_to"] == ["support@kettle-shop.test"]
    assert [f.kind for f in run_checks(Observations(result.journeys))] == []


def test_a_report_about_the_address_we_wrote_to_still_bounces(store) -> None:
    result = sweep(store, report_about("Support@Kettle-Shop.test"))
    [e] = store.expectations()
    assert e.state == "bounced"
    assert [f.kind for f in run_checks(Observations(result.journeys))] == ["bounced_mailbox"]


def reply(auth: str, sender: str = "ann@kettle-shop.test") -> bytes:
    return eml(f"""
{auth}
From: Ann <{sender}>
To: alex+{TOKEN}@shopper.test
Subject: Re: Where is my kettle? [{TOKEN}]
In-Reply-To: {SENT_ID}
Message-ID: <r1@kettle-shop.test>

Your kettle left our warehouse this morning by express; it will be with you tomorrow.
""")


SETTINGS = ImapSettings(host="imap.shopper.test", port=993, trusted_authserv_ids=("mx.shopper-mail.test",))


def test_a_forged_reply_failing_dmarc_at_the_trusted_provider_meets_nothing(store) -> None:
    forged = reply("Authentication-Results: mx.shopper-mail.test; spf=fail smtp.mailfrom=evil.test;\n"
                   " dkim=none; dmarc=fail (p=reject) header.from=kettle-shop.test")
    result = sweep(store, forged, SETTINGS)
    [e] = store.expectations()
    assert e.state == "open" and e.answered_at is None
    [o] = [o for o in result.observations if o.kind == "unauthenticated_reply"]
    assert o.data["authserv_id"] == "mx.shopper-mail.test" and o.data["from"] == "ann@kettle-shop.test"


def test_only_the_trusted_servers_authentication_results_are_read(store) -> None:
    # the sender wrote its own "dmarc=pass" above; the trusted provider's header below says pass too
    raw = reply("Authentication-Results: mx.shopper-mail.test; dmarc=pass header.from=kettle-shop.test\n"
                "Authentication-Results: mx.evil.test; dmarc=fail")
    sweep(store, raw, SETTINGS)
    assert store.expectations()[0].state == "met"
    headers = parse_message(eml("Authentication-Results: mx.evil.test; dmarc=pass\nSubject: x\n\nx")).headers
    assert dmarc_verdict(headers, ("mx.shopper-mail.test",)) is None
    assert dmarc_verdict(headers, ()) is None


def test_without_a_trusted_provider_dmarc_is_not_read(store) -> None:
    sweep(store, reply("Authentication-Results: mx.shopper-mail.test; dmarc=fail"), None)
    assert store.expectations()[0].state == "met"


@pytest.mark.parametrize("base_url, hosts, domains", [
    ("https://shop.kettle.test/", (), ["kettle.test"]),
    ("https://www.kettle.co.uk", ("help.kettle-support.test", "www.kettle.co.uk"),
     ["kettle.co.uk", "help.kettle-support.test"]),
    ("http://127.0.0.1:8000", (), []),
])
def test_a_web_forms_default_sender_rule_is_the_sites_domains(base_url, hosts, domains) -> None:
    assert site_mail_domains(base_url, hosts) == domains
    assert registrable_domain("a.b.shop.example.com.au") == "example.com.au"


def _form_step(**fields):
    from types import SimpleNamespace

    from shopper.config import ExpectationDefaults
    from shopper.steps.expect_reply import ExpectReply

    recorded = []
    state = SimpleNamespace(journey_token=TOKEN, last_url="https://shop.kettle.test/contact",
                            base_url="https://shop.kettle.test", site_hosts=("shop.kettle.test", "kettle.zendesk.test"),
                            expectation_defaults=ExpectationDefaults(), last_sent=None)
    ctx = SimpleNamespace(state=state, value=lambda v: v, record=lambda kind, data: recorded.append(data))
    step = ExpectReply(form=True, **fields)
    step.run(ctx)
    return recorded[0]["reply_from"]


def test_expect_reply_on_a_form_defaults_to_the_sites_domains_and_can_be_overridden() -> None:
    assert _form_step() == ["kettle.test", "kettle.zendesk.test"]
    assert _form_step(from_domain="help.kettle.test") == ["help.kettle.test"]
    assert _form_step(from_anyone=True) == []


def test_an_answer_from_outside_the_sender_rule_is_kept_in_sight_but_meets_nothing(store) -> None:
    result = sweep(store, reply("X-Note: none", sender="ann@helpdesk-vendor.test"))
    assert store.expectations()[0].state == "open"
    [o] = [o for o in result.observations if o.kind == "reply_from_other_sender"]
    assert o.data["from"] == "ann@helpdesk-vendor.test" and o.data["allowed"] == ["kettle-shop.test"]
