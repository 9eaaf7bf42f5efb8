"""Text a journey matches on a page: `/send|submit/i` is a regex, anything else is plain text."""
from __future__ import annotations

import re

_REGEX = re.compile(r"^/(.*)/([imsx]*)$", re.S)


def text_matcher(value: str) -> str | re.Pattern[str]:
    """`/send|submit/i` is a regex; anything else is plain text."""
    m = _REGEX.match(value)
    if not m:
        return value
    flags = 0
    for f in m.group(2):
        flags |= {"i": re.I, "m": re.M, "s": re.S, "x": re.X}[f]
    return re.compile(m.group(1), flags)
