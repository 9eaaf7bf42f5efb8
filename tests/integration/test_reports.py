"""Reports for the CIO: history across demo runs, scores, evidence; the report in real Chromium."""
from __future__ import annotations

import dataclasses
from html.parser import HTMLParser
from pathlib import Path

import pytest

from demo.run import audit_demo
from demo.world import DemoWorld
from reports.history import history
from reports.render import render_run
from shopper.config import ReportConfig, load_config
from shopper.model import Finding, Observation
from shopper.store import open_store
from tests.fixtures.report_page import check_report

pytestmark = [pytest.mark.browser, pytest.mark.imap, pytest.mark.smtp, pytest.mark.slow]
ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "var" / "test-artifacts"


@pytest.fixture(scope="module")
def demo_history(tmp_path_factory, browser):
    """Four demo runs in one store: broken, healthy, broken, broken."""
    tmp = tmp_path_factory.mktemp("reports")
    config = dataclasses.replace(load_config(ROOT / "config.yaml", environ={}), var_dir=str(tmp / "var"),
                                 base_dir=str(ROOT))
    store = open_store(config.store_url)
    runs = []
    for defects in (None, (), None, None):
        with DemoWorld.start(defects) as world:
            runs.append(audit_demo(world, config, store, browser=browser, progress=lambda _: None))
    yield config, store, runs
    store.close()


def test_new_recurring_fixed_and_scores(demo_history):
    _, store, runs = demo_history
    counts = []
    for r in runs:
        h = history(store, r.run_id, store.findings(r.run_id))
        counts.append((len(h.new), len(h.recurring), len(h.fixed), store.run(r.run_id).summary["score"]))
    assert counts == [(14, 0, 0, 51), (0, 0, 14, 100), (14, 0, 0, 51), (0, 14, 0, 51)], [
        [(f["kind"], f["title"][:80]) for f in store.findings(r.run_id)] for r in runs]
    last = history(store, runs[3].run_id, store.findings(runs[3].run_id))
    assert {f["runs"] for f in last.recurring} == {2}
    assert [t["score"] for t in last.trend] == [51, 100, 51, 51]
    assert store.run(runs[0].run_id).summary["processes"] == {"orders": 60, "payment": 60, "support": 52,
                                                              "tracking": 60, "unsubscribe": 40, "website": 32}


class Text(HTMLParser):
    """The text a reader sees (no style), and the src of every image."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.parts, self.srcs, self._style = [], [], False
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self._style = tag == "style"
        if tag == "img":
            self.srcs.append(dict(attrs).get("src"))

    def handle_endtag(self, tag):
        self._style = False

    def handle_data(self, data):
        if not self._style:
            self.parts.append(data)

    @property
    def text(self) -> str:
        return " ".join(" ".join(self.parts).split())


@pytest.fixture(scope="module")
def last_report(demo_history):
    config, store, runs = demo_history
    settings = ReportConfig(timezone="Europe/Berlin", company="Kettle & Co")
    index = render_run(store, runs[3].run_id, config.var_path / "report-last", config.var_path, settings=settings)
    return config, store, runs[3].run_id, index


def test_report_shows_evidence_for_every_finding_kind(last_report):
    config, store, run_id, index = last_report
    html = index.read_text()
    assert 'id="score">51<' in html and 'id="open-count">14<' in html and 'id="new-count">0<' in html
    # every kind the demo run produced has its card (every kind the registry knows: tests/unit/test_report_kinds.py)
    kinds = {f["kind"] for f in store.findings(run_id)}
    assert len(kinds) >= 10, kinds
    for kind in kinds:
        assert f'data-kind="{kind}"' in html, kind
    assert "552 5.2.2" in html and "5.1.1" in html and "mx.shop-demo.test" in html      # bounce details
    assert "Kettle &amp; Co news #3" in html                                           # newsletters after unsubscribing
    assert "Your transaction was successful" in html and "evidence-views" in html      # payment views side by side
    assert "track.parcel-courier.test" in html and "NXDOMAIN" in html                  # courier link and its error
    assert "What to fix" in html and 'id="response-times"' in html
    # the executive summary: score trend on a dated axis, bars per process, what to fix first, new and fixed
    summary = html[html.index('id="summary"'):html.index('id="findings"')]
    assert summary.count("<circle") == 4 and "Health score over time" in summary
    assert [b.count("<li>") for b in [summary[summary.index('id="process-bars"'):summary.index("</ul>")]]] == [6]
    assert summary[summary.index('id="fix-first"'):].count("<li>") >= 3 and 'id="what-was-fixed"' in summary


def test_report_reads_like_a_person_wrote_it(last_report):
    config, store, run_id, index = last_report
    html = index.read_text()
    seen = Text(html)
    for repr_ in ("None", "True", "False", "{'", "[]", "Duration(", "site:", "${"):
        assert repr_ not in seen.text, repr_
    assert "CET" in seen.text and "+00:00" not in seen.text and "T07:" not in seen.text
    # each screenshot once, numbered like the steps (from 1)
    assert len(seen.srcs) == len(set(seen.srcs)) >= 4
    for f in store.findings(run_id):
        for e in f["evidence"]:
            assert Path(e).name.startswith(f"step-{f['step'] + 1:02d}-"), (f["kind"], e)
    # one timeline per expectation of this run, none of the earlier runs'
    mine = [e for e in store.expectations() if e.run_id == run_id]
    others = [e for e in store.expectations() if e.run_id != run_id]
    assert html.count('class="story') == len(mine) == 7 and others   # 3 of them the orders' notices
    assert all(e.token in html for e in mine) and not any(e.token in html for e in others)
    assert "acknowledged" in seen.text and "breached: no answer" in seen.text and "bounced: mailboxfull" in seen.text
    # step labels with their values: no ${...}, and the tracking screenshot is the page the customer got
    steps = {j["name"]: j["steps"] for j in store.journeys(run_id)}
    labels = [s["label"] for s in steps["account_login"]]
    assert (labels[0], labels[-1]) == ("open /login", "expect /welcome back/i")
    at = next(s["idx"] for s in steps["track_order"] if s["kind"] == "check_tracking")
    tracking = [o for o in store.observations(run_id) if o["journey"] == "track_order" and o["kind"] == "page"
                and o["step"] == at]
    assert [o["data"]["url"] for o in tracking] == ["chrome-error://chromewebdata/"]   # the browser's error page


def test_report_in_chromium_at_desktop_and_phone_widths(last_report, browser):
    config, store, run_id, index = last_report
    for width in (1400, 390):
        seen = check_report(browser, index, width, screenshot=ARTIFACTS / f"report-{width}.png")
        assert seen.overflow == [] and seen.console == [] and seen.outside == [], (width, seen)
        assert seen.axe == [], (width, seen.axe)
    ctx, _ = browser.new_context(block_hosts=[])
    page = ctx.new_page()
    visible = "els => els.filter(e => e.offsetParent !== null).length"
    try:
        page.goto(index.as_uri())
        assert page.locator(".finding").evaluate_all(visible) == 14
        page.locator("label[for=fs-critical]").click()          # CSS-only chips: no script runs
        assert page.locator(".finding").evaluate_all(visible) == 2   # payment_inconsistent, refund_overdue
        assert page.locator(".group").evaluate_all(visible) == 2   # one group per process: payment, orders
        page.locator("label[for=fs-all]").click()
        page.locator("label[for=fp-website]").click()
        assert page.locator(".finding").evaluate_all(visible) == 4
        page.locator("a[href^='#f-']").first.click()             # "fix these first" opens the finding
        target = page.evaluate("location.hash")
        assert page.locator(target).evaluate("e => e.closest('details').open")
    finally:
        ctx.close()


HOSTILE = '<script>window.__pwned=1</script><img src=x onerror="window.__pwned=2"><a href="javascript:window.__pwned=3">x</a>'


def test_hostile_content_is_inert(tmp_path, browser):
    store = open_store(str(tmp_path / "s.db"))
    store.begin_run("r1", "2026-01-05T09:00:00+00:00")
    store.save_observations("r1", [
        Observation("mail_received", "j", None, {"kind": "reply", "from": f"x{HOSTILE}@evil.test",
                                                "subject": HOSTILE, "received_at": "2026-01-05T10:00:00+00:00",
                                                "token": None, "parse_problems": [HOSTILE]}, "t"),
        Observation("expectation", "j", 0, {"changes": ["breached"], "channel": "email", "target": HOSTILE,
                                            "state": "breached", "created_at": "2026-01-05T09:00:00+00:00",
                                            "acked_at": None, "answered_at": None, "answer_deadline": HOSTILE,
                                            "ack_missed": False}, "t")])
    store.save_findings("r1", [
        Finding.of("broken_link", severity="major", journey=HOSTILE, subject="javascript:window.__pwned=4",
                   title=HOSTILE, detail=HOSTILE, data={"url": "javascript:window.__pwned=5", "page": HOSTILE}),
        Finding.of("bounced_mailbox", severity="major", journey="j", subject=HOSTILE, title=HOSTILE,
                   data={"recipient": HOSTILE, "reason": HOSTILE, "status": "5.1.1", "excerpt": HOSTILE,
                         "reporting_mta": HOSTILE, "to": HOSTILE}),
        Finding.of("payment_inconsistent", severity="critical", journey="j", subject="payment", title="p",
                   data={"views": {HOSTILE: HOSTILE}, "labels": {HOSTILE: HOSTILE}})])
    store.finish_run("r1", "2026-01-05T09:05:00+00:00", "findings", {"findings": 3})
    index = render_run(store, "r1", tmp_path / "report", tmp_path)
    html = index.read_text()
    assert "<script>window" not in html and 'href="javascript:' not in html and "<img src=x" not in html
    ctx, _ = browser.new_context(block_hosts=[])
    page = ctx.new_page()
    try:
        page.goto(index.as_uri())
        for link in page.locator("a").all()[:20]:
            href = link.get_attribute("href") or ""
            assert not href.lower().startswith("javascript:")
        assert page.evaluate("typeof window.__pwned") == "undefined"
        assert page.locator("text=<script>window.__pwned=1</script>").count() >= 1   # shown as text
    finally:
        ctx.close()
    store.close()
