"""The report email: what is open first, process scores and trend, the single-file report attached; sending it.

    html = render_single_file(store, run_id, config.var_path, settings=config.report_settings)
    msg = build_report_email(store, run_id, html_single_file=html, sender=..., to=[...], now=clock.now(),
                             settings=config.report_settings)
    result = shopper.probes.smtp.send(smtp_settings, msg)

Subject: "1 critical, 10 major open, 2 new · Kettle & Co audit, score 49/100" (open and new leave flaky
findings out; new = fingerprints not in the previous run). The company's logo goes in as an inline part
(cid:), never as a link. Every value from a finding is folded to one line, stripped of control and bidi
characters, size-limited, and escaped by the HTML template's autoescape.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid, parseaddr
from typing import TYPE_CHECKING, Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from shopper.config import ReportConfig
from shopper.secrets import Redactor

from .evidence import read_logo
from .plain import when
from .render import safe_href
from shopper.score import band

from .view import RunView, run_view

if TYPE_CHECKING:
    from shopper.store.contract import Store

SEVERITIES = ("critical", "major", "minor", "info")
BAND_COLOURS = {"bad": "#b03a2e", "warn": "#7a4d00", "good": "#1b7340"}
SEVERITY_COLOURS = {"critical": "#8b0000", "major": "#b03a2e", "minor": "#8a5a00", "info": "#4a5562"}
TOP_FINDINGS = 10    # listed in the mail body; the attachment has them all
TREND_POINTS = 8     # runs shown in the mail's trend line
MAX_TITLE = 300      # characters kept of a value from an audited site or a received mail
MAX_FIX = 300
MAX_UNREADABLE = 10  # quarantined messages listed in the mail body; the attachment has them all


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
class UnreadableLine:
    """A message the sweep quarantined (report.html's "Unreadable messages"): where it is and the error, no body."""
    received: str
    folder: str
    uid: str
    size: str
    error: str
    error_text: str


@dataclass(frozen=True)
class ProcessLine:
    label: str
    score: int | None
    previous: int | None
    open: int
    band: str = "warn"            # shopper.score.band: red with an open critical

    @property
    def change(self) -> str:
        if self.score is None or self.previous is None or self.score == self.previous:
            return ""
        return f"▲ +{self.score - self.previous}" if self.score > self.previous else f"▼ {self.score - self.previous}"


@dataclass(frozen=True)
class ReportFacts:
    """What the mail says, computed once for the subject, the text part and the HTML part."""

    run_id: str
    started_at: str               # shown in the report's time zone
    company: str
    score: int | None
    previous_score: int | None
    previous_run: str | None
    findings: int
    open_counts: tuple[tuple[str, int], ...]   # not flaky, most severe first
    by_severity: tuple[tuple[str, int], ...]   # every finding
    new: int                      # not flaky
    flaky: int
    fixed: int
    journeys: int
    journeys_clean: int
    processes: tuple[ProcessLine, ...]
    trend: tuple[tuple[str, int | None], ...]  # (day, score), oldest first
    top: tuple[TopFinding, ...]
    unreadable: tuple[UnreadableLine, ...] = ()   # never findings: not in any count above
    unreadable_total: int = 0

    @property
    def not_listed(self) -> int:
        return self.findings - len(self.top)

    @property
    def unreadable_not_listed(self) -> int:
        return self.unreadable_total - len(self.unreadable)

    @property
    def open(self) -> int:
        return sum(n for _, n in self.open_counts)

    @property
    def band(self) -> str:
        return band(self.score, self.open_counts)


def report_facts(store: Store, run_id: str, settings: ReportConfig | None = None) -> ReportFacts:
    """Open counts, new and fixed (by fingerprint), process scores, the trend and the top findings of a run."""
    settings = settings or ReportConfig()
    tz = settings.zone()
    v: RunView = run_view(store, run_id)
    every: dict[str, int] = {}
    for f in v.findings:
        every[f.severity] = every.get(f.severity, 0) + 1
    order = {s: i for i, s in enumerate(SEVERITIES)}
    ranked = v.ranked   # the report's "Fix these first" order, continued
    top = tuple(TopFinding(severity=one_line(f.severity, 20), kind=one_line(f.kind, 60),
                           title=one_line(f.title, MAX_TITLE), journey=one_line(f.journey, 120),
                           fix=one_line(f.fix, MAX_FIX), new=f.new, flaky=f.flaky) for f in ranked[:TOP_FINDINGS])
    return ReportFacts(
        run_id=v.run.id, started_at=when(v.run.started_at, tz), company=one_line(settings.company, 120),
        score=v.score, previous_score=v.previous_score, previous_run=v.previous.id if v.previous else None,
        findings=len(v.findings), open_counts=tuple(v.open_counts.items()),
        by_severity=tuple(sorted(every.items(), key=lambda kv: (order.get(kv[0], len(order)), kv[0]))),
        new=len(v.new), flaky=len(v.flaky), fixed=len(v.fixed),
        journeys=len(v.journeys), journeys_clean=sum(j.status == "clean" for j in v.journeys),
        processes=tuple(ProcessLine(p.label, p.score, p.previous, p.total, p.band) for p in v.processes),
        trend=tuple((when(t, tz, "day"), s) for t, s in v.trend[-TREND_POINTS:]), top=top,
        unreadable=tuple(_unreadable(o.get("data") or {}, tz) for o in v.unreadable[:MAX_UNREADABLE]),
        unreadable_total=len(v.unreadable))


def _unreadable(d: dict[str, Any], tz: Any) -> UnreadableLine:
    text = {k: one_line(d.get(k, ""), limit) for k, limit in
            (("folder", 120), ("uid", 20), ("size", 20), ("error", 80), ("error_text", MAX_TITLE))}
    return UnreadableLine(received=one_line(when(d.get("received_at"), tz), 60), **text)


def subject_line(facts: ReportFacts) -> str:
    """What is open leads: '1 critical, 10 major open, 2 new · Kettle & Co audit, score 49/100'."""
    counts = ", ".join(f"{n} {sev}" for sev, n in facts.open_counts)
    lead = f"{counts} open, {facts.new} new" if counts else "nothing open"
    who = f"{facts.company} audit" if facts.company else "Mystery Shopper"
    return f"{lead} · {who}, " + ("no score" if facts.score is None else f"score {facts.score}/100")


def attachment_name(run_id: str) -> str:
    return f"mystery-shopper-report-{re.sub(r'[^A-Za-z0-9._-]+', '-', run_id)}.html"


def build_report_email(store: Store, run_id: str, *, html_single_file: str, sender: str, to: list[str],
                       now: datetime, report_url: str | None = None, settings: ReportConfig | None = None,
                       redactor: Redactor | None = None) -> EmailMessage:
    """multipart/mixed: alternative(text/plain, related(text/html, logo)) + the single-file report attached.

    `report_url` defaults to the configured `report.url`; `redactor` scrubs its secrets from every part,
    as a last guard (the store holds none already).
    """
    settings = settings or ReportConfig()
    if not to:
        raise ValueError("the report email needs at least one recipient (--to ADDRESS)")
    if any(c in a for a in (*to, sender) for c in "\r\n"):
        raise ValueError("an address of the report email cannot contain a line break")
    facts = report_facts(store, run_id, settings)
    name = attachment_name(run_id)
    logo = read_logo(settings.logo)
    logo_cid = make_msgid("logo", domain="report.invalid") if logo else None
    ctx = {"facts": facts, "sent": when(now, settings.zone()), "attachment": name,
           "report_url": safe_href(report_url or settings.url), "colours": SEVERITY_COLOURS,
           "band_colours": BAND_COLOURS,
           "logo_cid": logo_cid[1:-1] if logo_cid else None}
    env = _environment()
    scrub = redactor.redact if redactor is not None else (lambda text: text)
    msg = EmailMessage()
    prefix = one_line(settings.subject_prefix, 120)
    msg["Subject"] = f"{prefix} {subject_line(facts)}" if prefix else subject_line(facts)
    msg["From"] = sender
    msg["To"] = ", ".join(to)
    msg["Date"] = format_datetime(now)
    msg["Message-ID"] = make_msgid("report", domain=parseaddr(sender)[1].rpartition("@")[2] or None)
    msg["Auto-Submitted"] = "auto-generated"   # RFC 3834: no auto-replies to a report
    msg.set_content(scrub(env.get_template("email.txt").render(**ctx)))
    msg.add_alternative(scrub(env.get_template("email.html").render(**ctx)), subtype="html")
    if logo is not None:
        data, mime = logo
        msg.get_payload()[1].add_related(data, *mime.split("/"), cid=logo_cid, filename="logo." + mime.split("/")[1],
                                         disposition="inline")
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
