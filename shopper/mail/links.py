"""Links in a message a customer could click: HTML anchors first, then bare URLs in the text."""
from __future__ import annotations

import email
import re
from email import policy
from email.message import Message
from html.parser import HTMLParser

from shopper.mail.parse import text_codec

URL = re.compile(r"https?://[^\s<>\"')\]]+", re.I)
MAX_LINKS = 50


class _Anchors(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[tuple[str, str]] = []
        self._href: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            self._href = dict(attrs).get("href")
            self._text = []

    def handle_data(self, data: str) -> None:
        if self._href is not None:
            self._text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self._href:
            self.links.append((self._href.strip(), " ".join("".join(self._text).split())[:120]))
            self._href = None


def list_id(value: str | None) -> str | None:
    """`Kettle news <news.shop.test>` -> `news.shop.test` (RFC 2919's list-id), lower-cased."""
    if not value:
        return None
    m = re.search(r"<([^<>]+)>", value)
    return (m.group(1) if m else value).strip().lower() or None


def extract_links(raw: bytes | Message | None) -> list[tuple[str, str]]:
    """(url, link text) for http(s) links, in order, without duplicates; never raises on bad MIME.

    `raw` is the message's bytes or the message already parsed (with the compat32 policy).
    """
    if raw is None:
        return []
    if isinstance(raw, Message):
        msg = raw
    else:
        try:
            msg = email.message_from_bytes(raw, policy=policy.compat32)   # compat32: several times faster
        except (TypeError, ValueError, LookupError):
            return []
    found: list[tuple[str, str]] = []
    texts: list[str] = []
    for part in msg.walk():
        ctype = part.get_content_type()
        if ctype not in ("text/html", "text/plain") or (part.get("Content-Disposition") or "").lower().startswith("attachment"):
            continue
        payload = part.get_payload(decode=True)
        if not isinstance(payload, bytes):
            continue
        try:
            charset = text_codec(part.get_content_charset())
            content = payload.decode(charset, errors="replace")
        except (LookupError, UnicodeError, ValueError):   # a codec that fails even with errors="replace"
            content = payload.decode("utf-8", errors="replace")
        if ctype == "text/html":
            parser = _Anchors()
            parser.feed(content[:500_000])
            found += [(u, t) for u, t in parser.links if u.lower().startswith(("http://", "https://"))]
        else:
            texts.append(content[:500_000])
    for text in texts:
        found += [(m.group(0).rstrip(".,;:"), "") for m in URL.finditer(text)]
    out: list[tuple[str, str]] = []
    seen: set[str] = set()
    for url, text in found:
        if url not in seen:
            seen.add(url)
            out.append((url, text))
    return out[:MAX_LINKS]
