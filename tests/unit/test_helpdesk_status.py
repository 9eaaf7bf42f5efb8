"""Helpdesk status mail (resolved, closed, status changed, on hold, merged, assigned, escalated, reopened, survey) is
not a person's answer; an agent's answer, also inside a notification, is. Twelve helpdesks, six languages."""
from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path

import pytest

from shopper.mail.classify import classify

FIXTURES = Path(__file__).resolve().parents[1] / "data/mail/helpdesk_status"
with open(FIXTURES / "labels.tsv", encoding="utf-8", newline="") as fh:
    ROWS = list(csv.DictReader(fh, delimiter="\t"))
HELPDESKS = {"rt", "zendesk", "freshdesk", "osticket", "zammad", "freescout", "znuny", "helpscout", "jira", "hubspot",
             "gorgias", "kayako"}


def test_the_labels_cover_every_file_twelve_helpdesks_and_six_languages() -> None:
    assert sorted(r["file"] for r in ROWS) == sorted(p.name for p in FIXTURES.glob("*.eml"))
    assert {r["helpdesk"] for r in ROWS} == HELPDESKS
    assert {r["language"] for r in ROWS} == {"en", "de", "fr", "es", "it", "nl"}
    assert all(r["source"] for r in ROWS)


@pytest.mark.parametrize("row", ROWS, ids=[r["file"] for r in ROWS])
def test_helpdesk_mail_is_classified_as_labelled(row: dict) -> None:
    assert classify((FIXTURES / row["file"]).read_bytes()).kind == row["kind"]


def test_per_kind_figures_and_no_status_mail_is_ever_a_reply(capsys) -> None:
    confusion: Counter = Counter()
    for row in ROWS:
        confusion[(row["kind"], classify((FIXTURES / row["file"]).read_bytes()).kind)] += 1
    with capsys.disabled():
        for kind in sorted({k for k, _ in confusion}):
            total = sum(n for (k, _), n in confusion.items() if k == kind)
            print(f"\n  helpdesk mail {kind:16} {confusion[(kind, kind)]}/{total} as labelled", end="")
    assert confusion[("helpdesk_status", "reply")] == 0
    assert confusion[("acknowledgement", "reply")] == 0


def test_a_closing_notice_says_it_closes_and_a_status_change_to_resolved_is_one() -> None:
    states = {r["file"]: classify((FIXTURES / r["file"]).read_bytes()).helpdesk_state for r in ROWS}
    assert states["rt-resolved-en.eml"] == "resolved"
    assert states["jira-resolved-fr.eml"] == "resolved"       # "Le statut ... a été modifié en : Résolu"
    assert states["jira-waiting-en.eml"] == "pending"
    assert states["rt-status-stalled-de.eml"] == "status_changed"
    assert states["zendesk-satisfaction-nl.eml"] == "survey"
    assert states["znuny-merged-en.eml"] == "merged"
    assert states["zammad-owner-en.eml"] == "assigned"
    assert states["zendesk-solved-with-answer-it.eml"] == "resolved"   # a reply, with the closing noted


def eml(headers: str, body: str) -> bytes:
    return (headers.strip() + "\n\n" + body.strip() + "\n").replace("\n", "\r\n").encode()


@pytest.mark.parametrize("body", [
    "Your request has been completed: the refund of 49.90 EUR is on its way to your card.",
    "Thanks, I checked with the warehouse and your case is closed on our side, the kettle ships tomorrow.",
])
def test_a_person_writing_the_word_resolved_from_a_mail_client_is_still_a_reply(body: str) -> None:
    raw = eml("From: Ann <ann@shop.test>\nTo: alex@shopper.test\nSubject: Re: Where is my kettle?\n"
              "In-Reply-To: <ms-abcdefghijk2.c@shopper.test>", body)
    assert classify(raw).kind == "reply"


H = ("From: Support <support@shop.test>\nTo: alex+ms-abcdefghijk2@shopper.test\n"
     "In-Reply-To: <ms-abcdefghijk2.c@shopper.test>\nMessage-ID: <n1@shop.test>\n")


@pytest.mark.parametrize("kind, state, subject, body", [
    ("helpdesk_status", "resolved", "[Ticket #48213] Where is my kettle?",
     "Hello Alex,\n\nYour ticket #48213 has been closed.\n\nIf you need further assistance, simply reply to this email."),
    ("helpdesk_status", "resolved", "Re: Where is my kettle?",
     "Hi Alex,\n\nWe've marked your request as solved. If anything is still unclear, reply and we'll reopen it."),
    ("helpdesk_status", "resolved", "Tu ticket ha sido cerrado", "Hola Alex,\n\nTu ticket #48213 ha sido cerrado.\n\nSaludos"),
    ("helpdesk_status", "resolved", "Request #48213 update",
     "Hello,\n\nThe status of your request #48213 has been changed to Closed.\n\nShop Support"),
    ("helpdesk_status", "pending", "Votre ticket #48213 est en attente",
     "Bonjour,\n\nVotre ticket #48213 a été mis en attente en attendant votre réponse."),
    ("reply", None, "Re: Where is my kettle? [#48213]",
     "Hi Alex,\n\nI checked with the warehouse: your kettle was sent today with DHL, tracking 00340434161094027318. "
     "It should arrive on Thursday.\n\nI'll close this ticket now, but reply if it does not arrive.\n\nBest,\nAnn"),
])
def test_wording_outside_the_labelled_data(kind: str, state: str | None, subject: str, body: str) -> None:
    c = classify(eml(H + f"Subject: {subject}", body))
    assert (c.kind, c.helpdesk_state) == (kind, state)
