"""Reports for the CIO: history across demo runs, scores, evidence; the report in real Chromium."""
from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from demo.run import audit_demo
from demo.world import DemoWorld
from reports.history import history
from reports.render import render_run
from shopper.config import load_config
from shopper.model import Finding, Observation
from shopper.store import open_store

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
    assert counts == [(13, 0, 0, 49), (0, 0, 13, 100), (13, 0, 0, 49), (0, 13, 0, 49)]
    last = history(store, runs[3].run_id, store.findings(runs[3].run_id))
    assert {f["runs"] for f in last.recurring} == {2}
    assert [t["score"] for t in last.trend] == [49, 100, 49, 49]
    assert store.run(runs[0].run_id).summary["processes"] == {"payment": 60, "support": 52, "tracking": 60,
                                                              "unsubscribe": 40, "web": 32}


def test_report_shows_evidence_for_every_finding_kind(demo_history, browser):
    config, store, runs = demo_history
    index = render_run(store, runs[3].run_id, config.var_path / "report-last", config.var_path)
    html = index.read_text()
    assert 'id="score">49<' in html and 'id="open-count">13<' in html and 'id="new-count">0<' in html
    for kind in ("bounced_mailbox", "unanswered_email", "unanswered_form", "no_acknowledgement",
                 "unsubscribe_ignored", "payment_inconsistent", "duplicate_confirmation", "tracking_broken",
                 "broken_link", "page_error"):
        assert f'data-kind="{kind}"' in html, kind
    assert "552 5.2.2" in html and "5.1.1" in html and "mx.shop-demo.test" in html      # bounce details
    assert "Kettle &amp; Co news #3" in html                                           # newsletters after unsubscribing
    assert "Your transaction was successful" in html and "evidence-views" in html      # payment views side by side
    assert "track.parcel-courier.test" in html and "NXDOMAIN" in html                  # courier link and its error
    assert "What to fix" in html and "<svg" in html and 'id="response-times"' in html
    ctx, _ = browser.new_context(block_hosts=[])
    page = ctx.new_page()
    errors, requests = [], []
    page.on("console", lambda m: errors.append(m.text) if m.type in ("error", "warning") else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("request", lambda r: requests.append(r.url))
    try:
        page.goto(index.as_uri())
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "report-overview.png"))
        for link in page.locator("a[href^='journeys/']").evaluate_all("els => [...new Set(els.map(e => e.href))]"):
            page.goto(link)
    finally:
        ctx.close()
    assert errors == []
    assert [u for u in requests if not u.startswith(index.parent.as_uri())] == []


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
