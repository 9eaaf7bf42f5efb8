"""Find SMTP enhanced status codes, reply codes and the failed SMTP command in error text."""
from __future__ import annotations

import re

from shopper.mail.patterns import lazy

_STATUS = lazy(r"(?<![\w.])([245])\.([0-7])\.(\d{1,3})(?![\d.]*\d)")
_IPV4 = lazy(r"\b\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}\b")
_REPLY = lazy(r"(?<![\w.#/=+-])([245][0-5]\d)(?=[-\s,;:)\]]|$)(?![-\s]?\d{3}\b)")
_REPLY_STRONG = lazy(r"(?<![\w.#/=+-])([45][0-5]\d)(?:[- ][245]\.\d|[- ]?\s*\S)")

# (pattern, command) in the order they are tried: the most specific wording first.
_COMMANDS = [
    (lazy(r"(?:after|in reply to|response to|to|for) (?:the )?(?:end of )?(?:data|mail data)"
                r"|(?:after|in reply to) end of (?:data|message)|final data|>>> data|rcpt to:?<[^>]*>\s*data"
                r"|\bdata command|\bdata response|smtp command:? ?data\b", re.I), "DATA"),
    (lazy(r"(?:after|in reply to|response to|to|>>>) ?rcpt\b|rcpt to response|\brcpt to:|"
                r"\brcpt command|rcpt to command|does not like recipient|\[rcpt_to\]|\bsmtp:rcpt\b", re.I), "RCPT"),
    (lazy(r"(?:after|in reply to|response to|to|>>>) ?mail\b|\bmail from:|mail from command|"
                r"sender was rejected", re.I), "MAIL"),
    (lazy(r"(?:after|in reply to|response to|to|>>>) ?(?:ehlo|helo)\b|\b(?:ehlo|helo) command", re.I), "HELO"),
    (lazy(r"starttls", re.I), "STARTTLS"),
    (lazy(r"after initial connection|connected to .* but greeting failed|greeting", re.I), "CONN"),
]


def find_status(text: str) -> str:
    """The most specific enhanced status code in `text` ('' when none), skipping IPv4 addresses."""
    if not text or "." not in text:
        return ""
    if _IPV4.search(text):
        text = _IPV4.sub(" ", text)
    fallback = ""
    for m in _STATUS.finditer(text):
        code = f"{m.group(1)}.{m.group(2)}.{int(m.group(3))}"
        if code.endswith(".0.0") or code == "4.4.7":
            fallback = fallback or code
            continue
        return code
    return fallback


def find_reply(text: str) -> str:
    """The first SMTP reply code (4xx/5xx preferred) in `text`, '' when none."""
    if not text:
        return ""
    if _IPV4.search(text):
        text = _IPV4.sub(" ", text)
    found = ""
    for m in _REPLY.finditer(text):
        code = m.group(1)
        if code[0] in "45":
            return code
        found = found or code
    return found


def find_command(text: str) -> str:
    """The SMTP command a failure answered (DATA, RCPT, MAIL, HELO, STARTTLS, CONN) or ''."""
    if not text:
        return ""
    for pattern, command in _COMMANDS:
        if pattern.search(text):
            return command
    return ""


def is_temporary(text: str) -> bool:
    """Does the error text read as a transient failure? (Sisimai's rule for pseudo status codes.)

    The first enhanced status code, else the first reply code, decides by its class (4 = temporary);
    text without a code is temporary only when it says so ('temporar...', 'persistent').
    """
    code = find_status(text) or find_reply(text)
    if code:
        return code[0] in "24"
    low = text.lower()
    return "temporar" in low or "persistent" in low
