"""Values as a person reads them: times in the report's time zone, durations, lists — never a Python repr.

    when("2026-11-27T07:07:18+00:00", ZoneInfo("Europe/Berlin"))   -> 'Fri 27 Nov 2026, 08:07 CET'
    plain({"chat": "paid", "page": "failed"}, tz)                  -> 'chat: paid · page: failed'
    plain(172800.0, tz, key="answer_within_s")                       -> '2.0 d'
"""
from __future__ import annotations

import re
from datetime import datetime, timezone, tzinfo
from typing import Any

from .response_times import human

ISO = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:\d\d)?$")
FORMATS = {"long": "%a %d %b %Y, %H:%M %Z", "short": "%d %b %H:%M", "day": "%d %b", "date": "%d %b %Y"}
NONE = "–"


def when(value: Any, tz: tzinfo, fmt: str = "long") -> str:
    """An ISO time or datetime in the report's time zone; '–' for nothing; other text as it is."""
    if value is None or value == "":
        return NONE
    if isinstance(value, str):
        if not ISO.match(value.strip()):
            return value
        value = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    if not isinstance(value, datetime):
        return str(value)
    if value.tzinfo is None:   # stored times are UTC
        value = value.replace(tzinfo=timezone.utc)
    return value.astimezone(tz).strftime(FORMATS.get(fmt, fmt))


def plain(value: Any, tz: tzinfo, key: str = "") -> str:
    """Any stored value as text: None '–', booleans yes/no, lists and mappings spelled out, times and durations."""
    if value is None:
        return NONE
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (int, float)):
        if key.endswith("_s"):
            return human(float(value))
        return f"{value:g}" if isinstance(value, float) else str(value)
    if isinstance(value, str):
        return when(value, tz) if ISO.match(value.strip()) else value
    if isinstance(value, dict):
        parts = [f"{k}: {plain(v, tz, str(k))}" for k, v in value.items() if v not in (None, "", [], {})]
        return " · ".join(parts) or NONE
    if isinstance(value, (list, tuple, set)):
        items = [plain(v, tz, key) for v in value]
        return ("; " if any(isinstance(v, dict) for v in value) else ", ").join(items) or NONE
    if hasattr(value, "seconds") and hasattr(value, "__dataclass_fields__"):   # shopper.duration.Duration
        return human(float(value.seconds))
    return str(value)


def shown(data: dict[str, Any]) -> list[tuple[str, Any]]:
    """The keys of an observation worth a line: nothing empty, nothing unknown."""
    return [(k, v) for k, v in sorted(data.items()) if v not in (None, "", [], {})]
