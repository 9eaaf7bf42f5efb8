"""Content-Type parameters (boundary, charset, report-type) as compat32 `Message.get_param` answers, read
directly for plain values.

`Message.get_param` fetches the header, splits its parameters, runs every one through RFC 2231 decoding
(a regular expression per parameter) and quotes and unquotes each value: most of the time of reading a
boundary or a charset. For a value in ASCII without '*' (no RFC 2231 parameter) and without a backslash
(no quoted pair), all of that comes down to the split and one unquote, which is what `param` does; any
other value is read by `Message.get_param` itself.
"""
from __future__ import annotations

from email.message import Message
from email.utils import collapse_rfc2231_value, unquote


def _split(value: str) -> list[str]:
    """email.message._parseparam for a value without backslashes: ';'-separated, quotes respected."""
    s = ";" + value
    found = []
    while s[:1] == ";":
        s = s[1:]
        end = s.find(";")
        while end > 0 and s.count('"', 0, end) % 2:
            end = s.find(";", end + 1)
        if end < 0:
            end = len(s)
        found.append(s[:end])
        s = s[end:]
    return found


def param(msg: Message, name: str, header: str = "content-type") -> str | tuple | None:
    """`msg.get_param(name, header=header)` (`name` and `header` in lower case); None when absent."""
    for key, value in msg._headers:  # noqa: SLF001 - Message.get's own list, read without a copy
        if key.lower() == header:
            break
    else:
        return None
    if not isinstance(value, str) or not value.isascii() or "*" in value or "\\" in value:
        return msg.get_param(name, header=header)
    for piece in _split(value):
        key, _, text = piece.partition("=")
        if key.strip().lower() == name:
            return unquote(text.strip())
    return None


def boundary(msg: Message) -> str | None:
    """`msg.get_boundary()`."""
    found = param(msg, "boundary")
    return None if found is None else collapse_rfc2231_value(found).rstrip()
