"""The single-file report and the report email, from a real run of the broken demo shop to bytes received over SMTP."""
from __future__ import annotations

import base64
import os
import re
from datetime import datetime, timezone
from email.utils import formataddr
from html.parser import HTMLParser
from pathlib import Path

import pytest
from markupsafe import escape

from reports.fixes import fix_for
from reports.mailing import build_report_email
from reports.single_file import render_single_file
from shopper.config import ReportConfig
from shopper.model import Finding
from shopper.probes.smtp import send as smtp_send
from tests.fixtures.report_page import check_report
from tests.unit.test_single_file import png
from shopper.probes.mail import mail_sender
from shopper.probes.smtp import SmtpSettings
from shopper.secrets import Redactor
from shopper.store import open_store

ROOT = Path(__file__).resolve().parents[2]
SECRET = "kettle-secret-123"   # the demo shop's password, typed by account_login
NOW = datetime(2026, 3, 2, 8, 30, tzinfo=timezone.utc)
SUBJECT = re.compile(r"^(.+) open, (\d+) new · Mystery Shopper, score (\d{1,3})/100$")


class Tags(HTMLParser):
    """Start tags with attributes, in order."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str]]] = []
        self.feed(html)
        self.close()

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, {k: v or "" for k, v in attrs}))

    def values(self, attr: str) -> list[str]:
        return [a[attr] for _, a in self.tags if attr in a]


@pytest.fixture
def broken_run(audit, shop_broken, monkeypatch):
    """A real run of both web journeys against the broken shop, with the site password in the environment."""
    monkeypatch.setenv("SHOPPER_SITE_PASSWORD", SECRET)
    return audit([ROOT / "journeys/browse_shop.yaml", ROOT / "journeys/account_login.yaml"],
                 base_url=shop_broken.url, environ={"SHOPPER_SITE_PASSWORD": SECRET})


def evidence_files(store, run_id: str) -> set[str]:
    paths = {e for f in store.findings(run_id) for e in f["evidence"]}
    for j in store.journeys(run_id):
        paths |= set(j["evidence"]) | {e for s in j["steps"] for e in s["evidence"]}
    return paths | {e for o in store.observations(run_id) for e in o["evidence"]}


@pytest.mark.browser
def test_single_file_is_self_contained_and_opens_in_chromium(broken_run, browser, tmp_path):
    a, run_id = broken_run, broken_run.result.run_id
    html = render_single_file(a.store, run_id, a.config.var_path)
    doc = Tags(html)
    # references: only in-page anchors and data: images, each anchor with its target
    hrefs, ids = doc.values("href"), doc.values("id")
    assert hrefs and all(h.startswith("#") for h in hrefs), [h for h in hrefs if not h.startswith("#")]
    assert all(s.startswith("data:image/png;base64,") for s in doc.values("src"))
    assert [h for h in hrefs if h[1:] not in ids] == [] and len(ids) == len(set(ids))
    for attr in ("srcset", "action", "formaction", "poster", "xlink:href"):
        assert doc.values(attr) == []
    assert "http-equiv=\"Content-Security-Policy\"" in html and "img-src data:;" in html
    # every screenshot inline exactly once, byte for byte; traces listed by name only
    files = evidence_files(a.store, run_id)
    pngs = {(a.config.var_path / p).read_bytes() for p in files if p.endswith(".png")}
    assert len(pngs) >= 2
    for data in pngs:
        assert html.count(base64.b64encode(data).decode()) == 1
    assert len([t for t, at in doc.tags if t == "img" and at["src"].startswith("data:")]) == len(pngs)
    for z in (p for p in files if p.endswith(".zip")):
        assert z.rsplit("/", 1)[-1] in html
    # the journeys are sections of the same page, linked from the table
    for name in ("browse-shop", "account-login"):
        assert f"journey-{name}" in ids and f"#journey-{name}" in hrefs
    # the hostile page title is text; the secret is nowhere
    assert "&lt;script&gt;window.__pwned=1&lt;/script&gt;" in html and "<script" not in html.lower()
    assert SECRET not in html

    path = tmp_path / "single.html"
    path.write_text(html, encoding="utf-8")
    for width in (1400, 390):
        seen = check_report(browser, path, width)
        assert (seen.overflow, seen.console, seen.outside, seen.axe) == ([], [], [], []), (width, seen)
    ctx, _ = browser.new_context(block_hosts=[])
    page = ctx.new_page()
    try:
        page.goto(path.as_uri())
        assert page.evaluate("Array.from(document.images).every(i => i.complete && i.naturalWidth > 0)")
        assert page.evaluate("document.images.length") == len(pngs)
        assert page.locator(".finding").count() == 4
        assert any(t.startswith("Deluxe Kettle <script>window.__pwned=1</script>")
                   for t in page.locator(".page-title").all_text_contents())
        assert page.evaluate("typeof window.__pwned") == "undefined"
        page.locator('#journeys table a[href="#journey-browse-shop"]').click()
        assert page.evaluate("location.hash") == "#journey-browse-shop"
        assert page.locator("#journey-browse-shop").evaluate("e => e.closest('details').open")   # opened for it
    finally:
        ctx.close()


@pytest.mark.browser
@pytest.mark.smtp
def test_report_email_arrives_with_structure_facts_and_no_secret(broken_run, smtp):
    a, run_id = broken_run, broken_run.result.run_id
    run, findings = a.store.run(run_id), a.store.findings(run_id)
    single = render_single_file(a.store, run_id, a.config.var_path)
    identity = mail_sender(a.config, Redactor(), os.environ)
    msg = build_report_email(a.store, run_id, html_single_file=single, to=["cio@company.test"], now=NOW,
                             sender=formataddr(("Mystery Shopper", identity.address)),
                             report_url="https://reports.company.test/runs/latest/")
    result = smtp_send(SmtpSettings(host="127.0.0.1", port=smtp.port, security="none"), msg)
    assert result.ok and result.accepted == ("cio@company.test",)
    (received,) = smtp.wait_for(1, timeout=10)
    assert received.rcpt_tos == ("cio@company.test",) and received.mail_from == identity.address

    got = received.message
    counts = {s: sum(f["severity"] == s for f in findings) for s in ("critical", "major", "minor", "info")}
    lead = ", ".join(f"{n} {s}" for s, n in counts.items() if n)
    assert SUBJECT.match(got["Subject"]).groups() == (lead, str(len(findings)), str(run.summary["score"]))
    assert got["Auto-Submitted"] == "auto-generated" and got["Date"] == "Mon, 02 Mar 2026 08:30:00 +0000"
    assert got.get_content_type() == "multipart/mixed"
    alternative, attachment = got.get_payload()
    assert alternative.get_content_type() == "multipart/alternative"
    assert [p.get_content_type() for p in alternative.get_payload()] == ["text/plain", "text/html"]
    text, html = (p.get_content() for p in alternative.get_payload())
    assert attachment.get_content_type() == "text/html" and attachment.get_content_disposition() == "attachment"
    assert attachment.get_filename() == f"mystery-shopper-report-{run_id}.html"
    assert attachment.get_content() == single

    # the same key facts in both parts
    assert f"Health score: {run.summary['score']}/100" in text
    assert f"New since the previous run: {len(findings)}" in text
    counts = {s: sum(f["severity"] == s for f in findings) for s in {f["severity"] for f in findings}}
    for sev, n in counts.items():
        assert f"{sev} {n}" in text
    titles = [" ".join(f["title"].split()) for f in findings]
    for t in titles:
        assert t in text
        assert str(escape(t)) in html
    assert 'id="score" style' in html and f">{run.summary['score']}</div>" in html
    for kind in {f["kind"] for f in findings}:   # the report's "what to fix" line for each kind
        assert f"What to fix: {fix_for(kind)}" in text and str(escape(f"What to fix: {fix_for(kind)}")) in html
    # the mail's numbers are the attached report's
    assert re.search(r'id="score"[^>]*>(\d+)<', single).group(1) == str(run.summary["score"])
    assert re.search(r'id="new-count"[^>]*>(\d+)<', single).group(1) == str(len(findings))
    # HTML for mail clients: no script, no stylesheet, no images, one link (the report's, https)
    tags = Tags(html)
    assert "<script" not in html.lower() and "<style" not in html.lower()
    assert {t for t, _ in tags.tags} & {"script", "img", "link", "style", "iframe", "form"} == set()
    assert tags.values("href") == ["https://reports.company.test/runs/latest/"]
    # the secret was typed into the shop by a journey, and is in no byte of the mail, encoded or not
    assert SECRET.encode() not in received.data
    assert SECRET not in text + html + attachment.get_content()


def test_new_and_fixed_counted_by_fingerprint_and_hostile_titles_escaped(tmp_path):
    store = open_store(str(tmp_path / "store.db"))
    old = [Finding.of("broken_link", severity="minor", journey="shop", subject=s, title=f"Broken {s}")
           for s in ("http://x.test/a", "http://x.test/b")]
    hostile = Finding.of("page_error", severity="major", journey="shop", subject="http://x.test/c",
                         title="<img src=x onerror=alert(1)>\u202eevil\nSubject: injected",
                         data={"fix": "<script>alert(2)</script> restart the <b>server</b>"})
    plain = Finding.of("page_error", severity="critical", journey="shop", subject="http://x.test/d", title="Down",
                       data={"flaky": True})
    from types import SimpleNamespace

    def shop_ran(run_id: str) -> None:   # history is per journey: both runs ran the journey 'shop'
        store.save_journey(run_id, SimpleNamespace(
            name="shop", path="journeys/shop.yaml", site=None, tags=["web"], status="findings", started_at="t",
            duration_ms=1.0, error=None, evidence=[], blocked_requests={}, steps=[], observations=[]))

    store.begin_run("r1", "2026-03-01T08:00:00+00:00")
    shop_ran("r1")
    store.save_findings("r1", old)
    store.finish_run("r1", "2026-03-01T08:01:00+00:00", "findings", {"findings": 2, "score": 84})
    store.begin_run("r2", "2026-03-02T08:00:00+00:00")
    shop_ran("r2")
    store.save_findings("r2", [old[0], hostile, plain])
    store.finish_run("r2", "2026-03-02T08:01:00+00:00", "findings", {"findings": 3, "score": 62})
    try:
        msg = build_report_email(store, "r2", html_single_file="<p>report</p>", sender="shopper@example.test",
                                 to=["cio@company.test", "ops@company.test"], now=NOW,
                                 report_url="javascript:alert(3)")
        first = build_report_email(store, "r1", html_single_file="<p>report</p>", sender="shopper@example.test",
                                   to=["cio@company.test"], now=NOW)
        for bad in (["cio@company.test\r\nBcc: all@company.test"], []):
            with pytest.raises(ValueError, match="line break|at least one recipient"):
                build_report_email(store, "r2", html_single_file="", sender="s@example.test", to=bad, now=NOW)
    finally:
        store.close()
    # what is open leads; the flaky critical is neither open nor new
    assert msg["Subject"] == "1 major, 1 minor open, 1 new · Mystery Shopper, score 62/100"
    assert first["Subject"] == "2 minor open, 2 new · Mystery Shopper, score 84/100"   # no previous run: all new
    assert msg["To"] == "cio@company.test, ops@company.test"
    text = msg.get_body(("plain",)).get_content()
    html = msg.get_body(("html",)).get_content()
    assert "Fixed since the previous run: 1" in text and "(previous run: 84/100)" in text
    assert "critical 1, major 1, minor 1" in text
    assert "Open: 1 major, 1 minor (and 1 flaky, not counted)" in text
    assert "Score trend: 01 Mar 84 → 02 Mar 62" in text
    # the report's "fix these first" order: major, then minor; the flaky critical last (not counted as open)
    order = [text.index(t) for t in ("evil Subject: injected", "Broken http://x.test/a", "Down")]
    assert order == sorted(order) and text.count(" NEW ") == 2
    assert "3. [critical] NEW (flaky) Down" in text
    assert "What to fix: Fix or remove the link" in text   # no fix in the finding: the kind's, as in the report
    assert "<img src=x onerror=alert(1)>evil Subject: injected" in text   # one line, no bidi override
    assert "&lt;img src=x onerror=alert(1)&gt;evil Subject: injected" in html
    assert "What to fix: &lt;script&gt;alert(2)&lt;/script&gt; restart the &lt;b&gt;server&lt;/b&gt;" in html
    assert "<img" not in html and "<script" not in html and "<b>server" not in html
    assert "\u202e" not in text + html and "javascript:" not in text + html
    assert "\nSubject: injected" not in text


@pytest.mark.smtp
def test_company_logo_and_report_link_from_settings_arrive_over_smtp(tmp_path, smtp):
    store = open_store(str(tmp_path / "store.db"))
    store.begin_run("r1", "2026-03-01T08:00:00+00:00")
    store.save_findings("r1", [Finding.of("page_error", severity="critical", journey="shop", subject="/x",
                                          title="Checkout answers 500")])
    store.finish_run("r1", "2026-03-01T08:01:00+00:00", "findings", {"findings": 1, "score": 60})
    logo = tmp_path / "logo.png"
    logo.write_bytes(png(8, 4))
    settings = ReportConfig(timezone="Europe/Berlin", url="https://reports.company.test/latest/",
                            company="Kettle <b>& Co</b>", logo=str(logo))
    try:
        msg = build_report_email(store, "r1", html_single_file="<p>report</p>", sender="shopper@example.test",
                                 to=["cio@company.test"], now=NOW, settings=settings)
    finally:
        store.close()
    assert smtp_send(SmtpSettings(host="127.0.0.1", port=smtp.port, security="none"), msg).ok
    (received,) = smtp.wait_for(1, timeout=10)
    got = received.message
    assert got["Subject"] == "1 critical open, 1 new · Kettle <b>& Co</b> audit, score 60/100"
    assert [p.get_content_type() for p in got.walk()] == [
        "multipart/mixed", "multipart/alternative", "text/plain", "multipart/related", "text/html", "image/png",
        "text/html"]
    related = got.get_payload()[0].get_payload()[1]
    html_part, image = related.get_payload()
    html = html_part.get_content()
    cid = image["Content-ID"].strip("<>")
    assert image.get_content() == logo.read_bytes() and f'src="cid:{cid}"' in html
    assert "Kettle &lt;b&gt;&amp; Co&lt;/b&gt;: Mystery Shopper audit" in html and "<b>& Co" not in html
    assert Tags(html).values("href") == ["https://reports.company.test/latest/"]
    text = got.get_payload()[0].get_payload()[0].get_content()
    assert "The report online: https://reports.company.test/latest/" in text
    assert "Sun 01 Mar 2026, 09:00 CET" in text and "Sent Mon 02 Mar 2026, 09:30 CET" in text


@pytest.mark.smtp
def test_unreadable_messages_are_in_the_mail_as_in_the_report_never_findings(tmp_path, smtp):
    """A sweep's quarantined messages: listed in the mail's text and HTML parts as 'unreadable message', with
    the error's class and short text (hostile: one line, escaped), and counted nowhere as findings."""
    from shopper.model import Observation

    store = open_store(str(tmp_path / "store.db"))
    store.begin_run("s1", "2026-03-01T08:00:00+00:00", kind="sweep")
    hostile = "<img src=x onerror=alert(1)>\u202eevil\nSubject: injected"
    store.save_observations("s1", [
        Observation("mail_quarantined", "(sweep)", None,
                    {"kind": "unreadable", "folder": "INBOX", "uid": 7 + i, "uidvalidity": 1, "size": 56_000 + i,
                     "received_at": "2026-03-01T07:59:00+00:00", "error": error, "error_text": text,
                     "truncated": False}, at="2026-03-01T08:00:00+00:00")
        for i, (error, text) in enumerate([("RecursionError", "maximum recursion depth exceeded"),
                                           ("UnicodeError", hostile)])])
    store.finish_run("s1", "2026-03-01T08:01:00+00:00", "clean", {"findings": 0})
    try:
        msg = build_report_email(store, "s1", html_single_file="<p>report</p>", sender="shopper@example.test",
                                 to=["cio@company.test"], now=NOW)
    finally:
        store.close()
    assert smtp_send(SmtpSettings(host="127.0.0.1", port=smtp.port, security="none"), msg).ok
    (received,) = smtp.wait_for(1, timeout=10)
    got = received.message
    text = got.get_body(("plain",)).get_content()
    html = got.get_body(("html",)).get_content()
    assert got["Subject"] == "nothing open · Mystery Shopper, no score" and "No findings" in text
    assert "Unreadable messages (2): the sweep could not read them, kept them aside and read the rest" in text
    assert "INBOX UID 7, 56000 bytes: unreadable message: RecursionError maximum recursion depth exceeded" in text
    assert "unreadable message: UnicodeError <img src=x onerror=alert(1)>evil Subject: injected" in text
    assert html.count("unreadable message: ") == 2 and "Unreadable messages (2)" in html
    assert "unreadable message: UnicodeError" in html and "&lt;img src=x onerror=alert(1)&gt;evil Subject: injected" in html
    assert "<img" not in html and "\u202e" not in text + html and "\nSubject: injected" not in text
