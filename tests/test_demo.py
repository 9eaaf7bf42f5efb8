"""The demo world end to end: every planted defect found with exactly its findings, none on the healthy twin."""
from __future__ import annotations

from collections import Counter

import pytest

from demo.shop.defects import DEFECTS

pytestmark = [pytest.mark.browser, pytest.mark.imap, pytest.mark.smtp, pytest.mark.slow]

# (journey, finding kind, reason) for each planted defect, alone.
EXPECTED = {
    "broken_link": [("browse_shop", "broken_link", None)],
    "dead_host_link": [("browse_shop", "broken_link", None)],
    "server_error": [("browse_shop", "page_error", None)],
    "js_error": [("browse_shop", "page_error", None)],
    "hostile_title": [],
    "unsubscribe_wrong_address": [("unsubscribe", "bounced_mailbox", "userunknown")],
    "webmaster_mailbox_full": [("unsubscribe", "bounced_mailbox", "mailboxfull")],
    "unsubscribe_ignored": [("unsubscribe", "unsubscribe_ignored", None)],
    "support_autoack_only": [("contact_support", "unanswered_email", None)],
    "form_black_hole": [("contact_support", "unanswered_form", None), ("contact_support", "no_acknowledgement", None)],
    "payment_inconsistent": [("retry_payment", "payment_inconsistent", None)],
    "duplicate_confirmation": [("track_order", "duplicate_confirmation", None)],
    "dead_courier": [("track_order", "tracking_broken", None)],
    "refund_never_sent": [("cancel_order", "refund_overdue", None)],
}
BROKEN = Counter(f for findings in EXPECTED.values() for f in findings)


def test_every_defect_has_its_expectation():
    assert set(EXPECTED) == set(DEFECTS)


@pytest.fixture
def demo(demo_run):
    """`demo(defects, profile)` runs the shipped journeys in a fresh demo world; returns the AuditResult. Each
    world runs once per session (tests/fixtures/demo.py): the tests that read the same run share it."""
    return lambda defects, profile="a": demo_run(defects, profile).result


def shape(result):
    return Counter((f.journey, f.kind, f.reason) for f in result.findings)


@pytest.mark.parametrize("profile", ["a", "b", "c"])
def test_broken_world_yields_exactly_the_planted_findings(demo, profile):
    result = demo(None, profile)
    assert shape(result) == BROKEN, [(f.journey, f.kind, f.title) for f in result.findings]


@pytest.mark.parametrize("profile", ["a", "b", "c"])
def test_healthy_twin_yields_none(demo, profile):
    result = demo((), profile)
    assert result.findings == [], [(f.journey, f.kind, f.title) for f in result.findings]
    assert all(j.status == "clean" for j in result.journeys)


@pytest.mark.parametrize("defect", sorted(EXPECTED))
def test_each_defect_alone_yields_only_its_findings(demo, defect):
    result = demo((defect,))
    assert shape(result) == Counter(EXPECTED[defect]), [(f.journey, f.kind, f.title) for f in result.findings]


def test_findings_carry_their_evidence(demo):
    result = demo(None)
    by = {(f.journey, f.kind, f.reason): f for f in result.findings}
    full = by[("unsubscribe", "bounced_mailbox", "mailboxfull")]
    assert full.data["status"] == "5.2.2" and "Mailbox full" in full.detail and full.data["reporting_mta"]
    unknown = by[("unsubscribe", "bounced_mailbox", "userunknown")]
    assert unknown.data["status"] == "5.1.1" and "User unknown" in unknown.detail
    ignored = by[("unsubscribe", "unsubscribe_ignored", None)]
    assert ignored.data["evidence"] and all("news #" in m["subject"] for m in ignored.data["evidence"])
    unanswered = by[("contact_support", "unanswered_email", None)]
    assert unanswered.data["answer_deadline"] and unanswered.data["acked_at"]   # acknowledged, never answered
    pay = by[("retry_payment", "payment_inconsistent", None)]
    assert set(pay.data["views"]) == {"page", "email", "status_page", "chat"}
    assert pay.data["labels"] == {"page": "failed", "email": "paid", "status_page": "paid", "chat": "paid"}
    assert "successful" in pay.data["views"]["chat"]
    courier = by[("track_order", "tracking_broken", None)]
    assert courier.subject.startswith("http://track.parcel-courier.test/") and "NXDOMAIN" in courier.title
