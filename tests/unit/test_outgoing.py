"""Composing outgoing mail: the token, the headers that carry it, the body footer, plus addresses."""
from __future__ import annotations

import random
from datetime import datetime, timedelta, timezone
from email import message_from_bytes
from email.policy import default as default_policy

import pytest

from shopper.mail.outgoing import TOKEN_RE, compose, new_token, plus_address

NOW = datetime(2026, 1, 5, 9, 0, tzinfo=timezone.utc)
TOKEN = "ms-abcdefgh2345"


def make(**overrides):
    args = dict(from_addr="shopper@buyer.test", from_name="Zoë Martin", to="support@shop.test",
                subject="Où est ma commande ?", body="Bonjour,\n\nma commande n'est pas arrivée.\n",
                token=TOKEN, journey="Contact support (FR)", now=NOW)
    args.update(overrides)
    return compose(**args)


def test_token_format():
    tokens = {new_token() for _ in range(200)}

    assert len(tokens) == 200
    for token in tokens:
        assert TOKEN_RE.fullmatch(token), token
        assert len(token) == 15


def test_token_is_repeatable_with_a_seeded_rng():
    one, two = random.Random(7), random.Random(7)

    first = [new_token(one) for _ in range(3)]

    assert first == [new_token(two) for _ in range(3)]
    assert len(set(first)) == 3


def test_token_from_a_known_seed():
    assert new_token(random.Random(42)) == "ms-hbrpoigf3cbf"


@pytest.mark.parametrize("text, found", [
    ("Re: Où est ma commande ? [ms-abcdefgh2345]", ["ms-abcdefgh2345"]),
    ("<ms-abcdefgh2345.contact@buyer.test>", ["ms-abcdefgh2345"]),
    ("ms-abcdefgh23456 is one too long", []),
    ("xms-abcdefgh2345 glued to a word", []),
    ("ms-abcdefgh2341: 1 is not base32", []),
    ("MS-ABCDEFGH2345 upper case", []),
])
def test_token_re(text, found):
    assert TOKEN_RE.findall(text) == found


def test_headers():
    msg = make(reply_to="replies@buyer.test", extra_headers={"X-Shopper-Journey": "contact"})

    assert msg["From"] == "Zoë Martin <shopper@buyer.test>"
    assert msg["To"] == "support@shop.test"
    assert msg["Reply-To"] == "replies@buyer.test"
    assert msg["Subject"] == "Où est ma commande ? [ms-abcdefgh2345]"
    assert msg["Date"] == "Mon, 05 Jan 2026 09:00:00 +0000"
    assert msg["Message-ID"] == "<ms-abcdefgh2345.contact-support-fr@buyer.test>"
    assert msg["X-Shopper-Journey"] == "contact"
    assert msg["Auto-Submitted"] is None
    assert msg.get_content_type() == "text/plain"
    assert msg.get_content_charset() == "utf-8"


def test_message_id_domain_override_and_several_recipients():
    msg = make(domain="Mail.Buyer.TEST", to=["a@shop.test", "b@shop.test"], journey="Unsubscribe")

    assert msg["Message-ID"] == "<ms-abcdefgh2345.unsubscribe@mail.buyer.test>"
    assert msg["To"] == "a@shop.test, b@shop.test"


def test_date_keeps_the_clock_offset():
    msg = make(now=datetime(2026, 1, 5, 10, 30, tzinfo=timezone(timedelta(hours=1))))

    assert msg["Date"] == "Mon, 05 Jan 2026 10:30:00 +0100"


def test_body_ends_with_the_reference_line():
    msg = make()

    assert msg.get_content() == "Bonjour,\n\nma commande n'est pas arrivée.\n\nReference: ms-abcdefgh2345\n"


def test_raw_message_round_trips_and_shows_the_token():
    raw = make().as_bytes()
    parsed = message_from_bytes(raw, policy=default_policy)

    assert b"Reference: ms-abcdefgh2345" in raw  # readable in the raw text (quoted-printable, not base64)
    assert parsed["Content-Transfer-Encoding"] == "quoted-printable"
    assert parsed["Subject"] == "Où est ma commande ? [ms-abcdefgh2345]"
    assert parsed.get_content() == "Bonjour,\n\nma commande n'est pas arrivée.\n\nReference: ms-abcdefgh2345\n"


def test_ascii_body_is_7bit():
    msg = make(body="Hello,\nwhere is my order?", subject="Order")

    assert msg["Content-Transfer-Encoding"] == "7bit"
    assert msg.get_content() == "Hello,\nwhere is my order?\n\nReference: ms-abcdefgh2345\n"


@pytest.mark.parametrize("overrides, error", [
    ({"token": "ms-short"}, "'ms-short' is not a shopper token (expected ms- and 12 of a-z, 2-7)"),
    ({"now": datetime(2026, 1, 5, 9, 0)}, "compose() needs a timezone-aware `now` (take it from the clock)"),
    ({"journey": "!!!"}, "journey name '!!!' has no letters or digits to put in a Message-ID"),
    ({"from_addr": "shopper"}, "from_addr 'shopper' is not an address (expected local@domain)"),
    ({"extra_headers": {"auto-submitted": "auto-generated"}}, "extra_headers may not set auto-submitted: compose() sets it"),
    ({"extra_headers": {"Message-ID": "<x@y>"}}, "extra_headers may not set Message-ID: compose() sets it"),
])
def test_compose_refuses_bad_input(overrides, error):
    with pytest.raises(ValueError) as info:
        make(**overrides)

    assert str(info.value) == error


@pytest.mark.parametrize("addr, tag, expected", [
    ("shopper@x.test", "contact", "shopper+contact@x.test"),
    ("shopper@x.test", "Contact FR", "shopper+contact-fr@x.test"),
    ("shopper+old@x.test", "unsubscribe", "shopper+unsubscribe@x.test"),
])
def test_plus_address(addr, tag, expected):
    assert plus_address(addr, tag) == expected


@pytest.mark.parametrize("addr, tag, error", [
    ("shopper", "contact", "'shopper' is not an address (expected local@domain)"),
    ("shopper@x.test", "+++", "tag '+++' has no letters or digits to put in an address"),
])
def test_plus_address_refuses_bad_input(addr, tag, error):
    with pytest.raises(ValueError) as info:
        plus_address(addr, tag)

    assert str(info.value) == error
