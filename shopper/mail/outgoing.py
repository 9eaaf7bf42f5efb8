"""Composing what the shopper sends: a plain customer message carrying a token that replies and bounces echo back.

The token (`ms-` + 12 base32 characters) appears three times, because replies keep different
parts: in the Message-ID (In-Reply-To/References of replies, the original in bounces), at the end
of the Subject ("Re: ... [ms-...]") and in a "Reference:" line at the end of the body (quoted text).
"""
from __future__ import annotations

import re
import secrets
from datetime import datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import default as default_policy
from email.utils import format_datetime
from random import Random
from typing import Mapping, Sequence

TOKEN_ALPHABET = "abcdefghijklmnopqrstuvwxyz234567"  # RFC 4648 base32, lowercase
TOKEN_LENGTH = 12
TOKEN_RE = re.compile(r"(?<![a-z0-9])ms-[a-z2-7]{12}(?![a-z0-9])")  # same as shopper/mail/tokens.py TOKEN

# Headers compose() owns; extra_headers may not set them (Auto-Submitted: a customer writes this).
_OWN_HEADERS = frozenset(
    h.lower() for h in ("From", "To", "Subject", "Date", "Message-ID", "Reply-To", "MIME-Version",
                        "Content-Type", "Content-Transfer-Encoding", "Auto-Submitted")
)


def new_token(rng: Random | None = None) -> str:
    """A fresh token, e.g. 'ms-k3v7q2mxa4tz': from `secrets`, or from `rng` for repeatable tests."""
    choice = rng.choice if rng is not None else secrets.choice
    return "ms-" + "".join(choice(TOKEN_ALPHABET) for _ in range(TOKEN_LENGTH))


def slug(text: str) -> str:
    """'Contact support (FR)' -> 'contact-support-fr'; a Message-ID- and address-safe word."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def compose(
    *,
    from_addr: str,
    from_name: str,
    to: str | Sequence[str],
    subject: str,
    body: str,
    token: str,
    journey: str,
    domain: str | None = None,
    now: datetime,
    reply_to: str | None = None,
    extra_headers: Mapping[str, str] | None = None,
) -> EmailMessage:
    """A plain-text utf-8 message from the shopper, marked with `token`.

    Message-ID: <{token}.{journey slug}@{domain or the domain of from_addr}>
    Subject:    "{subject} [{token}]"
    Body:       `body`, a blank line, "Reference: {token}"
    """
    if not TOKEN_RE.fullmatch(token):
        raise ValueError(f"{token!r} is not a shopper token (expected ms- and 12 of a-z, 2-7)")
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("compose() needs a timezone-aware `now` (take it from the clock)")
    journey_slug = slug(journey)
    if not journey_slug:
        raise ValueError(f"journey name {journey!r} has no letters or digits to put in a Message-ID")
    local, sep, from_domain = from_addr.rpartition("@")
    if not sep or not local or not from_domain:
        raise ValueError(f"from_addr {from_addr!r} is not an address (expected local@domain)")
    for name in extra_headers or {}:
        if name.lower() in _OWN_HEADERS:
            raise ValueError(f"extra_headers may not set {name}: compose() sets it")

    msg = EmailMessage(policy=default_policy)
    msg["From"] = Address(display_name=from_name, addr_spec=from_addr)
    msg["To"] = [to] if isinstance(to, str) else list(to)
    if reply_to:
        msg["Reply-To"] = reply_to
    msg["Subject"] = f"{subject} [{token}]"
    msg["Date"] = format_datetime(now)
    msg["Message-ID"] = f"<{token}.{journey_slug}@{_ascii_domain(domain or from_domain)}>"
    for name, value in (extra_headers or {}).items():
        msg[name] = value
    text = f"{body.rstrip()}\n\nReference: {token}\n"
    # quoted-printable rather than the library's base64 pick: the text (and token) stay readable in the raw message
    msg.set_content(text, charset="utf-8", cte=None if text.isascii() else "quoted-printable")
    return msg


def plus_address(addr: str, tag: str) -> str:
    """'shopper@x.test', 'Contact FR' -> 'shopper+contact-fr@x.test'; an existing +tag is replaced."""
    local, sep, domain = addr.rpartition("@")
    if not sep or not local or not domain:
        raise ValueError(f"{addr!r} is not an address (expected local@domain)")
    tag_slug = slug(tag)
    if not tag_slug:
        raise ValueError(f"tag {tag!r} has no letters or digits to put in an address")
    return f"{local.split('+', 1)[0]}+{tag_slug}@{domain}"


def _ascii_domain(domain: str) -> str:
    domain = domain.strip().rstrip(".").lower()
    return domain if domain.isascii() else domain.encode("idna").decode("ascii")
