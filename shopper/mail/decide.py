"""Decide a failed recipient's bounce reason, status and hardness from its evidence (Sisimai's order)."""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from shopper.mail import reasons
from shopper.mail.patterns import lazy
from shopper.mail.providers import provider_reason
from shopper.mail.reasons import matches, status_reason
from shopper.mail.smtpcodes import find_reply, find_status, is_temporary

_CONTINUATION = lazy(r"(?<![\w.])([45]\d\d)-(?:([45]\.\d{1,3}\.\d{1,3})\s)?")
RETRY = {"", "undefined", "onhold", "systemerror", "securityerror", "expired", "networkerror",
         "hostunknown", "userunknown"}
BEFORE_DATA = {"CONN", "EHLO", "HELO", "STARTTLS", "MAIL", "RCPT"}

# Order of the first pass (evidence from status and text together) and of the fallback pass.
FIRST_PASS = ("mailboxfull", "mesgtoobig", "exceedlimit", "suspend", "hasmoved", "norelaying",
              "authfailure", "userunknown", "filtered", "requireptr", "notcompliantrfc", "badreputation",
              "contenterror", "rejected", "hostunknown", "spamdetected", "speeding", "toomanyconn", "blocked")
FALLBACK_PASS = ("mailboxfull", "authfailure", "badreputation", "speeding", "spamdetected", "virusdetected",
                 "policyviolation", "norelaying", "systemerror", "networkerror", "suspend", "contenterror",
                 "systemfull", "notaccept", "expired", "failedstarttls", "securityerror", "mailererror")


@dataclass(frozen=True)
class Evidence:
    """What a bounce says about one recipient, before deciding."""
    status: str = ""       # enhanced status code given by the bounce (DSN Status: or text)
    diagnostic: str = ""   # error text, original case
    spec: str = ""         # Diagnostic-Code type: SMTP, X-UNIX, X-POSTFIX, ...
    command: str = ""      # SMTP command the failure answered
    action: str = ""       # failed / delayed / ...
    reply: str = ""        # SMTP reply code
    reason: str = ""       # reason already known from the bounce's format (e.g. 'expired')
    hosts: tuple[str, ...] = ()  # remote MTA and recipient domain, for provider-specific codes
    interim: str = ""      # reason the MTA's own parser settled on first; fixes the pseudo status

    def with_changes(self, **changes: Any) -> Evidence:
        """dataclasses.replace(self, **changes), without its walk over the fields' metadata (per recipient)."""
        return Evidence(**{**self.__dict__, **changes})


@dataclass(frozen=True)
class Verdict:
    reason: str
    status: str | None
    reply: str | None
    hard: bool


def _probe(name: str, ev: Evidence, text: str, coded: str) -> bool:  # noqa: C901 - one branch per reason
    if ev.reason == name:
        return True  # the bounce's own format already named it
    if name == "mailboxfull":
        return coded == "mailboxfull" or matches(name, text)
    if name == "mesgtoobig":
        if coded == "mesgtoobig":
            return True
        if coded == "exceedlimit" or ev.status == "5.2.3":
            return False
        return matches(name, text)
    if name == "suspend":
        return ev.reply == "525" or matches(name, text)
    if name == "norelaying":
        return ev.command not in ("CONN", "EHLO", "HELO") and matches(name, text)
    if name == "userunknown":
        if coded == "userunknown":
            return not any(matches(other, text) for other in
                           ("norelaying", "blocked", "mailboxfull", "hasmoved", "rejected", "notaccept"))
        if ev.command == "RCPT":
            return matches(name, text)
        return False
    if name == "filtered":
        if coded == "filtered":
            return matches("userunknown", text) or matches("filtered", text)
        if ev.command in BEFORE_DATA:
            return False
        return matches("filtered", text) or matches("userunknown", text)
    if name == "contenterror":
        if _probe("spamdetected", ev, text, coded):
            return False
        return coded == "contenterror" or matches(name, text)
    if name == "rejected":
        if coded == "rejected":
            return True
        if ev.command == "MAIL" or (ev.command == "DATA" and coded != "userunknown"):
            return matches(name, text)
        if coded in ("", "undefined", "onhold", "securityerror", "systemerror"):
            return matches(name, text)
        return False
    if name == "hostunknown":
        if coded == "hostunknown":
            return not matches("networkerror", text) and not matches("notaccept", text)
        return matches(name, text)
    if name == "spamdetected":
        if not ev.status:
            return False
        if coded == "spamdetected":
            return True
        return ev.command not in BEFORE_DATA and matches(name, text)
    if name in ("exceedlimit", "authfailure", "toomanyconn", "blocked", "requireptr"):
        return coded == name or matches(name, text)
    return matches(name, text)


def _fallback(ev: Evidence, text: str, coded: str) -> str:
    if coded in RETRY or ev.spec != "SMTP":
        for name in FALLBACK_PASS:
            if matches(name, text):
                return name
        if coded:
            return coded
        prefix = ev.status[:3]
        if prefix in ("5.6", "4.6"):
            return "contenterror"
        if prefix in ("5.7", "4.7"):
            return "securityerror"
        if ev.spec.startswith("X-UNIX"):
            return "mailererror"
        if ev.reply and (400 < int(ev.reply) < 408 or 500 < int(ev.reply) < 508):
            return "syntaxerror"
        if ev.action in ("delayed", "expired"):
            return "expired"
        if ev.command in ("EHLO", "HELO"):
            return "blocked"
    return coded


def decide_reason(ev: Evidence) -> str:
    """Sisimai-style reason for one recipient."""
    if ev.reason and ev.reason not in RETRY:
        return ev.reason
    if ev.status.startswith("2."):
        return "delivered"
    provider = provider_reason(ev.hosts, ev.diagnostic, ev.status, ev.command) if ev.hosts else ""
    if provider:
        return provider
    text = " ".join(ev.diagnostic.lower().split())
    coded = status_reason(ev.status)
    found = ""
    if not ev.spec.startswith("X-UNIX"):
        for name in FIRST_PASS:
            if _probe(name, ev, text, coded):
                found = name
                break
    if found:
        return found
    found = ev.reason if ev.reason not in ("", "undefined", "onhold") else _fallback(ev, text, coded)
    if found and found != "undefined":
        return found
    if ev.action == "delayed":
        return "expired"
    if matches("vacation", text):
        return "vacation"
    return "onhold" if text else "undefined"


def _unfold_replies(text: str) -> str:
    """'550-5.7.1 a 550-5.7.1 b 550 5.7.1 c' -> '550-5.7.1 a b c': a multi-line reply reads as one."""
    m = _CONTINUATION.search(text)
    if not m:
        return text
    code, status = m.group(1), m.group(2) or ""
    again = lazy(r"(?<=\s)" + code + r"[- ]" + (re.escape(status) + r"(?=\s)" if status else ""))
    return text[:m.end()] + again.sub(" ", text[m.end():])


def decide(ev: Evidence) -> Verdict:
    """Reason, status (pseudo code when the bounce names none), reply code and hardness."""
    ev = ev.with_changes(diagnostic=_unfold_replies(ev.diagnostic))
    status = ev.status
    reply = ev.reply or find_reply(ev.diagnostic)
    from_text = find_status(ev.diagnostic)
    if from_text == "4.4.7":
        from_text = ""
    generic = not status or status.endswith(".0.0") or status == "4.4.7"
    if from_text and (generic and not from_text.endswith(".0.0") or from_text[2] != "0" and from_text[-1] != "0"):
        status = from_text
    elif not status and from_text:
        status = from_text
    ev = ev.with_changes(status=status, spec=ev.spec or "SMTP", reply=reply)
    if ev.reason == "mailererror" and ev.spec == "SMTP":
        ev = ev.with_changes(spec="X-UNIX")
    reason = decide_reason(ev)
    if reason in ("feedback", "vacation"):
        return Verdict(reason, status or None, None, False)
    if not status and ev.interim:
        # Sisimai keeps the MTA parser's pseudo status: temporary by the reply code, or when there is
        # none, only for 'expired' and 'mailboxfull'.
        temporary = reply.startswith("4") if reply else ev.interim in ("expired", "mailboxfull")
        status = reasons.pseudo_status(ev.interim, temporary) or ""
    if not status:
        temporary = is_temporary(f"{reply} {ev.diagnostic}")
        status = reasons.pseudo_status(reason, temporary) or ""
    if reply and status and reply[0] != status[0]:
        reply = ""
    hard = reason in ("userunknown", "hostunknown", "hasmoved") or (
        reason == "notaccept" and not (status.startswith("4") or reply.startswith("4")))
    return Verdict(reason, status or None, reply or None, hard)
