"""Response times per channel and company: acknowledgement and answer latency, answered/bounced/breached/open."""
from __future__ import annotations

import statistics
from typing import Any


def _pct(values: list[float], q: float) -> float | None:
    if not values:
        return None
    values = sorted(values)
    k = max(0, min(len(values) - 1, round(q * (len(values) - 1))))
    return values[k]


def human(seconds: float | None) -> str:
    if seconds is None:
        return "–"
    if seconds < 3600:
        return f"{seconds / 60:.0f} min"
    if seconds < 2 * 86400:
        return f"{seconds / 3600:.1f} h"
    return f"{seconds / 86400:.1f} d"


def response_times(expectations: list[Any]) -> list[dict[str, Any]]:
    """One row per (channel, company domain) over reply expectations."""
    groups: dict[tuple[str, str], list[Any]] = {}
    for e in expectations:
        if e.kind != "reply" or e.state == "abandoned":
            continue
        company = e.reply_from[0] if e.reply_from else (e.target.rsplit("@", 1)[-1] if "@" in e.target else e.target)
        groups.setdefault((e.channel, company), []).append(e)
    rows = []
    for (channel, company), items in sorted(groups.items()):
        acks = [e.ack_latency.total_seconds() for e in items if e.ack_latency is not None]
        answers = [e.answer_latency.total_seconds() for e in items if e.answer_latency is not None]
        rows.append({"channel": channel, "company": company, "count": len(items),
                     "ack_median": human(statistics.median(acks)) if acks else "–", "ack_p90": human(_pct(acks, 0.9)),
                     "answer_median": human(statistics.median(answers)) if answers else "–",
                     "answer_p90": human(_pct(answers, 0.9)),
                     "answered": sum(e.answered_at is not None for e in items),
                     "bounced": sum(e.state == "bounced" for e in items),
                     "breached": sum(e.state == "breached" for e in items),
                     "open": sum(e.state == "open" for e in items)})
    return rows
