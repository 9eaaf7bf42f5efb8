"""Accuracy floors of bounce analysis over the labelled Sisimai corpus (reason, status, recipient)."""
from __future__ import annotations

from pathlib import Path

import pytest

from shopper.mail.classify import classify
from shopper.mail.corpus import Pair, default_corpus, pair, read_labels

CORPUS = default_corpus(Path(__file__).resolve().parents[2])
FLOORS = {"reason": 0.96, "status": 0.97, "recipient": 0.99}

pytestmark = pytest.mark.skipif(not (CORPUS / "labels.tsv").exists(),
                                reason=f"bounce corpus not found at {CORPUS} (set SHOPPER_CORPUS)")


@pytest.fixture(scope="module")
def pairs() -> list[Pair]:
    labels = read_labels(CORPUS)
    return [p for name, rows in labels.items() for p in pair(rows, classify((CORPUS / name).read_bytes()))]


def _wrong(pairs: list[Pair], field: str) -> tuple[float, list[str]]:
    if field == "status":
        rows = [p for p in pairs if p.label.status]
        bad = [p for p in rows if p.status != p.label.status]
    elif field == "recipient":
        rows = [p for p in pairs if p.label.recipient]
        bad = [p for p in rows if (p.recipient or "").lower() != p.label.recipient.lower()]
    else:
        rows = pairs
        bad = [p for p in rows if p.reason != p.label.reason]
    got = {"reason": lambda p: p.reason, "status": lambda p: p.status, "recipient": lambda p: p.recipient}[field]
    want = {"reason": lambda p: p.label.reason, "status": lambda p: p.label.status,
            "recipient": lambda p: p.label.recipient}[field]
    return 1 - len(bad) / len(rows), [f"{p.label.file}: want {want(p)!r} got {got(p)!r}" for p in bad]


@pytest.mark.parametrize("field", sorted(FLOORS))
def test_accuracy_floor(pairs: list[Pair], field: str) -> None:
    accuracy, wrong = _wrong(pairs, field)
    assert accuracy >= FLOORS[field], (
        f"{field} accuracy {accuracy:.2%} < {FLOORS[field]:.0%}; first wrong rows:\n" + "\n".join(wrong[:25]))


def test_every_labelled_email_is_read(pairs: list[Pair]) -> None:
    missing = [p.label.file for p in pairs if p.reason is None]
    assert len(missing) <= len(pairs) * 0.01, f"{len(missing)} rows without a delivery: {missing[:20]}"


def test_an_mbox_file_is_every_message_in_it() -> None:
    from shopper.mail.classify import classify_file

    row = classify_file(CORPUS / "eml/rfc3464-28.eml")
    assert [(r["recipient"], r["reason"]) for r in row["recipients"]] == [
        ("kijitora@neko.example.jp", "delivered"), ("info@neko.example.jp", "delivered")]


def test_a_sendmail_transcript_belongs_to_the_address_after_it() -> None:
    result = classify((CORPUS / "eml/lhost-v5sendmail-07.eml").read_bytes())
    assert [(d.recipient, d.reason) for d in result.deliveries] == [
        ("kijitora@example.org", "blocked"), ("mikeneko@example.org", "hostunknown"),
        ("hachiware@example.edu", "userunknown")]


@pytest.mark.parametrize("name, reason", [("lhost-facebook-03", "filtered"), ("lhost-outlook-08", "userunknown"),
                                          ("lhost-gsuite-02", "userunknown"), ("lhost-office365-01", "userunknown"),
                                          ("lhost-aol-06", "notaccept")])
def test_provider_formats_state_their_own_reasons(name: str, reason: str) -> None:
    assert classify((CORPUS / f"eml/{name}.eml").read_bytes()).reason == reason


@pytest.mark.parametrize("name", ["lhost-exim-38.eml", "lhost-gmail-06.eml", "lhost-opensmtpd-04.eml",
                                  "lhost-opensmtpd-06.eml", "rfc3464-34.eml"])
def test_real_delay_warnings_of_the_corpus_are_delays(name: str) -> None:
    """Exim's "Warning: message ... delayed", Gmail's "(Delay)", OpenSMTPD's warning, DSNs with Action: delayed."""
    from shopper.mail.classify import classify

    c = classify((CORPUS / "eml" / name).read_bytes())
    assert c.kind == "delay" and {d.action for d in c.deliveries} == {"delayed"}
