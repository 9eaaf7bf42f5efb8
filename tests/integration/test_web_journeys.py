"""The foundation end to end: shipped journeys in real Chromium against the real demo shop."""
from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from collections import Counter
from pathlib import Path

import pytest

from reports.render import render_run

pytestmark = pytest.mark.browser
ROOT = Path(__file__).resolve().parents[2]
JOURNEYS = ROOT / "journeys"
CASES = ROOT / "tests/data/journeys/cases"
SECRET = "kettle-secret-123"   # the demo shop's password


def shape(findings, base_url):
    """Subjects of the audited site are relative to its base URL (stable fingerprints across hosts)."""
    assert all(base_url not in f.subject for f in findings)
    return Counter((f.kind, f.journey, f.subject) for f in findings)


def web_journeys():
    return [JOURNEYS / "browse_shop.yaml", JOURNEYS / "account_login.yaml"]


def test_broken_world_yields_exactly_the_planted_web_defects(audit, shop_broken):
    a = audit(web_journeys(), base_url=shop_broken.url, environ={"SHOPPER_SITE_PASSWORD": SECRET})
    assert shape(a.findings, shop_broken.url) == Counter({
        ("broken_link", "browse_shop", "~/careers"): 1,
        ("broken_link", "browse_shop", "http://social.shop-demo.test/kettleco"): 1,
        ("page_error", "browse_shop", "http:500:~/reviews"): 1,
        ("page_error", "browse_shop", "js:~/product/1:Cannot read properties of undefined (reading 'refresh')"): 1,
    })
    dead = next(f for f in a.findings if "social" in f.subject)
    assert dead.data["error"].startswith("unreachable: DNS: ") and "NXDOMAIN" in dead.data["error"]
    careers = next(f for f in a.findings if f.subject.endswith("/careers"))
    assert careers.data["status"] == 404 and careers.data["page"] == shop_broken.url + "/"
    statuses = {j.name: (j.status, j.worst) for j in a.result.journeys}
    assert statuses == {"browse_shop": ("findings", "major"), "account_login": ("clean", None)}, statuses
    browse = next(j for j in a.result.journeys if j.name == "browse_shop")
    marked = {s.index for s in browse.steps if s.status == "findings"}
    assert marked == {f.step for f in a.findings}   # every step that produced a finding says so, and only those
    assert all(s.status in ("passed", "findings") for s in browse.steps)
    for f in a.findings:
        if f.kind == "page_error":   # what the customer saw, as evidence
            assert len(f.evidence) == 1 and f.evidence[0].endswith("page-error.png"), f
            assert (a.config.var_path / f.evidence[0]).is_file()


def test_healthy_twin_yields_none(audit, shop_healthy):
    a = audit(web_journeys(), base_url=shop_healthy.url, environ={"SHOPPER_SITE_PASSWORD": SECRET})
    assert a.findings == []
    assert [j.status for j in a.result.journeys] == ["clean", "clean"]


def test_each_web_defect_alone_yields_only_its_finding(audit, shop_factory):
    expected = {"broken_link": ("broken_link", "/careers"), "dead_host_link": ("broken_link", "social"),
                "server_error": ("page_error", "/reviews"), "js_error": ("page_error", "js:")}
    for defect, (kind, needle) in expected.items():
        shop = shop_factory([defect])
        a = audit([JOURNEYS / "browse_shop.yaml"], base_url=shop.url)
        assert [(f.kind, needle in f.subject) for f in a.findings] == [(kind, True)], defect


def test_report_shows_hostile_title_as_text_and_loads_nothing_else(audit, shop_broken, browser, tmp_path):
    a = audit(web_journeys(), base_url=shop_broken.url, environ={"SHOPPER_SITE_PASSWORD": SECRET})
    index = render_run(a.store, a.result.run_id, tmp_path / "report", a.config.var_path)
    ctx, _ = browser.new_context(block_hosts=[])
    page = ctx.new_page()
    console, requests, errors = [], [], []
    page.on("console", lambda m: console.append(f"{m.type}: {m.text}"))
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("request", lambda r: requests.append(r.url))
    try:
        page.goto(index.as_uri())
        page.screenshot(path=str(tmp_path / "report-overview.png"), full_page=True)
        assert page.locator(".finding").count() == 4
        titles = page.locator("#journey-browse-shop .page-title").all_text_contents()
        assert any(t.startswith("Deluxe Kettle <script>window.__pwned=1</script><img src=x onerror=") for t in titles)
        assert page.evaluate("typeof window.__pwned") == "undefined"
        assert page.locator("img[src=x]").count() == 0
    finally:
        ctx.close()
    report_dir = index.parent.resolve().as_uri()
    assert [r for r in requests if not r.startswith(report_dir)] == []
    assert console == [] and errors == []
    html = index.read_text()
    assert "<script>window.__pwned" not in html and "&lt;script&gt;window.__pwned" in html


def test_failing_step_leaves_screenshot_and_trace(audit, shop_healthy):
    a = audit([CASES / "fails_early.yaml"], base_url=shop_healthy.url, environ={"SHOPPER_SITE_PASSWORD": SECRET})
    (f,) = a.findings
    assert (f.kind, f.step) == ("step_failed", 1)
    assert "does not show the text 'A sentence the contact page does not have'" in f.detail
    pngs = [e for e in f.evidence if e.endswith(".png")]
    zips = [e for e in f.evidence if e.endswith(".zip")]
    assert len(pngs) == 1 and len(zips) == 2   # the steps, then the failure with DOM snapshots (test_traces.py)
    assert (a.config.var_path / pngs[0]).read_bytes()[:4] == b"\x89PNG"
    assert all("trace.trace" in zipfile.ZipFile(a.config.var_path / z).namelist() for z in zips)
    (j,) = a.result.journeys
    assert [s.status for s in j.steps] == ["passed", "failed", "skipped"]
    assert j.status == "incomplete"   # what the skipped step would have found is unknown


def test_secrets_never_reach_store_json_report_or_trace(audit, shop_healthy, tmp_path):
    a = audit([CASES / "fails_late.yaml"], base_url=shop_healthy.url, environ={"SHOPPER_SITE_PASSWORD": SECRET})
    (f,) = a.findings
    assert f.kind == "step_failed" and f.step == 4
    # tracing stopped before the secret was typed: the kept part ends before it
    assert [e for e in f.evidence if e.endswith(".zip")] == [
        f"artifacts/{a.result.run_id}/fails-late/trace-part1.zip"]
    (a.config.var_path / "run.json").write_text(json.dumps(a.result.to_json()))
    render_run(a.store, a.result.run_id, a.config.var_path / "report", a.config.var_path)
    leaks = []
    for p in a.config.var_path.rglob("*"):
        if p.is_file():
            data = p.read_bytes()
            if p.suffix == ".zip":
                with zipfile.ZipFile(p) as z:
                    data = b"".join(z.read(n) for n in z.namelist())
            if SECRET.encode() in data:
                leaks.append(str(p))
    assert leaks == []
    fill = a.result.journeys[0].steps[2]
    assert fill.detail == "filled label '/password/i' with '***'" or "***" in fill.detail


def test_hanging_journey_times_out_and_the_next_one_runs(audit, shop_healthy):
    a = audit([CASES / "hangs.yaml", ROOT / "tests/data/journeys/good/home.yaml"], base_url=shop_healthy.url)
    hang, home = a.result.journeys
    assert hang.status == "incomplete" and home.status == "clean"
    assert hang.duration_ms < 10_000
    assert "Timeout" in hang.steps[1].error


def test_blocked_hosts_are_aborted_and_counted(audit, shop_healthy):
    a = audit([CASES / "tracker.yaml"], base_url=shop_healthy.url)
    (j,) = a.result.journeys
    assert j.status == "clean"
    assert j.blocked_requests == {"tracker.shop-demo.test": 2}


def test_extract_select_press_wait_and_variables(audit, shop_healthy):
    a = audit([CASES / "extract_vars.yaml"], base_url=shop_healthy.url)
    (j,) = a.result.journeys
    statuses = [s.status for s in j.steps]
    assert statuses == ["passed"] * 14 + ["failed", "passed"], [(s.label, s.error) for s in j.steps]
    extracted = {o.data["name"]: o.data["value"] for o in j.observations if o.kind == "extracted"}
    assert extracted["order_no"].startswith("KC-")
    assert extracted["tracking"].endswith(f"/courier/track/{extracted['order_no']}")
    assert [f.kind for f in a.findings] == ["step_failed"]   # continue_on_error still reports the failure
    assert j.status == "findings"   # every step ran: complete, with a finding


def test_links_resolve_through_the_configured_resolver(audit, shop_healthy, tmp_path):
    from shopper.config import DnsConfig
    port = shop_healthy.url.rsplit(":", 1)[1]
    journey = tmp_path / "dns.yaml"
    journey.write_text("name: dns\nsteps:\n  - open: \"data:text/html,<a href='http://www.kettle.test:"
                       f"{port}/privacy'>p</a><a href='http://gone.kettle.test/'>g</a>\"\n  - check_links\n")
    a = audit([journey], dns=DnsConfig(hosts={"www.kettle.test": ["127.0.0.1"]}))
    links = {o.data["url"]: (o.data["ok"], o.data["status"]) for o in a.result.journeys[0].observations
             if o.kind == "link"}
    assert links == {f"http://www.kettle.test:{port}/privacy": (True, 200), "http://gone.kettle.test/": (False, None)}


def run_cli(*args, env_extra=None, cwd=ROOT):
    import os
    env = {**os.environ, **(env_extra or {})}
    return subprocess.run([sys.executable, str(ROOT / "runner.py"), *args], cwd=cwd, capture_output=True,
                          text=True, timeout=240, env=env)


def test_cli_runs_good_files_and_reports_bad_ones(shop_healthy, tmp_path):
    out = tmp_path / "run.json"
    proc = run_cli("run", "tests/data/journeys/good", "tests/data/journeys/bad", "--base-url", shop_healthy.url,
                   "--json", str(out), "--var-dir", str(tmp_path / "var"))
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "tests/data/journeys/bad/mistakes.yaml:5:5: 'clik' is not a step kind" in proc.stderr
    data = json.loads(out.read_text())
    assert data["schema"] == "mystery-shopper/run/v1"
    assert [(j["name"], j["status"]) for j in data["journeys"]] == [("home_page", "clean")]
    assert sorted(Path(i["path"]).name for i in data["invalid"]) == ["mistakes.yaml", "not_a_journey.yaml",
                                                                    "syntax.yaml"]
    assert "report: " in proc.stdout


def test_cli_exit_1_on_findings_and_0_when_clean(shop_broken, shop_healthy, tmp_path):
    args = ["run", "journeys/browse_shop.yaml", "--var-dir", str(tmp_path / "var"), "--no-report"]
    bad = run_cli(*args, "--base-url", shop_broken.url)
    good = run_cli(*args, "--base-url", shop_healthy.url)
    assert (bad.returncode, good.returncode) == (1, 0), bad.stderr + good.stderr
    assert "4 finding(s)" in bad.stdout and "0 finding(s)" in good.stdout
