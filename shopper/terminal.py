"""A terminal that only prints: untrusted text reaches a terminal or CI log with its control, escape and
bidi characters made visible, so a page or a mail cannot clear the screen, set the window title, forge a
"0 findings" line in colour, hide text with a bidi override or plant an OSC 8 link.

The CLI wraps its stdout and stderr (log lines included) in `SafeStream` once, so every command is covered
whatever it prints; newline and tab are kept.
"""
from __future__ import annotations

import unicodedata
from typing import Any, TextIO

_KEEP = frozenset("\n\t")


def printable(text: str) -> str:
    """`text` with every control (C0, C1, DEL, ESC), format (bidi, zero-width) and line/paragraph separator
    character spelled as `\\uXXXX` (still valid inside JSON strings).

    >>> printable("ok\\x1b[2J\\u202egnp.exe")
    'ok\\\\u001b[2J\\\\u202egnp.exe'
    """
    if text.isprintable() or all(c.isprintable() or c in _KEEP for c in text):
        return text
    return "".join(c if c in _KEEP or unicodedata.category(c) not in ("Cc", "Cf", "Zl", "Zp", "Cs", "Co", "Cn")
                   else f"\\u{ord(c):04x}" if ord(c) <= 0xFFFF else f"\\U{ord(c):08x}" for c in text)


class SafeStream:
    """A text stream that writes `printable(s)` to the stream it wraps; everything else is the wrapped one's."""

    def __init__(self, stream: TextIO):
        self._stream = stream

    def write(self, s: str) -> int:
        self._stream.write(printable(s))
        return len(s)

    def writelines(self, lines: Any) -> None:
        for line in lines:
            self.write(line)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


def install(sys_module: Any) -> None:
    """Wrap sys.stdout and sys.stderr (once)."""
    for name in ("stdout", "stderr"):
        stream = getattr(sys_module, name)
        if stream is not None and not isinstance(stream, SafeStream):
            setattr(sys_module, name, SafeStream(stream))
