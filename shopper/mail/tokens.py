"""Find the shopper's message tokens (ms-xxxxxxxxxxxx) in a message, most trustworthy place first."""
from __future__ import annotations

from shopper.mail.parse import ParsedMail, decode_words
from shopper.mail.patterns import lazy

TOKEN = lazy(r"(?<![A-Za-z0-9])ms-[a-z2-7]{12}(?![A-Za-z0-9])")
_SCAN_LIMIT = 200_000


def _scan(text: str | None, found: list[str]) -> None:
    if not text or "ms-" not in text:   # every token holds it: a substring test skips most texts
        return
    text = text[:_SCAN_LIMIT]
    # TOKEN.findall(text), tried only where "ms-" stands: a pattern opening with a look-behind is otherwise
    # tried at every position of the text (match() at a position still sees the character before it)
    at = text.find("ms-")
    while at >= 0:
        m = TOKEN.match(text, at)
        if m is None:
            at = text.find("ms-", at + 1)
            continue
        if m.group() not in found:
            found.append(m.group())
        at = text.find("ms-", m.end())


def find_tokens(mail: ParsedMail, prose: str = "", quoted: str = "") -> tuple[str, ...]:
    """Tokens in order of confidence.

    1. In-Reply-To / References (the sender's client threads on our Message-ID);
    2. the message's own Subject and body text (`prose`: the body without any quoted original);
    3. the original quoted in a bounce: attached message/rfc822 or header parts, then pasted text.
    """
    found: list[str] = []
    headers = mail.headers
    for name in ("in-reply-to", "references"):
        for value in headers.get_all(name):
            _scan(value, found)
    _scan(decode_words(headers.get("subject")), found)
    _scan(prose if prose else mail.text, found)
    if mail.original_headers is not None:
        for name in ("message-id", "in-reply-to", "references", "subject"):
            _scan(decode_words(mail.original_headers.get(name)), found)
    _scan(mail.original_text, found)
    _scan(quoted, found)
    if not prose:
        return tuple(found)
    _scan(mail.text, found)
    return tuple(found)
