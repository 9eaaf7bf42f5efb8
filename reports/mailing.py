"""The report email: key facts as text and simple HTML, the single-file report attached; and sending it.

    html = render_single_file(store, run_id, config.var_path)
    msg = build_report_email(store, run_id, html_single_file=html, sender=..., to=[...], now=clock.now())
    result = send_report_email(msg, smtp_settings)

Subject: "Mystery Shopper: score 62/100, 3 new problems" (new = fingerprints not in the previous run).
Every value from a finding is folded to one line, stripped of control and bidi characters, size-limited,
and escaped by the HTML template's autoescape.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid, parseaddr
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from shopper.score import scores
from shopper.secrets import Redactor

from .fixes import fix_for
from .render import safe_href

SEVERITIES = ("critical", "major", "minor", "info")
SEVERITY_COLOURS = {"critical": "#8b0000", "major": "#c0392b", "minor": "#d68910", "info": "#5b6675"}
TOP_FINDINGS = 10    # listed in the mail body; the attachment has them all
MAX_TITLE = 300      # characters kept of a value from an audited site or a received mail
MAX_FIX = 300


@dataclass(frozen=True)
class TopFinding:
    severity: str
    kind: str
    title: str
    journey: str
    fix: str
    new: bool
    flaky: bool


@dataclass(frozen=True)
class ReportFacts:
    """What the mail says, computed once for the subject, the text part and the HTML part."""

    run_id: str
    started_at: str
    score: int
    previous_score: int | None
    previous_run: str | None
    findings: int
    by_severity: tuple[tuple[str, int], ...]
    new: int
    fixed: int
    journeys: int
    journeys_passed: int
    top: tuple[TopFinding, ...]

    @property
    def not_listed(self) -> int:
        return self.findings - len(self.top)


def report_facts(store: Any, run_id: str) -> ReportFacts:
    """Score, counts by severity, new and fixed since the previous run (by fingerprint), the top findings."""
    run = store.run(run_id)
    if run is None:
        raise KeyError(run_id)
    findings, journeys = store.findings(run_id), store.journeys(run_id)
    previous = store.previous_run(run_id)
    before = {f["fingerprint"] for f in store.findings(previous.id)} if previous else set()
    current = {f["fingerprint"] for f in findings}
    score = run.summary.get("score")
    if score is None:   # runs stored before scores were kept in the summary
        score = scores(journeys, findings)["overall"]
    counts: dict[str, int] = {}
    for f in findings:
        counts[f["severity"]] = counts.get(f["severity"], 0) + 1
    order = {s: i for i, s in enumerate(SEVERITIES)}
    ranked = sorted(findings, key=lambda f: (order.get(f["severity"], len(order)), f["fingerprint"] in before))
    top = tuple(_top(f, new=f["fingerprint"] not in before) for f in ranked[:TOP_FINDINGS])
    return ReportFacts(
        run_id=run.id, started_at=run.started_at, score=int(score),
        previous_score=previous.summary.get("score") if previous else None,
        previous_run=previous.id if previous else None, findings=len(findings),
        by_severity=tuple(sorted(counts.items(), key=lambda kv: (order.get(kv[0], len(order)), kv[0]))),
        new=len(current - before), fixed=len(before - current) if previous else 0,
        journeys=len(journeys), journeys_passed=sum(j["status"] == "passed" for j in journeys), top=top)


def _top(f: dict[str, Any], *, new: bool) -> TopFinding:
    data = f.get("data") or {}
    return TopFinding(severity=one_line(f["severity"], 20), kind=one_line(f["kind"], 60),
                      title=one_line(f["title"], MAX_TITLE), journey=one_line(f["journey"], 120),
                      fix=one_line(data.get("fix") or fix_for(f["kind"]), MAX_FIX),   # as the report does
                      new=new, flaky=bool(data.get("flaky")))


def subject_line(facts: ReportFacts) -> str:
    return f"Mystery Shopper: score {facts.score}/100, {facts.new} new problem{'' if facts.new == 1 else 's'}"


def attachment_name(run_id: str) -> str:
    return f"mystery-shopper-report-{re.sub(r'[^A-Za-z0-9._-]+', '-', run_id)}.html"


def build_report_email(store: Any, run_id: str, *, html_single_file: str, sender: str, to: list[str],
                       now: datetime, report_url: str | None = None,
                       redactor: Redactor | None = None) -> EmailMessage:
    """multipart/mixed: alternative(text/plain, text/html) + the single-file report as an HTML attachment.

    `redactor`: scrub its secrets from every part, as a last guard (the store holds none already).
    """
    if not to:
        raise ValueError("the report email needs at least one recipient (--to ADDRESS)")
    if any(c in a for a in (*to, sender) for c in "\r\n"):
        raise ValueError("an address of the report email cannot contain a line break")
    facts = report_facts(store, run_id)
    name = attachment_name(run_id)
    ctx = {"facts": facts, "sent": format_datetime(now), "attachment": name,
           "report_url": safe_href(report_url), "colours": SEVERITY_COLOURS}
    env = _environment()
    scrub = redactor.redact if redactor is not None else (lambda text: text)
    msg = EmailMessage()
    msg["Subject"] = subject_line(facts)
    msg["From"] = sender
    msg["To"] = ", ".join(to)
    msg["Date"] = format_datetime(now)
    msg["Message-ID"] = make_msgid("report", domain=parseaddr(sender)[1].rpartition("@")[2] or None)
    msg["Auto-Submitted"] = "auto-generated"   # RFC 3834: no auto-replies to a report
    msg.set_content(scrub(env.get_template("email.txt").render(**ctx)))
    msg.add_alternative(scrub(env.get_template("email.html").render(**ctx)), subtype="html")
    # base64: the single file has lines far over SMTP's 998 (data: URIs); the mail stays 7-bit clean
    msg.add_attachment(scrub(html_single_file), subtype="html", filename=name, cte="base64")
    return msg


def one_line(value: Any, limit: int) -> str:
    """Untrusted text for a mail: control and format (bidi) characters out, whitespace folded, at most `limit`."""
    text = "".join(" " if unicodedata.category(c) in ("Cc", "Zl", "Zp") else c
                   for c in str(value) if unicodedata.category(c) != "Cf")
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit - 1].rstrip() + "…"


def _environment() -> Environment:
    # autoescape for email.html only: the text part is plain text, never shown as HTML
    return Environment(loader=PackageLoader("reports", "templates"), undefined=StrictUndefined,
                       autoescape=select_autoescape(enabled_extensions=("html",), default=False),
                       trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)
