"""Reasons that a few MTAs' own bounce formats state outright (error-code tables of Exchange 2003, Domino, ...)."""
# Knowledge re-expressed from Sisimai's Lhost modules (https://libsisimai.org, BSD-2-Clause, (c) azumakuniyuki).
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable

from shopper.mail.parse import Headers
from shopper.mail.patterns import lazy
from shopper.mail.providers import microsoft_status_reason


@dataclass(frozen=True)
class Family:
    """One MTA's bounce format: how to recognise it and which of its phrases name which reason."""
    name: str
    recognise: Callable[[Headers, str, str], bool]   # (bounce headers, subject, prose)
    phrases: tuple[tuple[str, str], ...]   # (lowercased phrase in the error text, reason), first match wins
    by_status: Callable[[str], str] | None = None   # reason of the MTA's own status codes
    line_verdicts: bool = False   # its prose says 'address: error' per recipient; its DSN Status is generic
    # The reason the MTA's own bounce parser settles on first (from the error text); when the bounce names
    # no status, the pseudo status of this reason is kept even if the general rules then pick another reason.
    interim: Callable[[str], str] | None = None
    # A reason the MTA states in its bounce's headers rather than its words (au's 'X-SPASIGN: NG').
    header_reason: Callable[[Headers], str] | None = None
    # A reason read from the error text by a rule rather than a phrase table (lowercased, collapsed text).
    text_reason: Callable[[str], str] | None = None


def _header_starts(headers: Headers, name: str, *prefixes: str) -> bool:
    value = (headers.get(name) or "").strip()
    return value.startswith(prefixes)


def _exchange2003(headers: Headers, subject: str, prose: str) -> bool:
    return ("x-ms-embedded-report" in headers
            or _header_starts(headers, "x-mailer", "Internet Mail Service (",
                              "Microsoft Exchange Server Internet Mail Connector")
            or _header_starts(headers, "x-mimeole", "Produced By Microsoft Exchange")
            or any(" with Internet Mail Service (" in r for r in headers.get_all("received")))


def _exim(headers: Headers, subject: str, prose: str) -> bool:
    if re.search(r"@\S+\.mail\.ru>?", headers.get("from") or "", re.I):
        return False  # Mail.Ru runs Exim with its own wording and codes; Sisimai reads it separately.
    signs = ((headers.get("from") or "").strip().startswith("Mail Delivery System"),
             bool(re.match(r"<\w{7}-\w{6}-\w{2}@", (headers.get("message-id") or "").strip())),
             bool(_EXIM_SUBJECT.search(subject)))
    return sum(signs) >= 2


_EXIM_SUBJECT = lazy(r"Mail delivery failed|Warning: message \S+ delayed|Delivery Status Notification|"
                           r"Mail failure|Message frozen|error\(s\) in forwarding or filtering")
_EXIM_COMMAND = lazy(r"(?:SMTP error from remote (?:mail server|mailer)|LMTP error) after (?:end of )?"
                           r"([A-Za-z]{4})")
# Exim's own error strings (exim/src: route.c, transports/*.c, parser.c, deliver.c, retry.c).
_EXIM_MESSAGES = (
    ("user not found", "userunknown"),
    ("all host address lookups failed permanently", "hostunknown"),
    ("all relevant mx records point to non-existent hosts", "hostunknown"),
    ("unrouteable address", "hostunknown"),
    ("mailbox is full", "mailboxfull"), ("error: quota exceed", "mailboxfull"),
    ("an mx or srv record indicated no smtp service", "notaccept"),
    ("no host found for existing smtp connection", "notaccept"),
    ("angle-brackets nested too deep", "syntaxerror"), ('expected word or "<"', "syntaxerror"),
    ("domain missing in source-routed address", "syntaxerror"), ("malformed address:", "syntaxerror"),
    ("delivery to file forbidden", "systemerror"), ("delivery to pipe forbidden", "systemerror"),
    ("local delivery failed", "systemerror"), ("lmtp error after ", "systemerror"),
    ('too many "received" headers', "contenterror"),
)
_EXIM_DELAYED = ("retry timeout exceeded", "no action is required on your part",
                 "retry time not reached for any host after a long failure period",
                 "all hosts have been failing for a long time and were last tried", "delay reason: ",
                 "has been frozen", "was frozen on arrival by ")


def _exim_interim(text: str) -> str:
    """Exim's first verdict: HELO refused -> blocked, MAIL refused -> onhold, else its own error strings."""
    m = _EXIM_COMMAND.search(text)
    command = m.group(1).upper() if m else ""
    if command in ("HELO", "EHLO"):
        return "blocked"
    if command == "MAIL":
        return "onhold"
    low = " ".join(text.lower().split())
    for phrase, reason in _EXIM_MESSAGES:
        if phrase in low:
            return reason
    return "expired" if any(phrase in low for phrase in _EXIM_DELAYED) else ""


_EXIM_REMOTE = lazy(r"smtp error from remote|lmtp error after|host .* said:|retry timeout exceeded")
_EXIM_LOCAL_UNKNOWN = lazy(r"\b(?:unknown user|user unknown|no such user)\b")


def _exim_text_reason(text: str) -> str:
    """Exim's own verdict for an address its routers refused (`data = :fail: Unknown user` in a redirect
    router): no remote server spoke, so the words are the local system's, and they mean the user is unknown."""
    return "userunknown" if _EXIM_LOCAL_UNKNOWN.search(text) and not _EXIM_REMOTE.search(text) else ""


def _interscan(headers: Headers, subject: str, prose: str) -> bool:
    return ((headers.get("from") or "").strip().startswith('"InterScan') or "InterScan" in (
        headers.get("content-type") or "") or " InterScan " in prose)


def _verizon(headers: Headers, subject: str, prose: str) -> bool:
    sender = (headers.get("from") or "").lower()
    return (any(".vtext.com (" in r for r in headers.get_all("received"))
            and ("post_master@vtext.com" in sender or "sysadmin@" in sender and ".vzwpix.com" in sender))


def _ezweb(headers: Headers, subject: str, prose: str) -> bool:
    sender = headers.get("from") or ""
    received = headers.get_all("received")
    message_id = (headers.get("message-id") or "").strip()
    signs = ("Postmaster@ezweb.ne.jp" in sender, "Postmaster@au.com" in sender,
             subject.strip() == "Mail System Error - Returned Mail",
             any("ezweb.ne.jp (EZweb Mail) with" in r for r in received), any(".au.com (" in r for r in received),
             message_id.endswith((".ezweb.ne.jp>", ".au.com>")))
    return sum(signs) >= 2


def _ezweb_header_reason(headers: Headers) -> str:
    # au's spam filter marks the mail it refuses with 'X-SPASIGN: NG'.
    return "filtered" if (headers.get("x-spasign") or "").strip() == "NG" else ""


def _fml(headers: Headers, subject: str, prose: str) -> bool:
    return ("x-mlserver" in headers and "-admin@" in (headers.get("from") or "")
            and ".FML" in (headers.get("message-id") or ""))


def _messagelabs(headers: Headers, subject: str, prose: str) -> bool:
    return ("x-msg-ref" in headers and "MAILER-DAEMON@messagelabs.com" in (headers.get("from") or "")
            and subject.startswith("Mail Delivery Failure"))


def _outlook(headers: Headers, subject: str, prose: str) -> bool:
    signs = ("Delivery Status Notification" in subject, "x-message-delivery" in headers, "x-message-info" in headers,
             any(".hotmail.com" in r for r in headers.get_all("received")))
    return sum(signs) >= 2


def _gsuite(headers: Headers, subject: str, prose: str) -> bool:
    return ("<mailer-daemon@googlemail.com>" in (headers.get("from") or "")
            and "Delivery Status Notification" in subject and "x-gm-message-state" in headers)


def _facebook(headers: Headers, subject: str, prose: str) -> bool:
    return ((headers.get("from") or "").strip() == "Facebook <mailer-daemon@mx.facebook.com>"
            and subject.strip() == "Sorry, your message could not be delivered")


_FACEBOOK_CODES = (("rcp-p1", "userunknown"), ("int-p1", "userunknown"), ("int-p3", "userunknown"),
                   ("int-p4", "userunknown"), ("rcp-p2", "filtered"), ("rcp-p3", "filtered"),
                   ("pol-p1", "blocked"), ("pol-p2", "blocked"), ("msg-p1", "mesgtoobig"), ("int-p2", "mesgtoobig"),
                   ("msg-p2", "contenterror"), ("msg-p3", "contenterror"), ("pol-p6", "contenterror"),
                   ("pol-p7", "contenterror"), ("pol-p3", "notaccept"), ("pol-p4", "notaccept"),
                   ("pol-t1", "notaccept"), ("pol-t2", "notaccept"), ("pol-t3", "notaccept"))


FAMILIES: tuple[Family, ...] = (
    # Exchange 2003 / IMS: "MSEXCH:IMS:... (000C05A6) Unknown Recipient".
    Family("exchange2003", _exchange2003, (
        ("(000c05a6)", "userunknown"), ("(000c0595)", "filtered"), ("(00010256)", "systemerror"),
        ("(000d06b5)", "systemerror"), ("(00120270)", "networkerror"), ("(00050311)", "contenterror"),
        ("(000502cc)", "contenterror"), ("(000b0981)", "securityerror"), ("(000b099c)", "onhold"),
        ("(000b09aa)", "onhold"), ("(000b09b6)", "onhold"))),
    # Ipswitch IMail: "Unknown user: kijitora@example.com".
    Family("imailserver",
           lambda h, s, p: s.strip().startswith("Undeliverable Mail") or _header_starts(h, "x-mailer", "<SMTP32 v"), (
               ("unknown host", "hostunknown"), ("unknown user", "userunknown"),
               ("invalid final delivery userid", "userunknown"),
               ("user mailbox exceeds allowed size", "mailboxfull"),
               ("requested action not taken: virus detected", "virusdetected"), ("delivery failed ", "expired"))),
    # McAfee Email Gateway: "<kijitora@example.co.jp>   (Unknown user kijitora@example.co.jp)".
    Family("mcafee", lambda h, s, p: "modified by mcafee" in (h.get("x-nai-header") or "").lower(), (
        ("unknown user ", "userunknown"), ("user not exist", "userunknown"), ("no such user", "userunknown"),
        (") unknown. ", "userunknown"))),
    # IBM Domino / Lotus Notes: "User some.name (kijitora@example.net) not listed in Domino Directory".
    Family("domino", lambda h, s, p: s.startswith(("DELIVERY FAILURE:", "Undeliverable message")), (
        ("not listed in domino directory", "userunknown"), ("not listed in public name & address book", "userunknown"),
        ("domino ディレクトリには見つかりません", "userunknown"), ("ディレクトリのリストにありません", "userunknown"),
        ("cannot route mail to user", "filtered"), ("several matches found in domino directory", "systemerror"))),
    # Exchange Online / Office 365 NDRs (X-MS-Exchange-* headers): Microsoft's own status codes.
    Family("exchangeonline", lambda h, s, p: any(k.startswith("x-ms-exchange-") for k, _ in h.items), (),
           microsoft_status_reason),
    # OpenSMTPD: "This is the MAILER-DAEMON, please DO NOT REPLY ..." then "kijitora@example.jp: Envelope expired".
    Family("opensmtpd", lambda h, s, p: any("(OpenSMTPD)" in r for r in h.get_all("received"))
           or "This is the MAILER-DAEMON, please DO NOT REPLY to this e" in p, (), line_verdicts=True),
    # Facebook: "550 5.1.1 RCP-P2 http://postmaster.facebook.com/response_codes?ip=...#rcp Refused due to ..."
    Family("facebook", _facebook, _FACEBOOK_CODES),
    # AOL: DSNs with X-AOL-IP.
    Family("aol", lambda h, s, p: "x-aol-ip" in h, (
        ("host or domain name not found", "hostunknown"),
        ("type=mx: malformed or unexpected name server reply", "notaccept"))),
    # Outlook.com (Hotmail) DSNs: "550 Requested action not taken: mailbox unavailable".
    Family("outlook", _outlook, (
        ("the mail could not be delivered to the recipient because the domain is not reachable", "hostunknown"),
        ("requested action not taken: mailbox unavailable", "userunknown"))),
    # Google Workspace (G Suite) DSNs: "Your message wasn't delivered to X because the address couldn't be found".
    Family("gsuite", _gsuite, (
        ("because the address couldn't be found. check for typos or unnecessary spaces", "userunknown"),
        ("null mx", "notaccept"), (" had no relevant answers.", "networkerror"),
        (" responded with code nxdomain", "networkerror"))),
    # Exim: "SMTP error from remote mail server after MAIL FROM:<...>: 550 ..." under each address.
    Family("exim", _exim, (), interim=_exim_interim, text_reason=_exim_text_reason),
    # Trend Micro InterScan MSS: "Unable to deliver message to <kijitora@example.jp> (and other recipients ...)".
    Family("interscanmss", _interscan, (("unable to deliver ", "userunknown"),)),
    # Verizon Wireless (vtext.com, vzwpix.com): "Error: No valid recipients for this MM".
    Family("verizon", _verizon, (("550 - requested action not taken: no such user here", "userunknown"),
                                 ("no valid recipients for this mm", "userunknown"))),
    # au by KDDI (ezweb.ne.jp, au.com): "The user(s) account is disabled." above the address.
    Family("ezweb", _ezweb, (
        ("the user(s) account is temporarily over quota", "mailboxfull"),
        ("the user(s) account is disabled.", "suspend"), ("the user(s) account is temporarily limited.", "suspend"),
        ("your message was not delivered within ", "expired")), header_reason=_ezweb_header_reason),
    # fml mailing list manager: "You are not a member of this mailing list <list@example.org>."
    Family("fml", _fml, (
        (" header may cause mail loop", "rejected"), ("not member article from ", "rejected"),
        ("reject mail from ", "rejected"), ("reject spammers:", "rejected"),
        ("you are not a member of this mailing list", "rejected"),
        (" has detected a loop condition so that", "systemerror"), ("duplicated message-id", "systemerror"),
        ("loop back warning:", "systemerror"), ("security alert:", "securityerror"))),
    # Symantec Email Security.cloud (MessageLabs): "Reason: 542 kijitora@example.com Rejected".
    Family("messagelabs", _messagelabs, (
        ("please turn on smtp authentication in your mail client", "securityerror"),
        ("542 ", "userunknown"), (" rejected", "userunknown"), ("no such user", "userunknown"))),
)

# PowerMTA writes its own verdict into the DSN: "X-PowerMTA-BounceCategory: bad-mailbox".
_POWERMTA_REASONS = {
    "bad-domain": "hostunknown", "bad-mailbox": "userunknown", "inactive-mailbox": "suspend",
    "message-expired": "expired", "no-answer-from-host": "networkerror", "policy-related": "policyviolation",
    "quota-issues": "mailboxfull", "spam-related": "spamdetected", "invalid-sender": "rejected",
}


def recognise(headers: Headers, subject: str, prose: str) -> Family | None:
    """The MTA family that wrote this bounce, when its headers, subject or wording say so."""
    for family in FAMILIES:
        if family.recognise(headers, subject, prose):
            return family
    return None


def format_reason(family: Family | None, diagnostic: str, status: str = "") -> str:
    """The reason `family`'s own error table gives for `diagnostic` or `status` ('' when none)."""
    if family is None:
        return ""
    if family.by_status is not None and status and family.by_status(status):
        return family.by_status(status)
    text = " ".join(diagnostic.lower().split())
    for phrase, reason in family.phrases:
        if phrase in text:
            return reason
    return family.text_reason(text) if family.text_reason is not None else ""


def interim_reason(family: Family | None, diagnostic: str) -> str:
    """The reason `family`'s own parser settles on first ('' when it has no such rule or none applies)."""
    return family.interim(diagnostic) if family is not None and family.interim is not None else ""


def header_reason(family: Family | None, headers: Headers) -> str:
    """The reason `family` states in the bounce's headers ('' when none)."""
    return family.header_reason(headers) if family is not None and family.header_reason is not None else ""


def line_verdict(prose: str, recipient: str) -> str:
    """The error on the prose line 'recipient: error' ('' when there is no such line)."""
    m = re.search(r"^\s*<?" + re.escape(recipient) + r">?:\s*(\S.*)$", prose, re.I | re.M)
    return m.group(1).strip() if m else ""


def category_reason(category: str) -> str:
    """The reason a PowerMTA BounceCategory value ('bad-mailbox') states, '' when none."""
    return _POWERMTA_REASONS.get(category.strip().lower(), "")
