"""A person's answer vs machine-written mail: helpdesk receipts, shop notifications, vacation notices."""
from __future__ import annotations

import csv
from pathlib import Path

import pytest

from shopper.mail.classify import classify

FIXTURES = Path(__file__).resolve().parents[1] / "data/mail/people_vs_machines"
with open(FIXTURES / "labels.tsv", encoding="utf-8", newline="") as fh:
    LABELS = [(row["file"], row["kind"]) for row in csv.DictReader(fh, delimiter="\t")]


def test_every_fixture_is_labelled_and_both_sides_are_there() -> None:
    assert sorted(f for f, _ in LABELS) == sorted(p.name for p in FIXTURES.glob("*.eml"))
    kinds = {k for _, k in LABELS}
    assert {"reply", "acknowledgement", "transactional"} <= kinds


@pytest.mark.parametrize("name, kind", LABELS)
def test_fixture_is_classified_as_labelled(name: str, kind: str) -> None:
    assert classify((FIXTURES / name).read_bytes()).kind == kind


def eml(headers: str, body: str) -> bytes:
    return (headers.strip() + "\n\n" + body.strip() + "\n").replace("\n", "\r\n").encode()


BASE = "From: Support <support@shop.test>\nTo: alex@shopper.test\nMessage-ID: <x1@shop.test>\n"


@pytest.mark.parametrize("subject, body", [
    ("Ihre Anfrage", "Guten Tag,\n\nwir haben Ihre Anfrage erhalten und melden uns so bald wie möglich bei Ihnen."),
    ("Votre demande", "Bonjour,\n\nnous avons bien reçu votre message. Nous reviendrons vers vous sous 48 heures."),
    ("Su consulta", "Hola,\n\nhemos recibido su solicitud. Nos pondremos en contacto con usted pronto."),
    ("La tua richiesta", "Ciao,\n\nabbiamo ricevuto la tua richiesta, ti risponderemo entro 24 ore."),
    ("Uw vraag", "Beste klant,\n\nwe hebben uw bericht in goede orde ontvangen. Wij nemen zo snel mogelijk contact met u op."),
    ("Your request", "Hello,\n\nwe have received your request and will get back to you within one business day."),
])
def test_receipt_wording_without_headers_is_an_acknowledgement(subject: str, body: str) -> None:
    assert classify(eml(BASE + f"Subject: {subject}", body)).kind == "acknowledgement"


@pytest.mark.parametrize("subject, body", [
    ("Abwesenheitsnotiz", "Ich bin bis zum 12. Juli nicht im Büro."),
    ("Réponse automatique", "Je suis absent du bureau jusqu'au 12 juillet."),
    ("Respuesta automática", "Estoy fuera de la oficina hasta el 12 de julio."),
    ("Risposta automatica", "Sono fuori ufficio fino al 12 luglio."),
    ("Automatisch antwoord", "Ik ben afwezig tot 12 juli."),
])
def test_out_of_office_notices_are_autoreplies(subject: str, body: str) -> None:
    assert classify(eml(BASE + f"Subject: {subject}\nAuto-Submitted: auto-replied", body)).kind == "autoreply"


@pytest.mark.parametrize("headers, body", [
    ("From: Shop <no-reply@shop.test>\nSubject: Hello", "Thanks for being with us."),
    ("From: Shop <shop@shop.test>\nSubject: Ihre Bestellung 4711 wurde versandt", "Ihr Paket ist unterwegs."),
    ("From: Shop <shop@shop.test>\nSubject: Product alert confirmation", "We will let you know when it is back."),
    ("From: Bank <service@bank.test>\nSubject: Statement", "Please do not reply to this email."),
    ("From: Shop <info@shop.test>\nSubject: News\nList-Unsubscribe: <https://shop.test/u>", "Deals!"),
    ("From: Shop <info@shop.test>\nSubject: Hello\nAuto-Submitted: auto-generated", "Your points."),
])
def test_machine_mail_is_never_a_reply(headers: str, body: str) -> None:
    assert classify(eml(headers.replace("\nSubject", "\nTo: alex@shopper.test\nSubject"), body)).kind != "reply"


def test_a_person_answering_about_an_order_is_a_reply() -> None:
    raw = eml("From: Ann <ann@shop.test>\nTo: alex@shopper.test\nSubject: Re: Where is my order?\n"
              "In-Reply-To: <ms-abcdefghijk2.x@shopper.test>",
              "Hi Alex, your order left today.\n\nOn Mon, Alex wrote:\n> Where is my order?")
    assert classify(raw).kind == "reply"
