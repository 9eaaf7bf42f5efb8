"""Hostile content in every report field stays inert; path traversal through names writes nothing outside var/.

A real run against a hostile site (title, links, console and JS errors carrying script) with a hostile
journey name and step label, plus hostile mail (subject, sender, Message-ID, attachment file name)
swept from a real Dovecot. The HTML report and the single file are opened in Chromium: no script runs,
no dialog opens, nothing is requested from anywhere but the report's own files.
"""
from __future__ import annotations

import json
import threading
from datetime import datetime, timezone
from email.message import EmailMessage
from html.parser import HTMLParser
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from reports.render import render_run
from reports.single_file import render_single_file
from shopper.audit import record_sweep
from shopper.clock import ManualClock
from shopper.probes.imap import ImapSettings
from shopper.secrets import Secret
from shopper.sweep import Sweeper

pytestmark = [pytest.mark.faults, pytest.mark.browser]
OUTSIDE = "http://127.0.0.1:9/pwned"   # nothing listens; a request to it is what must never happen
PAYLOAD = (f'<script>window.__pwned=1;fetch("{OUTSIDE}")</script><img src="{OUTSIDE}" onerror="window.__pwned=2">'
           f'<svg onload="window.__pwned=3"></svg>\'"><iframe src="javascript:window.__pwned=4"></iframe>')
TRAVERSAL = "../../../../escape"


class HostileSite(BaseHTTPRequestHandler):
    def log_message(self, *args) -> None:
        return

    def do_GET(self) -> None:  # noqa: N802
        title = PAYLOAD.replace("<", "&lt;")    # the page's own title text holds the markup, as text
        body = (f"<!doctype html><title>{title}</title><main><h1>Shop</h1>"
                f"<a href='/missing?q={PAYLOAD.replace(chr(39), '')}'>x</a>"
                f"<a href='javascript:alert(1)'>js</a>"
                f"<script>console.error({json.dumps(PAYLOAD)}); throw new Error({json.dumps(PAYLOAD)});</script>"
                f"</main>").encode()
        self.send_response(404 if self.path.startswith("/missing") else 200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_HEAD = do_GET


@pytest.fixture(scope="module")
def hostile_site():
    server = ThreadingHTTPServer(("127.0.0.1", 0), HostileSite)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def hostile_mail() -> bytes:
    msg = EmailMessage()
    msg["From"] = f'"{PAYLOAD}" <evil@evil.test>'
    msg["To"] = "alex@mail.test"
    msg["Subject"] = PAYLOAD
    msg["Message-ID"] = f"<{TRAVERSAL}/{PAYLOAD}@evil.test>"
    msg.set_content(PAYLOAD + f" {OUTSIDE}")
    msg.add_attachment(PAYLOAD.encode(), maintype="application", subtype="octet-stream",
                       filename=f"{TRAVERSAL}/passwd")
    return msg.as_bytes()


class Markup(HTMLParser):
    """Elements and attributes that could run or fetch something."""

    def __init__(self) -> None:
        super().__init__()
        self.live: list[str] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag in ("script", "iframe", "object", "embed", "svg", "base"):
            self.live.append(f"<{tag}>")
        for name, value in attrs:
            v = (value or "").strip().lower()
            if name.startswith("on") or (name in ("src", "srcset", "href") and v.startswith("javascript:")) \
                    or (name in ("src", "srcset") and v.startswith(("http:", "https:"))):
                self.live.append(f"<{tag} {name}={value!r}>")


def live_markup(html: str) -> list[str]:
    parser = Markup()
    parser.feed(html)
    return parser.live


def files_outside(root: Path, var: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*")
                  if p.is_file() and var not in p.parents and p.name != "config.yaml" and p.suffix != ".yaml")


def open_inert(browser, url: str) -> tuple[list[str], list[str], object]:
    """Load `url` in a fresh context; (requests other than the report's own files, dialogs, window.__pwned)."""
    ctx, _ = browser.new_context(block_hosts=[])
    outside, dialogs = [], []

    def route(r) -> None:
        u = r.request.url
        if u.startswith(("file://", "data:", "about:")):
            r.fallback()
        else:
            outside.append(u)
            r.abort()

    ctx.route("**/*", route)
    page = ctx.new_page()
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    try:
        page.goto(url)
        page.wait_for_load_state("load")
        pwned = page.evaluate("window.__pwned")
        for link in page.locator("a").all():
            href = (link.get_attribute("href") or "").strip().lower()
            if href.startswith("javascript:"):
                outside.append(href)
    finally:
        ctx.close()
    return outside, dialogs, pwned


@pytest.mark.imap
def test_hostile_content_in_every_report_field_is_inert_and_names_never_escape_var(audit, hostile_site, imap_user,
                                                                                 browser, tmp_path, figures):
    journey = tmp_path / "hostile.yaml"
    journey.write_text(f"name: {json.dumps(TRAVERSAL + ' ' + PAYLOAD)}\nsteps:\n"
                       f"  - open: /\n    name: {json.dumps(PAYLOAD)}\n"
                       f"  - screenshot: {json.dumps(TRAVERSAL)}\n"
                       f"  - check_links\n"
                       f"  - expect: {{text: {json.dumps(PAYLOAD)}}}\n    timeout: 1s\n")
    a = audit([journey], base_url=hostile_site)
    var = a.config.var_path
    kinds = sorted({f.kind for f in a.findings})
    assert {"broken_link", "page_error", "step_failed"} <= set(kinds), kinds

    imap_user.server.append(imap_user.login, "INBOX", hostile_mail(), when=datetime.now(timezone.utc))
    settings = ImapSettings(host=imap_user.server.host, port=imap_user.server.port, security="none",
                            user=imap_user.login, password=Secret("SHOPPER_IMAP_PASSWORD", imap_user.password))
    swept = Sweeper(a.store, settings, ManualClock(datetime.now(timezone.utc))).sweep()
    assert swept.ok and swept.new_messages == 1
    record_sweep(a.store, a.result.run_id, swept)
    figures.messages(1, len(a.store.messages()))

    index = render_run(a.store, a.result.run_id, var / "reports" / a.result.run_id, var)
    single = var / "reports" / "single.html"
    single.write_text(render_single_file(a.store, a.result.run_id, var), encoding="utf-8")
    html = index.read_text() + single.read_text()
    assert live_markup(html) == []
    assert "&lt;script&gt;window.__pwned=1" in html    # shown, as text

    pages = [index, single, *sorted((index.parent / "journeys").glob("*.html"))]
    for page in pages:
        outside, dialogs, pwned = open_inert(browser, page.as_uri())
        assert (outside, dialogs, pwned) == ([], [], None), page

    escaped = files_outside(tmp_path, var)
    escaped += [str(p) for up in tmp_path.parents[:4] for p in up.glob("escape*") if p.is_file()]
    assert escaped == [], escaped
    names = [p for p in var.rglob("*") if ".." in p.name or p.name.startswith(".")]
    assert names == []
    assert all(var in p.resolve().parents for p in var.rglob("*"))

