"""Mail findings: broken addresses, bounced mailboxes, unanswered mail and forms, requests closed without an answer,
missing acknowledgements."""
from __future__ import annotations

from datetime import datetime
from typing import Iterator
from urllib.parse import urlsplit

from shopper.model import Finding

from . import Observations, check
from .registry import FindingKind

BROKEN_EMAIL = FindingKind("broken_email", "major", "support",
                           fix="Publish an address that exists and whose domain accepts mail (MX records).",
                           summary="A published address cannot receive mail (no such domain, no MX, refused at send time).")
BOUNCED = FindingKind("bounced_mailbox", "major", "support",
                      fix="Make the mailbox accept mail (free space, create the user) or change the published address.",
                      summary="Mail to a published address bounced.")
UNANSWERED = [
    FindingKind("unanswered_email", "major", "support", breach=True,
                fix="Assign the mailbox to a team with a response-time target and monitor its queue.",
                summary="Mail to the company got no answer by its deadline."),
    FindingKind("unanswered_form", "major", "support", breach=True,
                fix="Check where form submissions go (ticket system, mailbox) and that someone answers them.",
                summary="A web form's message got no answer by its deadline."),
    FindingKind("no_acknowledgement", "minor", "support", breach=True,
                fix="Send an automatic acknowledgement with a ticket number for every message received.",
                summary="Not even an acknowledgement came by its deadline."),
]
CLOSED_WITHOUT_ANSWER = FindingKind(
    "closed_without_answer", "major", "support",
    fix="Do not resolve or close a request before a person has answered it; check what the helpdesk's "
        "automations and agents' internal comments do to the customer's ticket.",
    summary="The helpdesk told the customer the request was resolved or closed, but nobody had answered it.")
PROBE_UNAVAILABLE = FindingKind(
    "probe_unavailable", "major", "shopper", setup=True,
    fix="Check the shopper's mailbox credentials and server; expectations wait until it can be read.",
    summary="The shopper's own mailbox could not be read (its set-up, not the company's).")

REASONS = {  # Sisimai's reason names, as a process owner reads them
    "mailboxfull": "mailbox full", "userunknown": "user unknown", "hostunknown": "no such mail domain",
    "mesgtoobig": "message too big", "filtered": "rejected by a filter", "rejected": "sender rejected",
    "suspend": "mailbox suspended", "expired": "delivery expired", "networkerror": "network error",
    "blocked": "blocked", "policyviolation": "policy violation", "spamdetected": "taken for spam",
    "systemerror": "mail system error", "systemfull": "mail system full", "norelaying": "relaying denied",
    "notaccept": "domain accepts no mail", "securityerror": "security error", "exceedlimit": "over a limit",
    "hasmoved": "address has moved", "toomanyconn": "too many connections", "undefined": "unknown reason",
    "onhold": "reason not stated",
}


def reason_text(reason: str | None) -> str:
    return REASONS.get(reason or "", reason or "unknown reason")


def _when(iso: str | None) -> str:
    return datetime.fromisoformat(iso).strftime("%Y-%m-%d %H:%M UTC") if iso else "?"


@check("broken_email", kinds=[BROKEN_EMAIL])
def broken_email(obs: Observations) -> Iterator[Finding]:
    for o in obs.of_kind("address_check"):
        d = o.data
        if not d["ok"]:
            yield Finding.of("broken_email", severity="major", journey=o.journey, step=o.step, subject=d["address"],
                             title=f"{d['address']} cannot receive mail: {d['kind']}", detail=d["problem"] or "",
                             data=dict(d), reason=d["kind"])
    for o in obs.of_kind("mail_sent"):
        d = o.data
        if d["ok"] or d.get("delivery") == "unknown":   # a lost connection is not the company's refusal
            continue
        refusal = d["refused"].get(d["to"]) or next(iter(d["refused"].values()), None)
        code, text = (refusal["code"], refusal["text"]) if refusal else (d["data_code"], d["data_text"])
        yield Finding.of("broken_email", severity="major", journey=o.journey, step=o.step, subject=d["to"],
                         title=f"{d['to']} was refused at send time: {code} {text[:120]}",
                         detail=f"The shopper's mail server refused the message to {d['to']} ({code} {text}).",
                         data=dict(d), reason=f"smtp {code}")


@check("bounced_mailbox", kinds=[BOUNCED])
def bounced_mailbox(obs: Observations) -> Iterator[Finding]:
    for o in obs.of_kind("mail_bounced"):
        d = o.data
        who = d.get("recipient") or d["to"]
        status = f" ({d['status']})" if d.get("status") else ""
        yield Finding.of("bounced_mailbox", severity="major", journey=o.journey, step=o.step, subject=who.lower(),
                         title=f"Mail to {who} bounced: {reason_text(d.get('reason'))}{status}",
                         detail=d.get("diagnostic") or "", data=dict(d), reason=d.get("reason"))


@check("unanswered", kinds=UNANSWERED)
def unanswered(obs: Observations) -> Iterator[Finding]:
    for o in obs.of_kind("expectation"):
        d = o.data
        if d.get("kind") == "order":   # the order's notices: checks/orders.py
            continue
        if "breached" in d["changes"]:
            kind = "unanswered_form" if d["channel"] == "web_form" else "unanswered_email"
            what = "The web form submitted" if d["channel"] == "web_form" else f"Mail to {d['target']}"
            ack = f"; acknowledged {_when(d['acked_at'])}" if d["acked_at"] else "; not even acknowledged"
            yield Finding.of(kind, severity="major", journey=o.journey, step=o.step, subject=_subject(d),
                             title=f"{what} got no answer by {_when(d['answer_deadline'])}",
                             detail=f"Sent {_when(d['created_at'])}, answer due {_when(d['answer_deadline'])}{ack}.",
                             data=dict(d))
        if "ack_missed" in d["changes"]:
            what = "the web form" if d["channel"] == "web_form" else d["target"]
            yield Finding.of("no_acknowledgement", severity="minor", journey=o.journey, step=o.step, subject=_subject(d),
                             title=f"No acknowledgement from {what} by {_when(d['ack_deadline'])}",
                             detail=f"Sent {_when(d['created_at'])}; acknowledgement due {_when(d['ack_deadline'])}"
                                    + (f", first reply {_when(d['acked_at'])}." if d["acked_at"] else ", none yet."),
                             data=dict(d))


def _subject(d: dict) -> str:
    """What an expectation is about, the same whichever command's sweep resolved it: the address written to, or
    the form's path on its site (a sweep of its own has no journey start to take the site's base URL from)."""
    if d["channel"] != "web_form":
        return f"{d['channel']}:{d['target']}"
    parts = urlsplit(d["target"])
    return f"web_form:~{parts.path or '/'}" + (f"?{parts.query}" if parts.query else "")


@check("closed_without_answer", kinds=[CLOSED_WITHOUT_ANSWER])
def closed_without_answer(obs: Observations) -> Iterator[Finding]:
    for o in obs.of_kind("expectation"):
        d = o.data
        if "closed_unanswered" not in d["changes"]:
            continue
        notice = (d.get("evidence") or [{}])[-1]
        what = "The web form request" if d["channel"] == "web_form" else f"Mail to {d['target']}"
        said = notice.get("subject") or "a status mail"
        yield Finding.of("closed_without_answer", severity="major", journey=o.journey, step=o.step,
                         subject=_subject(d),
                         title=f"{what} was closed without an answer ({notice.get('state') or 'resolved'})",
                         detail=f"Sent {_when(d['created_at'])}; the helpdesk wrote \"{said[:160]}\" from "
                                f"{notice.get('from') or '?'} at {_when(notice.get('received_at'))}; no person's answer "
                                f"had come.",
                         data={**d, "notification": notice, "request": {"target": d["target"], "token": d["token"],
                                                                        "channel": d["channel"],
                                                                        "sent_at": d["created_at"]},
                               "times": {"sent_at": d["created_at"], "closed_at": notice.get("received_at"),
                                         "answer_due": d["answer_deadline"]}},
                         reason="closed_unanswered")


@check("probe_unavailable", kinds=[PROBE_UNAVAILABLE])
def probe_unavailable(obs: Observations) -> Iterator[Finding]:
    for o in obs.of_kind("sweep_failed"):
        d = o.data
        yield Finding.of("probe_unavailable", severity="major", journey=o.journey, step=None, subject=d["mailbox"],
                         title=f"The shopper's mailbox could not be read; {d['open_expectations']} expectation(s) "
                               f"stay open", detail=d["error"] or "", data=dict(d))
