"""Durations as users write them: '500ms', '15s', '2m', '1h', '2d', '1h30m'."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta

_PART = re.compile(r"(\d+(?:\.\d+)?)\s*(ms|s|m|h|d|w)")
_UNITS = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}


@dataclass(frozen=True, order=True)
class Duration:
    """A length of time. `Duration.parse("2d").seconds == 172800`."""

    seconds: float

    @classmethod
    def parse(cls, text: str | int | float) -> "Duration":
        if isinstance(text, bool):
            raise ValueError("expected a duration like '30s', '5m', '2d'")
        if isinstance(text, (int, float)):
            return cls(float(text))
        s = str(text).strip().lower().replace(" ", "")
        pos, total = 0, 0.0
        for m in _PART.finditer(s):
            if m.start() != pos:
                break
            total += float(m.group(1)) * _UNITS[m.group(2)]
            pos = m.end()
        if not s or pos != len(s):
            raise ValueError(f"{text!r} is not a duration; expected e.g. '500ms', '30s', '5m', '1h', '2d'")
        return cls(total)

    @property
    def ms(self) -> float:
        return self.seconds * 1000

    @property
    def timedelta(self) -> timedelta:
        return timedelta(seconds=self.seconds)

    def __str__(self) -> str:
        s = self.seconds
        for unit, size in (("d", 86400), ("h", 3600), ("m", 60), ("s", 1)):
            if s >= size and s % size == 0:
                return f"{int(s // size)}{unit}"
        return f"{int(s * 1000)}ms"
