"""A message's MIME tree built from the whole text at once: the compat32 tree `email.message_from_bytes` builds.

The standard library's parser (email.feedparser) reads a message line by line through a stack of generators and
tests every line against every enclosing boundary; an attached original message costs as much as the bounce.
Here the text is split by position: a part is a range of the text, its header block is read by two regular
expressions, its end is the next line that starts with its boundary (found with str.find, no expression compiled
per boundary), and a leaf's payload is one slice. The Message objects are the same compat32 ones, with the same
headers list, payloads, preamble, epilogue, default type, unixfrom and defects as the feedparser gives them.

Only the common shape takes this path. Anything the feedparser treats specially (a CR-only line end, a header
block that starts with a continuation line, a misplaced "From " line, a header with no name, a boundary holding a
line break, nesting deeper than MAX_DEPTH) sends the whole message to `boundaries.message_from_bytes`, the
feedparser's own code: `message_tree` answers None for it.
"""
from __future__ import annotations

import re
from email import errors
from email.message import Message

from shopper.mail.mimeparams import boundary as boundary_of

MAX_DEPTH = 40   # nesting the fast path follows; deeper mail (hostile or not) goes to the feedparser as it is

# A header block: field lines ("name:" with the feedparser's name characters) and their continuation lines.
_HEADER_BLOCK = re.compile(r"(?:(?:[\041-\071\073-\176]+:|[ \t])[^\n]*(?:\n|\Z))*")
_FIELD = re.compile(r"([\041-\071\073-\176]+):([^\n]*(?:\n|\Z)(?:[ \t][^\n]*(?:\n|\Z))*)")
_BLANK_LINE = re.compile(r"^\r?\n", re.M)
# What may follow "--boundary" on a boundary line: the feedparser's `(?P<end>--)?(?P<ws>[ \t]*)(linesep)?$`
_BOUNDARY_TAIL = re.compile(r"(--)?[ \t]*(?:\r\n|\n|\Z)")
_PLAIN_ENCODINGS = ("7bit", "8bit", "binary")


class _Unusual(Exception):
    """Input the fast path leaves to the feedparser."""


def message_tree(raw: bytes) -> Message | None:
    """The compat32 message tree of `raw`, or None when the message is not of the shape this parser reads."""
    text = raw.decode("ascii", "surrogateescape")   # what BytesParser does
    if "\r" in text and text.count("\r") != text.count("\r\n"):
        return None   # a CR alone ends a line for the feedparser; the positions below split on LF only
    builder = _TreeBuilder(text)
    try:
        root = builder.part(0, len(text), "text/plain", 0)
    except Exception:   # noqa: BLE001 - _Unusual, or a surprise: the feedparser decides (parses, or raises as ever)
        return None
    if builder.root_maintype == "multipart" and not isinstance(root._payload, list):  # noqa: SLF001
        root.defects.append(errors.MultipartInvariantViolationDefect())
    return root


def message_from_bytes(raw: bytes) -> Message:
    """`email.message_from_bytes(raw)` (compat32): the fast path, else the feedparser's code."""
    msg = message_tree(raw)
    if msg is None:
        from shopper.mail.boundaries import message_from_bytes as feedparser_tree

        return feedparser_tree(raw)
    return msg


def _without_line_end(value: str) -> str:
    """The feedparser's NLCRE_eol cut: one CR LF, CR or LF at the end."""
    if value.endswith("\r\n"):
        return value[:-2]
    if value.endswith(("\n", "\r")):
        return value[:-1]
    return value


class _NonAscii(Exception):
    """A header value with 8-bit bytes: Message's own accessors read it."""


def _first(headers: list[tuple[str, str]], name: str) -> str | None:
    """Message.get's value for an ASCII header (None when absent); _NonAscii for 8-bit values (a Header object)."""
    for key, value in headers:
        if len(key) == len(name) and key.lower() == name:
            if not value.isascii():
                raise _NonAscii
            return value
    return None


class _TreeBuilder:
    """Builds Message objects for ranges of one text, in the feedparser's order (its `_last` rule included)."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.last: Message | None = None     # the feedparser's _last: whose trailing line end a boundary takes
        self.last_maintype = ""
        self.root_maintype = ""

    def part(self, start: int, end: int, default_type: str, depth: int) -> Message:
        """The message in text[start:end] (its headers, then its body as its content type says)."""
        if depth > MAX_DEPTH:
            raise _Unusual("nesting")
        text = self.text
        msg = Message()
        if default_type != "text/plain":
            msg.set_default_type(default_type)
        pos = self._headers(msg, start, end)
        ctype = self._content_type(msg, default_type)
        maintype = ctype.partition("/")[0]
        if depth == 0:
            self.root_maintype = maintype
        self.last, self.last_maintype = msg, maintype
        if ctype == "message/delivery-status":
            self._blocks(msg, pos, end, depth)
        elif maintype == "message":
            msg._payload = [self.part(pos, end, "text/plain", depth + 1)]  # noqa: SLF001
        elif maintype == "multipart":
            self._multipart(msg, ctype, pos, end, depth)
        else:
            msg._payload = text[pos:end]  # noqa: SLF001
        return msg

    def _headers(self, msg: Message, pos: int, end: int) -> int:
        """Read the header block at `pos` into msg; the body's start."""
        text = self.text
        if text.startswith("From ", pos, end):   # an envelope line first: the unixfrom
            eol = text.find("\n", pos, end)
            line_end = end if eol < 0 else eol + 1
            msg.set_unixfrom(_without_line_end(text[pos:line_end]))
            pos = line_end
        if pos < end and text[pos] in " \t":
            raise _Unusual("first header line is a continuation")
        block_end = _HEADER_BLOCK.match(text, pos, end).end()
        if block_end > pos:
            msg._headers = [(name, value.lstrip(" \t").rstrip("\r\n"))  # noqa: SLF001
                            for name, value in _FIELD.findall(text, pos, block_end)]
        pos = block_end
        if pos >= end:
            return end
        if text[pos] == "\n":
            return pos + 1
        if text.startswith("\r\n", pos):
            return pos + 2
        if text.startswith("From ", pos) or text[pos] == ":":
            raise _Unusual("a header line the feedparser treats specially")
        msg.defects.append(errors.MissingHeaderBodySeparatorDefect())
        return pos

    def _content_type(self, msg: Message, default_type: str) -> str:
        try:
            value = _first(msg._headers, "content-type")  # noqa: SLF001
        except _NonAscii:
            return msg.get_content_type()
        if value is None:
            return default_type
        ctype = value.partition(";")[0].strip().lower()
        return ctype if ctype.count("/") == 1 else "text/plain"

    def _blocks(self, msg: Message, pos: int, end: int, depth: int) -> None:
        """message/delivery-status: one message per block of fields, blocks separated by a blank line."""
        blocks = []
        while True:
            blank = _BLANK_LINE.search(self.text, pos, end)
            block_end = blank.start() if blank else end
            blocks.append(self.part(pos, block_end, "text/plain", depth + 1))
            if blank is None:
                break
            pos = blank.end()
            if pos >= end:
                break
        msg._payload = blocks  # noqa: SLF001

    def _multipart(self, msg: Message, ctype: str, pos: int, end: int, depth: int) -> None:
        text = self.text
        boundary = boundary_of(msg)
        if boundary is None:
            msg.defects.append(errors.NoBoundaryInMultipartDefect())
            msg._payload = text[pos:end]  # noqa: SLF001
            return
        try:
            encoding = _first(msg._headers, "content-transfer-encoding")  # noqa: SLF001
            encoding = "8bit" if encoding is None else encoding
        except _NonAscii:
            encoding = str(msg.get("content-transfer-encoding", "8bit"))
        if encoding.lower() not in _PLAIN_ENCODINGS:
            msg.defects.append(errors.InvalidMultipartContentTransferEncodingDefect())
        separator = "--" + boundary
        if "\n" in separator or "\r" in separator:
            raise _Unusual("a boundary with a line break")
        lines = _BoundaryLines(text, separator, end)
        found = lines.next(pos)
        if found is None or found[2]:   # no opening boundary: the body is the payload
            msg.defects.append(errors.StartBoundaryNotFoundDefect())
            msg._payload = text[pos:found[0] if found else end]  # noqa: SLF001
            msg.epilogue = ""
            return
        if found[0] > pos:
            msg.preamble = _without_line_end(text[pos:found[0]])
        child_type = "message/rfc822" if ctype == "multipart/digest" else "text/plain"
        parts: list[Message] = []
        msg._payload = parts  # noqa: SLF001
        while True:
            start = found[1]
            while start < end and (again := lines.at(start)) is not None:   # repeated boundary lines
                start = again[1]
            found = lines.next(start)
            parts.append(self.part(start, found[0] if found else end, child_type, depth + 1))
            self._cut_last_line_end()
            self.last, self.last_maintype = msg, "multipart"
            if found is None:
                msg.defects.append(errors.CloseBoundaryNotFoundDefect())
                return
            if found[2]:
                msg.epilogue = text[found[1]:end]
                return

    def _cut_last_line_end(self) -> None:
        """The line end before a boundary belongs to the boundary (RFC 2046), as the feedparser cuts it."""
        last = self.last
        if self.last_maintype == "multipart":
            if last.epilogue == "":
                last.epilogue = None
            elif last.epilogue is not None:
                last.epilogue = _without_line_end(last.epilogue)
        elif isinstance(last._payload, str):  # noqa: SLF001
            last._payload = _without_line_end(last._payload)  # noqa: SLF001


class _BoundaryLines:
    """Lines of text[:end] that are boundary lines of one separator: (start, end of line, closing?)."""
    __slots__ = ("text", "separator", "after_newline", "end")

    def __init__(self, text: str, separator: str, end: int) -> None:
        self.text, self.separator, self.end = text, separator, end
        self.after_newline = "\n" + separator

    def at(self, pos: int) -> tuple[int, int, bool] | None:
        """The boundary line starting at `pos` (a line start), if it is one."""
        if not self.text.startswith(self.separator, pos, self.end):
            return None
        tail = _BOUNDARY_TAIL.match(self.text, pos + len(self.separator), self.end)
        return None if tail is None else (pos, tail.end(), tail.group(1) is not None)

    def next(self, pos: int) -> tuple[int, int, bool] | None:
        """The first boundary line at or after `pos` (a line start)."""
        found = self.at(pos)
        while found is None:
            pos = self.text.find(self.after_newline, pos, self.end)
            if pos < 0:
                return None
            pos += 1
            found = self.at(pos)
        return found
