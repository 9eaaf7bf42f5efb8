"""Shared by the steps that look at the shopper's mailbox: which messages belong to this journey."""
from __future__ import annotations

from datetime import timedelta

from ..errors import SetupError
from ..inbox import MailQuery
from ..page.text import text_matcher


def journey_tokens(ctx) -> tuple[str, ...]:
    """The journey's own token (forms, subscriptions) and the tokens of every mail it sent."""
    sent = [o.data["token"] for o in ctx.state.observations if o.kind == "mail_sent"]
    return (ctx.state.journey_token, *sent)


def build_query(ctx, kind: str | None, from_domain: str | None, subject: str | None,
                contains: str | None) -> MailQuery:
    import re

    pattern = None
    if subject:
        m = text_matcher(ctx.value(subject))
        pattern = m if isinstance(m, re.Pattern) else re.compile(re.escape(m), re.I)
    started = ctx.state.started_at - timedelta(minutes=5) if ctx.state.started_at else None
    return MailQuery(tokens=journey_tokens(ctx), kind=kind, from_domain=from_domain and ctx.value(from_domain),
                     subject=pattern, contains=contains and ctx.value(contains), since=started)


def inbox(ctx):
    box = getattr(ctx.probes, "inbox", None)
    if box is None:
        raise SetupError("no mailbox configured: set imap (host, user, password in $SHOPPER_IMAP_PASSWORD) in "
                        "config.yaml so journeys can read mail")
    return box
