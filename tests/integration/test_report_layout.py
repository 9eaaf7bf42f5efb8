"""The report and its mail as a CIO reads them, in real Chromium at 1400 and 390 px: nothing wider than the
screen, no word broken mid-word in a table, every column of the mail visible on a phone."""
from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import pytest

from reports.mailing import build_report_email
from reports.render import render_run
from shopper.config import ReportConfig
from shopper.publish import report_sender
from tests.fixtures.report_page import check_report

pytestmark = pytest.mark.browser
ROOT = Path(__file__).resolve().parents[2]
NOW = datetime(2026, 3, 2, 8, 30, tzinfo=timezone.utc)

# Words (letters only, 2+) of table cells whose characters sit on more than one line: a mid-word wrap.
MID_WORD_JS = """() => {
  const out = [];
  for (const cell of document.querySelectorAll('td, th')) {
    if (cell.offsetParent === null) continue;
    const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      if (node.parentElement.closest('pre, code, a, .url, .page-title, time')) continue;   // may break anywhere
      for (const m of node.textContent.matchAll(/[A-Za-z]{2,}/g)) {
        const r = document.createRange();
        r.setStart(node, m.index); r.setEnd(node, m.index + m[0].length);
        const tops = new Set([...r.getClientRects()].filter(x => x.width > 0).map(x => Math.round(x.top)));
        if (tops.size > 1) out.push(m[0]);
      }
    }
  }
  return out;
}"""
# Stacked cells (a phone) narrower than their row: their "Label:" would wrap mid-word.
NARROW_STACKED_JS = """() => [...document.querySelectorAll('table.stack td')].filter(td => td.offsetParent !== null &&
  getComputedStyle(td).display === 'block' &&
  td.getBoundingClientRect().width < td.parentElement.getBoundingClientRect().width * 0.9).map(td => td.dataset.label)"""
# Cells of the mail's tables that end beyond the right edge of the screen (a cut-off column).
CUT_OFF_JS = """() => [...document.querySelectorAll('td')].filter(td => td.offsetParent !== null &&
  td.getBoundingClientRect().right > document.documentElement.clientWidth + 1).map(td => td.textContent.trim().slice(0, 40))"""


@pytest.fixture
def broken_report(audit, shop_broken, tmp_path):
    a = audit([ROOT / "journeys/browse_shop.yaml", ROOT / "journeys/account_login.yaml"], base_url=shop_broken.url,
              environ={"SHOPPER_SITE_PASSWORD": "x"})
    index = render_run(a.store, a.result.run_id, tmp_path / "report", a.config.var_path)
    return a, index


def look(browser, path: Path, width: int, js: str) -> list[str]:
    ctx, _ = browser.new_context(block_hosts=[])
    try:
        page = ctx.new_page()
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(path.as_uri())
        page.evaluate("() => document.querySelectorAll('details').forEach(d => d.open = true)")
        return page.evaluate(js)
    finally:
        ctx.close()


def test_the_report_reads_at_desktop_and_phone_widths(broken_report, browser, tmp_path):
    a, index = broken_report
    for width in (1400, 390):
        seen = check_report(browser, index, width, screenshot=tmp_path / f"report-{width}.png")
        assert seen.overflow == [] and seen.console == [], (width, seen)
        assert look(browser, index, width, MID_WORD_JS) == [], width
        assert look(browser, index, width, NARROW_STACKED_JS) == [], width
    html = index.read_text()
    assert 'class="stack observed"' in html or "Nothing out of the ordinary" in html
    assert "Everything else observed (" in html            # the rest behind a toggle
    fingerprints = {f.fingerprint for f in a.findings}
    hints = [h.split("<", 1)[0] for h in html.split("<code>runner.py show-trace ")[1:]]
    assert hints and set(hints) <= fingerprints             # every show-trace hint names a finding


def test_the_report_mail_reflows_to_a_phone_and_comes_from_the_reporter(broken_report, browser, tmp_path):
    a, _ = broken_report
    settings = ReportConfig(from_="Audit reports <reports@audit.example>", subject_prefix="[Kettle audit]")
    msg = build_report_email(a.store, a.result.run_id, html_single_file="<p>r</p>", to=["cio@example.test"],
                             sender=report_sender(type("C", (), {"report": settings, "alerts": a.config.alerts})(),
                                                  "shopper@example.test"),
                             now=NOW, settings=settings)
    assert msg["From"] == "Audit reports <reports@audit.example>"
    assert msg["Subject"].startswith("[Kettle audit] ") and " open" in msg["Subject"]
    page = tmp_path / "mail.html"
    page.write_text(msg.get_body(("html",)).get_content(), encoding="utf-8")
    for width in (1400, 390):
        seen = check_report(browser, page, width, screenshot=tmp_path / f"mail-{width}.png")
        assert seen.overflow == [], (width, seen.overflow)
        assert look(browser, page, width, CUT_OFF_JS) == [], width   # every column on screen


def test_the_reporter_address_defaults_to_the_alerts_sender_never_the_persona():
    from types import SimpleNamespace

    from shopper.alerts.settings import AlertsConfig, EmailAlertConfig

    alerts = AlertsConfig(email=EmailAlertConfig(to=["team@example.test"], from_="alerts@audit.example"))
    assert report_sender(SimpleNamespace(report=ReportConfig(), alerts=alerts), "shopper@example.test") == \
        "alerts@audit.example"
    bare = SimpleNamespace(report=ReportConfig(), alerts=AlertsConfig())
    assert report_sender(bare, "shopper@example.test") == "Mystery Shopper <shopper@example.test>"
