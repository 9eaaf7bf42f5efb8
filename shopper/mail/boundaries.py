"""Multipart boundary lines matched without compiling a regular expression per message, in a parser of our own:
the parser for the mail shopper.mail.mimetree leaves to the standard library's code (unusual shapes).

The standard library's parser (email.feedparser) compiles `(?P<sep>--BOUNDARY)(?P<end>--)?...` for every
boundary it meets; boundaries are unique per message, so in a process that classifies many messages each one
is a fresh compile (regex compiling is pure Python): about a tenth of classifying a corpus. `message_from_bytes`
parses with a private copy of email.feedparser (its own module object, loaded from the standard library's code)
whose `re` compiles that one pattern shape into an exact string-based matcher and anything else into the real
regular expression; its test for a line end at the end of a payload (NLCRE_eol) is a string test too. email.feedparser itself is left alone: every other user of the email package in the
process (imaplib, smtplib, a library, another Python's parser) parses as the standard library does.
"""
from __future__ import annotations

import importlib.util
import re
from email.message import Message
from types import ModuleType
from typing import Any

_PREFIX = "(?P<sep>"
_SUFFIX = r")(?P<end>--)?(?P<ws>[ \t]*)(?P<linesep>\r\n|\r|\n)?$"
_UNESCAPE = re.compile(r"\\(.)", re.S)
_LINE_ENDS = ("\r\n", "\r", "\n", "")   # the pattern's alternation order, then no line end


class BoundaryMatch:
    """What the parser reads of a match: group('sep'), group('end'), group('ws'), group('linesep')."""
    __slots__ = ("_groups",)

    def __init__(self, sep: str, end: str | None, ws: str, linesep: str | None) -> None:
        self._groups = {"sep": sep, "end": end, "ws": ws, "linesep": linesep}

    def group(self, name: str) -> str | None:
        return self._groups[name]


class BoundaryLine:
    """`re.compile(_PREFIX + re.escape(separator) + _SUFFIX).match`, with str methods."""
    __slots__ = ("separator",)

    def __init__(self, separator: str) -> None:
        self.separator = separator

    def match(self, line: str) -> BoundaryMatch | None:
        if not line.startswith(self.separator):
            return None
        rest = line[len(self.separator):]
        end = "--" if rest.startswith("--") else None
        if end:
            rest = rest[2:]
        after_ws = rest.lstrip(" \t")
        ws = rest[:len(rest) - len(after_ws)]
        for ending in _LINE_ENDS:
            if after_ws.startswith(ending) and after_ws[len(ending):] in ("", "\n"):   # `$`: at the end, or
                return BoundaryMatch(self.separator, end, ws, ending or None)        # before a final newline
        return None


class LineEndAtEnd:
    """The parser's NLCRE_eol (a CR LF, CR or LF that ends the text) as a string test: a regular expression
    would try every position of every part's payload in turn."""
    __slots__ = ()

    def search(self, text: str) -> _EndMatch | None:
        for ending in ("\r\n", "\r", "\n"):   # the leftmost match that reaches the end is the longest ending
            if text.endswith(ending):
                return _EndMatch(ending)
        return None


class _EndMatch:
    __slots__ = ("_ending",)

    def __init__(self, ending: str) -> None:
        self._ending = ending

    def group(self, index: int = 0) -> str:
        if index not in (0, 1):
            raise IndexError("no such group")
        return self._ending


def _escaped_char(match: re.Match[str]) -> str:
    return match.group(1)   # a function, not r"\1": no replacement template parsed per call


class _ReForTheParser:
    """The `re` module, except that compiling the boundary pattern gives a BoundaryLine."""

    def compile(self, pattern: Any, flags: int = 0) -> Any:
        if flags == 0 and isinstance(pattern, str) and pattern.startswith(_PREFIX) and pattern.endswith(_SUFFIX):
            escaped = pattern[len(_PREFIX):-len(_SUFFIX)]
            return BoundaryLine(_UNESCAPE.sub(_escaped_char, escaped) if "\\" in escaped else escaped)
        return re.compile(pattern, flags)

    def __getattr__(self, name: str) -> Any:
        return getattr(re, name)


def _private_feedparser() -> ModuleType:
    """A second module object run from email.feedparser's code, its `re` ours; not in sys.modules."""
    spec = importlib.util.find_spec("email.feedparser")
    if spec is None or spec.loader is None:   # pragma: no cover - the standard library always has it
        raise ImportError("email.feedparser not found")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.re = _ReForTheParser()
    module.NLCRE_eol = LineEndAtEnd()
    return module


_feedparser: ModuleType | None = None


def message_from_bytes(raw: bytes) -> Message:
    """`email.message_from_bytes(raw)` (compat32): the same message tree, from the same parser code."""
    global _feedparser
    if _feedparser is None:
        _feedparser = _private_feedparser()
    parser = _feedparser.FeedParser(Message)
    parser.feed(raw.decode("ascii", "surrogateescape"))   # what BytesParser does, fed at once, not in 8 KB pieces
    return parser.close()
