"""The alert email: a short plain-text part and a simple HTML part; every value from a finding is escaped."""
from __future__ import annotations

import html
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

from .plan import Alert

MAX_LISTED = 50      # findings listed in one email; the rest are counted
MAX_TEXT = 300       # characters kept of a title from an audited site


def alert_email(alert: Alert, *, to: list[str], sender: str, subject_prefix: str, now: datetime) -> EmailMessage:
    """`[Mystery Shopper] 3 new problems, score 62 (-15)` to `to`, from `sender`."""
    msg = EmailMessage()
    msg["Subject"] = f"{subject_prefix} {alert.title}".strip()
    msg["From"] = sender
    msg["To"] = ", ".join(to)
    msg["Date"] = format_datetime(now)
    msg["Message-ID"] = make_msgid("alert", domain=sender.rpartition("@")[2] or None)
    msg["Auto-Submitted"] = "auto-generated"   # RFC 3834: no auto-replies to an alert
    msg.set_content(_text(alert))
    msg.add_alternative(_html(alert), subtype="html")
    return msg


def finding_line(f: dict) -> str:
    """'[major] contact: Support form answered 500 (page_error)' — one line, whitespace folded, size-limited."""
    return f"[{_clean(f.get('severity'))}] {_clean(f.get('journey'))}: {_clean(f.get('title'))} ({_clean(f.get('kind'))})"


def _text(alert: Alert) -> str:
    lines = [alert.title, "", f"Run: {alert.run_id}"]
    if alert.score is not None:
        lines.append(f"Score: {alert.score}" + (f" (previous run: {alert.previous_score})"
                                                if alert.previous_score is not None else ""))
    if alert.findings:
        lines.append("")
        lines += [f"- {finding_line(f)}" for f in alert.findings[:MAX_LISTED]]
        if len(alert.findings) > MAX_LISTED:
            lines.append(f"... and {len(alert.findings) - MAX_LISTED} more in the report")
    lines += ["", "-- ", "Mystery Shopper: the report of this run has the evidence."]
    return "\n".join(lines) + "\n"


def _html(alert: Alert) -> str:
    e = html.escape
    rows = "".join(
        f"<tr><td>{e(_clean(f.get('severity')))}</td><td>{e(_clean(f.get('journey')))}</td>"
        f"<td>{e(_clean(f.get('title')))}</td><td>{e(_clean(f.get('kind')))}</td></tr>"
        for f in alert.findings[:MAX_LISTED])
    more = (f"<p>... and {len(alert.findings) - MAX_LISTED} more in the report</p>"
            if len(alert.findings) > MAX_LISTED else "")
    table = (f"<table border=\"1\" cellpadding=\"4\" cellspacing=\"0\"><tr><th>severity</th><th>journey</th>"
             f"<th>problem</th><th>kind</th></tr>{rows}</table>{more}" if rows else "")
    score = ""
    if alert.score is not None:
        score = f"<p>Score: <b>{alert.score}</b>" + (f" (previous run: {alert.previous_score})"
                                                     if alert.previous_score is not None else "") + "</p>"
    return (f"<!doctype html><html><body><h2>{e(alert.title)}</h2><p>Run: {e(alert.run_id)}</p>{score}{table}"
            "<p><small>Mystery Shopper: the report of this run has the evidence.</small></p></body></html>\n")


def _clean(value: object) -> str:
    text = " ".join(str(value if value is not None else "").split())
    return text if len(text) <= MAX_TEXT else text[:MAX_TEXT - 1] + "…"
