"""Find SMTP enhanced status codes, reply codes and the failed SMTP command in error text."""
from __future__ import annotations

from shopper.mail.patterns import lazy

_STATUS = lazy(r"(?<![\w.])([245])\.([0-7])\.(\d{1,3})(?![\d.]*\d)")
_IPV4 = lazy(r"\b\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}\b")
_REPLY = lazy(r"(?<![\w.#/=+-])([245][0-5]\d)(?=[-\s,;:)\]]|$)(?![-\s]?\d{3}\b)")

# (pattern, command, words one of which the text must hold) in the order they are tried: the most specific
# wording first. The patterns read lower-cased text (faster than re.I); the words skip them when they cannot match.
_COMMANDS = [
    (lazy(r"(?:after|in reply to|response to|to|for) (?:the )?(?:end of )?(?:data|mail data)"
          r"|(?:after|in reply to) end of (?:data|message)|final data|>>> data|rcpt to:?<[^>]*>\s*data"
          r"|\bdata command|\bdata response|smtp command:? ?data\b"), "DATA", ("data", "end of message")),
    (lazy(r"(?:after|in reply to|response to|to|>>>) ?rcpt\b|rcpt to response|\brcpt to:|"
          r"\brcpt command|rcpt to command|does not like recipient|\[rcpt_to\]|\bsmtp:rcpt\b"), "RCPT",
     ("rcpt", "does not like recipient")),
    (lazy(r"(?:after|in reply to|response to|to|>>>) ?mail\b|\bmail from:|mail from command|"
          r"sender was rejected"), "MAIL", ("mail", "sender was rejected")),
    (lazy(r"(?:after|in reply to|response to|to|>>>) ?(?:ehlo|helo)\b|\b(?:ehlo|helo) command"), "HELO",
     ("ehlo", "helo")),
    (lazy(r"starttls"), "STARTTLS", ("starttls",)),
    (lazy(r"after initial connection|connected to .* but greeting failed|greeting"), "CONN",
     ("greeting", "initial connection")),
]


def find_status(text: str) -> str:
    """The most specific enhanced status code in `text` ('' when none), skipping IPv4 addresses."""
    if not text or "." not in text:
        return ""
    if text.count(".") >= 3 and _IPV4.search(text):   # an IPv4 address has three dots
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
    if text.count(".") >= 3 and _IPV4.search(text):   # an IPv4 address has three dots
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
    low = text.lower()
    for pattern, command, words in _COMMANDS:
        if any(map(low.__contains__, words)) and pattern.search(low):
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
