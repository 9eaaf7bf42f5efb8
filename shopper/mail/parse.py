"""Turn raw message bytes into a parsed view: decoded headers, text, DSN parts, the bounced original."""
from __future__ import annotations

import codecs
import email
import email.errors
import re
from dataclasses import dataclass, field
from email.header import decode_header, make_header
from email.message import Message

from shopper.mail.dsn import DsnPart, dsn_blocks
from shopper.mail.mimeparams import param
from shopper.mail.mimetree import message_from_bytes
from shopper.mail.patterns import lazy

MAX_PART_BYTES = 1_000_000  # text we decode per part; a bounce's useful text is always near the top
MAX_PARTS = 200

_REPORT_TYPES = ("message/delivery-status", "message/global-delivery-status")
_MDN_TYPES = ("message/disposition-notification", "message/global-disposition-notification")
_HEADER_PART_TYPES = ("text/rfc822-headers", "message/rfc822-headers", "message/global-headers")
_MESSAGE_TYPES = ("message/rfc822", "message/global", "message/partial")
_HTML_TAG = lazy(r"<(?:style|script)\b.*?</(?:style|script)>|<[^>]{0,2000}>", re.S | re.I)
_HTML_BREAK = lazy(r"<(?:br|/p|/div|/tr|/li|/h\d)\b[^>]*>", re.I)
_SPACES = lazy(r"[\xa0\u2007\u202f\u200b]")   # no-break and zero-width spaces read as spaces


@dataclass
class Headers:
    """Header fields in order, names compared case-insensitively, values unfolded str."""
    items: list[tuple[str, str]] = field(default_factory=list)
    _first: dict[str, str] | None = field(default=None, repr=False, compare=False)
    _indexed: int = field(default=-1, repr=False, compare=False)

    def _index(self) -> dict[str, str]:
        """The first value of each name, built once (and again if items grew): classification asks often."""
        if self._first is None or self._indexed != len(self.items):
            first: dict[str, str] = {}
            for key, value in self.items:
                first.setdefault(key, value)
            self._first, self._indexed = first, len(self.items)
        return self._first

    def get(self, name: str, default: str | None = None) -> str | None:
        first = self._first
        if first is None or self._indexed != len(self.items):   # _index() inlined: asked ~30 times a message
            first = self._index()
        return first.get(name.lower(), default)

    def get_all(self, name: str) -> list[str]:
        name = name.lower()
        return [value for key, value in self.items if key == name]

    def __contains__(self, name: str) -> bool:
        return name.lower() in self._index()


@dataclass
class ParsedMail:
    """What classification needs from one message; built by `parse_message`, never raises."""
    headers: Headers
    text: str                    # the message's own text (plain, or HTML stripped), outside attached messages
    dsn_parts: list[DsnPart]     # each message/delivery-status part: its field blocks (or its text)
    nested_dsn_parts: list[DsnPart]  # delivery-status parts inside an attached message (forwarded bounces)
    feedback_parts: list[str]    # raw text of each message/feedback-report part
    original_headers: Headers | None  # headers of the attached/quoted original message
    original_text: str           # raw text of the attached original (headers + start of body), for token search
    content_type: str
    report_type: str | None
    problems: list[str]
    message: Message | None = None   # the parsed message itself, for readers that need more (links)
    mdn_parts: list[DsnPart] = field(default_factory=list)   # message/disposition-notification parts (RFC 8098)


def decode_words(value: str | None) -> str:
    """RFC 2047-decode a header value; undecodable pieces are kept as they are."""
    if not value:
        return ""
    value = value.replace("\r", "").replace("\n", "")
    if "=?" not in value:
        return _strip_surrogates(value)
    try:
        return str(make_header(decode_header(value)))
    except (ValueError, LookupError, UnicodeError, email.errors.HeaderParseError):
        return _strip_surrogates(value)


def _strip_surrogates(value: str) -> str:
    if value.isascii():
        return value
    try:
        value.encode("utf-8")
        return value
    except UnicodeEncodeError:
        raw = value.encode("utf-8", "surrogateescape")
        return raw.decode("utf-8", "replace")


def headers_of(msg: Message) -> Headers:
    """Unfolded raw header values of a compat32 message (RFC 2047 left encoded)."""
    return Headers([(key.lower().strip(), " ".join((value if isinstance(value, str) else str(value)).split()))
                    for key, value in msg._headers])  # noqa: SLF001 - compat32 keeps them here, no copy per call


def parse_header_block(text: str) -> Headers:
    """Parse pasted or rfc822-headers text into header fields, stopping at the first blank line."""
    items: list[tuple[str, str]] = []
    for line in text.splitlines():
        if not line.strip():
            if items:
                break
            continue
        if line[0] in " \t" and items:
            key, value = items[-1]
            items[-1] = (key, value + " " + line.strip())
            continue
        name, sep, value = line.partition(":")
        if sep and name and " " not in name.strip() and len(name) < 80:
            items.append((name.strip().lower(), value.strip()))
        elif items:
            break
    return Headers(items)


def _payload_bytes(part: Message) -> bytes:
    try:
        payload = part.get_payload(decode=True)
    except (ValueError, TypeError, LookupError, AssertionError) as err:
        raise ValueError(f"undecodable part {part.get_content_type()}: {err}") from err
    if payload is None:
        raw = part.get_payload()
        if isinstance(raw, list):
            return b""
        payload = raw.encode("utf-8", "surrogateescape") if isinstance(raw, str) else b""
    return payload[:MAX_PART_BYTES]


def _charset(part: Message) -> str:
    charset = param(part, "charset")
    if isinstance(charset, tuple):
        charset = charset[2]
    if not charset or not isinstance(charset, str):
        return "utf-8"
    return charset.strip().strip('"').lower()


# Codecs that are not a body's character set: they read any bytes as something else, or fail on most
# (a hostile `charset="idna"` must not cost the message its text).
_NOT_BODY_CODECS = frozenset({"idna", "punycode", "raw-unicode-escape", "unicode-escape", "undefined", "mbcs",
                              "oem", "charmap"})


def text_codec(charset: str | None) -> str:
    """A codec name safe for decoding a body declared `charset`: unknown, binary and hostile ones give utf-8."""
    try:
        info = codecs.lookup((charset or "utf-8").strip().strip('"'))
    except (LookupError, ValueError, TypeError):
        return "utf-8"
    if info.name.replace("_", "-") in _NOT_BODY_CODECS or not getattr(info, "_is_text_encoding", True):
        return "utf-8"
    return info.name


def decode_text(data: bytes, charset: str) -> str:
    """Bytes -> str with the declared charset, falling back to UTF-8 then Latin-1; never raises."""
    if data.isascii():
        if b"\x1b$B" in data or b"\x1b$@" in data:
            # ISO-2022-JP is 7-bit: Japanese bounces often carry it without declaring the charset.
            try:
                return data.decode("iso-2022-jp")
            except UnicodeDecodeError:
                pass
        return data.decode("ascii")
    charset = text_codec(charset)
    for candidate in (charset, "utf-8"):
        try:
            return data.decode(candidate)
        except (LookupError, UnicodeError):
            continue
    try:
        return data.decode(charset, "replace")
    except (LookupError, UnicodeError):
        return data.decode("latin-1")


def part_text(part: Message) -> str:
    return decode_text(_payload_bytes(part), _charset(part))


def html_to_text(markup: str) -> str:
    """Text of an HTML body: tags dropped, line breaks kept, every character reference decoded."""
    text = _HTML_BREAK.sub("\n", markup)
    from html import unescape   # only for HTML-only mail: its entity table is not loaded at start-up

    text = unescape(_HTML_TAG.sub(" ", text))
    return _SPACES.sub(" ", text)


def _raw_subpart_text(part: Message) -> str:
    """Text of a part whose payload compat32 parsed into sub-messages (delivery-status, rfc822)."""
    payload = part.get_payload()
    if isinstance(payload, list):
        blocks = []
        for block in payload:
            if isinstance(block, Message):
                lines = [f"{k}: {v}" for k, v in block._headers]  # noqa: SLF001
                body = block.get_payload()
                if isinstance(body, str) and body.strip():
                    lines.append(body)
                blocks.append("\n".join(lines))
        return "\n\n".join(blocks)
    return part_text(part)


def parse_message(raw: bytes) -> ParsedMail:
    """Parse bytes into a `ParsedMail`; problems are recorded, never raised."""
    problems: list[str] = []
    if not isinstance(raw, (bytes, bytearray)):
        raw = str(raw).encode("utf-8", "replace")
    try:
        msg = message_from_bytes(bytes(raw))   # compat32: email.policy costs start-up time
    except (ValueError, TypeError, IndexError, LookupError, email.errors.MessageError) as err:
        problems.append(f"unparseable message: {err}")
        return ParsedMail(Headers(), "", [], [], [], None, "", "text/plain", None, problems)
    for defect in getattr(msg, "defects", ()):
        problems.append(type(defect).__name__)
    headers = headers_of(msg)
    if not headers.items:
        problems.append("no headers")
    view = _Walker(problems)
    view.walk(msg, inside_original=False)
    if not view.texts and view.htmls:
        view.texts = [html_to_text(h) for h in view.htmls]
    text = "\n".join(view.texts)
    try:
        content_type = msg.get_content_type()
        report_type = param(msg, "report-type")
        report_type = report_type.lower() if isinstance(report_type, str) else None
    except (ValueError, TypeError, AttributeError):
        content_type, report_type = "text/plain", None
    return ParsedMail(headers, text, view.dsn, view.nested_dsn, view.feedback, view.original_headers,
                      view.original_text, content_type, report_type, problems, msg, view.mdn)


class _Walker:
    """Collects the parts of one message in a single pass."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        self.texts: list[str] = []
        self.htmls: list[str] = []
        self.dsn: list[str] = []
        self.nested_dsn: list[str] = []
        self.feedback: list[str] = []
        self.mdn: list[DsnPart] = []
        self.original_headers: Headers | None = None
        self.original_text = ""
        self.count = 0

    def walk(self, part: Message, inside_original: bool) -> None:
        self.count += 1
        if self.count > MAX_PARTS:
            if self.count == MAX_PARTS + 1:
                self.problems.append(f"more than {MAX_PARTS} MIME parts; rest ignored")
            return
        try:
            ctype = part.get_content_type()
        except (ValueError, TypeError, AttributeError):
            ctype = "text/plain"
        try:
            self._walk_part(part, ctype, inside_original)
        except (ValueError, TypeError, LookupError, AttributeError, IndexError, AssertionError) as err:
            self.problems.append(f"part {ctype}: {err}")

    def _walk_part(self, part: Message, ctype: str, inside_original: bool) -> None:
        if ctype in _REPORT_TYPES:
            payload = part.get_payload()
            dsn = dsn_blocks(payload) if isinstance(payload, list) else part_text(part)
            (self.nested_dsn if inside_original else self.dsn).append(dsn)
        elif ctype in _MDN_TYPES and not inside_original:
            payload = part.get_payload()
            self.mdn.append(dsn_blocks(payload) if isinstance(payload, list) else part_text(part))
        elif ctype == "message/feedback-report":
            self.feedback.append(_raw_subpart_text(part))
        elif ctype in _MESSAGE_TYPES:
            self._take_original(part)
        elif ctype in _HEADER_PART_TYPES:
            text = _raw_subpart_text(part)
            if self.original_headers is None:
                self.original_headers = parse_header_block(text)
                self.original_text = text[:64_000]
        elif ctype.startswith("multipart/") and isinstance(part.get_payload(), str):
            # Broken boundaries: keep the whole body as text so prose and DSN fields are still read.
            if not inside_original:
                self.texts.append(part_text(part))
        elif part.is_multipart():
            payload = part.get_payload()
            if isinstance(payload, list):
                for sub in payload:
                    if isinstance(sub, Message):
                        self.walk(sub, inside_original)
        elif ctype == "text/html" and not inside_original:
            self.htmls.append(part_text(part))
        elif (ctype.startswith("text/") or ctype == "application/octet-stream" and not self.texts) \
                and not inside_original:
            if _is_attachment(part) and self.texts:
                return
            self.texts.append(part_text(part))

    def _take_original(self, part: Message) -> None:
        payload = part.get_payload()
        if isinstance(payload, list) and payload and isinstance(payload[0], Message):
            inner = payload[0]
            if self.original_headers is None:
                self.original_headers = headers_of(inner)
                body = inner.get_payload()
                head = "\n".join(f"{k}: {v}" for k, v in inner._headers)  # noqa: SLF001
                self.original_text = (head + "\n\n" + (body if isinstance(body, str) else ""))[:64_000]
                if isinstance(body, list):
                    self.walk(inner, inside_original=True)
                    for sub in body:
                        if isinstance(sub, Message) and sub.get_content_maintype() == "text":
                            self.original_text += "\n" + part_text(sub)[:16_000]
                            break
        else:
            text = part_text(part)
            if self.original_headers is None:
                self.original_headers = parse_header_block(text)
                self.original_text = text[:64_000]


def _is_attachment(part: Message) -> bool:
    disposition = part.get("content-disposition", "")
    return isinstance(disposition, str) and disposition.lower().startswith("attachment")
