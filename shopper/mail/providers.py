"""Reasons that big mailbox providers mean by their own error codes and wordings (by remote host or domain)."""
# Knowledge re-expressed from Sisimai's Rhost tables (https://libsisimai.org, BSD-2-Clause, (c) azumakuniyuki).
from __future__ import annotations

from typing import Callable

from shopper.mail.patterns import LazyPattern, lazy

# Each provider: host-name suffixes (remote MTA or recipient domain) -> a function of
# (lowercased diagnostic, status, SMTP command) that returns a reason or ''.
_FRANCE_PTT = {
    "102": "blocked", "103": "blocked", "104": "toomanyconn", "105": "", "108": "", "109": "", "201": "",
    "305": "securityerror", "401": "blocked", "402": "securityerror", "403": "rejected", "405": "rejected",
    "415": "rejected", "416": "userunknown", "417": "mailboxfull", "418": "userunknown", "420": "suspend",
    "421": "rejected", "423": "", "424": "", "426": "suspend", "505": "systemerror", "506": "spamdetected",
    "510": "blocked", "513": "", "514": "mesgtoobig", "630": "policyviolation", "999": "blocked",
}
_FRANCE_PTT_CODE = lazy(r"\b(?:lpn|ofr|ouk)(?:_|\d{3}[-_])(\d{3})\b")
_GODADDY_CODES = {
    "ib401": "securityerror", "ib501": "notcompliantrfc", "ib502": "notcompliantrfc", "ib506": "rejected",
    "ib508": "authfailure", "ib108": "requireptr", "ib212": "spamdetected", "ib705": "virusdetected",
    "ib605": "toomanyconn", "ib007": "toomanyconn", "ib101": "speeding", "ib110": "blocked",
    "ib111": "blocked", "ib112": "blocked", "ib113": "blocked", "ib504": "speeding", "ib510": "speeding",
    "ib607": "speeding", "ib103": "badreputation", "ib104": "blocked", "ib105": "blocked", "ib106": "blocked",
}
_GODADDY_CODE = lazy(r"\s(ib\d{3})\b")
_GODADDY_TEXT = (("rbl reject", "blocked"), ("www.spamhaus.org/query/bl?ip=", "blocked"),
                 ("has been in the queue too long", "expired"), ("delivery timeout", "expired"),
                 ("account storage limit", "mailboxfull"), ("account disabled", "suspend"),
                 ("message rejected for spam or virus content", "spamdetected"),
                 ("message is looping", "systemerror"), ("recipient not found", "userunknown"),
                 ("account does not exist", "userunknown"))
_YAHOO_TEXT = (("yahoo requires all senders to authenticate with either spf or dkim", "authfailure"),
               (" because the ip is in spamhaus's list;", "blocked"),
               ("not accepted from ip addresses on spamhaus xbl", "blocked"),
               ("relaying denied for ", "norelaying"), ("headers are not rfc compliant", "notcompliantrfc"),
               ("not accepted for policy reasons", "policyviolation"),
               ("temporarily deferred due to unexpected volume or user complaints", "rejected"),
               ("due to unresolvable rfc.5321 domain", "rejected"), (" will be permanently deferred", "rejected"),
               ("user is receiving mail too quickly", "speeding"), (" is no longer valid.", "suspend"),
               ("this mailbox is disabled", "suspend"),
               ("syntax error in parameters or arguments", "syntaxerror"),
               ("max message per connection reached", "toomanyconn"),
               ("dd this user doesn't have a ", "userunknown"), ("mailbox not found", "userunknown"))
_COX_CODES = {"cxbl": "blocked", "cxdns": "requireptr", "cxsndr": "authfailure", "cxsmtp": "rejected",
              "cxcnct": "toomanyconn", "cxmxrt": "toomanyconn", "cdrbl": "blocked", "cxthrt": "securityerror",
              "cxmj": "securityerror"}
_COX_CODE = lazy(r"aup#([0-9a-z]+)")
_COX_TEXT = (("cox too many bad commands from", "blocked"), ("too many invalid recipients", "blocked"),
             ("dns check failure - try again later", "requireptr"), ("rejected - no rdns", "requireptr"),
             ("esmtp no data before greeting", "policyviolation"),
             ("attachment extension is forbidden", "policyviolation"), ("sender rejected", "rejected"),
             ("esmtp server temporarily not available", "systemerror"), ("too many sessions from", "toomanyconn"),
             ("message threshold exceeded", "toomanyconn"), ("recipient rejected", "userunknown"))
# Spectrum: AUP#I-nnnn / AUP#O-nnnn code ranges.
_SPECTRUM_RANGES = ((1000, 1000, "blocked"), (1010, 1010, "rejected"), (1020, 1080, "rejected"),
                    (1090, 1090, "systemerror"), (1100, 1150, "requireptr"), (1160, 1190, "policyviolation"),
                    (1200, 1250, "blocked"), (1260, 1260, "networkerror"), (1300, 1340, "toomanyconn"),
                    (1350, 1490, "speeding"), (1500, 1520, "rejected"), (1530, 1530, "mesgtoobig"),
                    (1540, 1550, "speeding"), (1560, 1560, "policyviolation"), (1580, 1580, "speeding"))
_SPECTRUM_CODE = lazy(r"aup#[a-z-]*(\d{4})")
_MIMECAST_TEXT = (("spf sender invalid - envelope rejected", "authfailure"),
                  ("dkim sender invalid - envelope rejected", "authfailure"),
                  ("dmarc sender invalid - envelope rejected", "authfailure"),
                  ("internal resources are temporarily unavailable", "badreputation"),
                  ("local ct ip reputation - (reject)", "badreputation"), ("sender address blocked", "blocked"),
                  ("ip temporarily blacklisted", "blocked"), ("maximum email size exceeded", "mesgtoobig"),
                  ("mail loop detected", "networkerror"), ("open relay not allowed", "norelaying"),
                  ("account inbounds disabled", "notaccept"),
                  ("anti-spoofing policy - inbound not allowed", "policyviolation"),
                  ("rejected by header-based anti-spoofing policy", "policyviolation"),
                  ("message bounced due to content examination policy", "policyviolation"),
                  ("host network not allowed", "policyviolation"),
                  ("administrative prohibition envelope blocked", "rejected"),
                  ("incorrect authentication data", "securityerror"),
                  ("this route requires encryption (tls)", "securityerror"),
                  ("unable to process connection at this time", "systemerror"),
                  ("account service is temporarily unavailable", "toomanyconn"),
                  ("exceeding outbound thread limit", "toomanyconn"), ("invalid recipient", "userunknown"),
                  ("email rejected due to security policies", "virusdetected"))


# Microsoft (Exchange Online, Outlook.com): its own enhanced status codes.
MICROSOFT_STATUS = {"5.1.10": "userunknown", "5.1.351": "userunknown", "5.4.312": "networkerror",
                    "5.4.316": "expired", "4.4.316": "expired", "5.7.509": "authfailure", "4.7.650": "badreputation"}


def microsoft_status_reason(status: str) -> str:
    """Reason of a Microsoft-specific status code ('5.7.606'..'5.7.649' are its IP block lists)."""
    if status.startswith("5.7.6") and len(status) == 7 and "606" <= status[4:] <= "649":
        return "blocked"
    return MICROSOFT_STATUS.get(status, "")


def _first(text: str, table: tuple[tuple[str, str], ...]) -> str:
    for phrase, reason in table:
        if phrase in text:
            return reason
    return ""


def _france_ptt(text: str, status: str, command: str) -> str:
    m = _FRANCE_PTT_CODE.search(text)
    if not m:
        return ""
    return _FRANCE_PTT.get(m.group(1), "") or "undefined"


def _kddi(text: str, status: str, command: str) -> str:
    # au/ezweb answer '550 : User unknown' to mail its users' filters refuse, '550 <addr>: User unknown' otherwise.
    if "550 : user unknown" in text:
        return "filtered"
    if ">: user unknown" in text:
        return "userunknown"
    return ""


def _docomo(text: str, status: str, command: str) -> str:
    if status in ("5.1.1", "5.0.911"):
        return "userunknown"
    if status == "5.2.0":
        return "filtered"
    for phrase, reason in (("552 too much mail data", "mailboxfull"), ("552 too many recipients", "toomanyconn"),
                           ("503 bad sequence of commands", "syntaxerror"),
                           ("504 command parameter not implemented", "syntaxerror")):
        if phrase in text:
            return reason
    if status == "5.0.0":
        return {"RCPT": "userunknown", "DATA": "rejected"}.get(command, "")
    return ""


def _godaddy(text: str, status: str, command: str) -> str:
    m = _GODADDY_CODE.search(text)
    return (_GODADDY_CODES.get(m.group(1), "") if m else "") or _first(text, _GODADDY_TEXT)


def _cox(text: str, status: str, command: str) -> str:
    m = _COX_CODE.search(text)
    found = _COX_CODES.get(m.group(1), "") if m else ""
    if not found and m and m.group(1).startswith("ipbl"):
        found = "blocked"
    if not found and m and m.group(1).startswith("urlbl"):
        found = "spamdetected"
    return found or _first(text, _COX_TEXT)


def _spectrum(text: str, status: str, command: str) -> str:
    m = _SPECTRUM_CODE.search(text)
    if not m:
        return ""
    code = int(m.group(1))
    return next((reason for low, high, reason in _SPECTRUM_RANGES if low <= code <= high), "")


def _microsoft(text: str, status: str, command: str) -> str:
    return microsoft_status_reason(status)


PROVIDERS: tuple[tuple[LazyPattern, Callable[[str, str, str], str]], ...] = (
    (lazy(r"(?:^|\.)(?:laposte\.net|orange\.fr|wanadoo\.fr)$"), _france_ptt),
    (lazy(r"(?:^|\.)(?:ezweb\.ne\.jp|au\.com)$"), _kddi),
    (lazy(r"(?:^|\.)docomo\.ne\.jp$"), _docomo),
    (lazy(r"(?:^|\.)secureserver\.net$"), _godaddy),
    (lazy(r"(?:^|\.)yahoodns\.net$"),
     lambda text, status, command: _first(text, _YAHOO_TEXT)),
    (lazy(r"(?:^|\.)cox\.(?:net|com)$"), _cox),
    (lazy(r"(?:^|\.)charter\.net$"), _spectrum),
    (lazy(r"(?:^|\.)(?:outlook\.com|hotmail\.com)$"), _microsoft),
    (lazy(r"(?:^|\.)mimecast\.com$"), lambda text, status, command: _first(text, _MIMECAST_TEXT)),
)


def provider_reason(hosts: tuple[str, ...], diagnostic: str, status: str, command: str) -> str:
    """The reason the provider behind the first matching host means, '' when no table decides."""
    text = " ".join(diagnostic.lower().split())
    for host in hosts:
        host = host.lower().strip().rstrip(".")
        if not host:
            continue
        for pattern, find in PROVIDERS:
            if pattern.search(host):
                found = find(text, status, command)
                if found:
                    return found
    return ""
