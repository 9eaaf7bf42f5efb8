"""Traces a developer can use: DOM snapshots, actions under the journey's step names, `show-trace` finds them."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser
ROOT = Path(__file__).resolve().parents[2]
CASES = ROOT / "tests/data/journeys/cases"


def trace_events(path: Path) -> list[dict]:
    with zipfile.ZipFile(path) as z:
        return [json.loads(line) for line in z.read("trace.trace").decode().splitlines() if line.strip()]


@pytest.fixture
def failed(audit, shop_healthy):
    a = audit([CASES / "fails_early.yaml"], base_url=shop_healthy.url, environ={"SHOPPER_SITE_PASSWORD": "x"})
    (f,) = a.findings
    traces = [a.config.var_path / e for e in f.evidence if e.endswith(".zip")]
    return a, f, traces


def test_trace_keeps_dom_snapshots_and_groups_actions_by_step(failed):
    a, _, (steps, failure) = failed   # the steps, recorded cheaply; from the failing step on, with DOM snapshots
    assert a.config.browser.trace_snapshots is True            # the default
    events = trace_events(failure)      # the part show-trace opens: the page the failure left
    assert any(e.get("type") == "frame-snapshot" for e in events), "no DOM snapshot: the viewer would be blank"
    assert [e["title"] for e in events if e.get("method") == "tracingGroup"] == ["the page after step 2"]
    events = trace_events(steps)
    assert not any(e.get("type") == "frame-snapshot" for e in events)   # trace: on-failure, before the failure
    groups = [e["title"] for e in events if e.get("type") == "before" and e.get("method") == "tracingGroup"]
    # numbered like the report's steps, with the values filled in (the contact page's path is a literal here)
    assert groups == ["1. open /contact", "2. expect A sentence the contact page does not have"]
    opens = [e for e in events if e.get("type") == "before" and e.get("method") == "goto"]
    group_ids = {e["callId"] for e in events if e.get("type") == "before" and e.get("method") == "tracingGroup"}
    assert opens and all(e.get("parentId") in group_ids for e in opens), "page.goto is not inside its step's group"


def test_trace_always_keeps_dom_snapshots_from_the_start(audit, shop_healthy):
    import dataclasses

    from shopper.config import load_config

    browser = dataclasses.replace(load_config(ROOT / "config.yaml", environ={}).browser, trace="always")
    a = audit([CASES / "fails_early.yaml"], base_url=shop_healthy.url, environ={"SHOPPER_SITE_PASSWORD": "x"},
              browser=browser)
    (f,) = a.findings
    first = a.config.var_path / next(e for e in f.evidence if e.endswith(".zip"))
    assert any(e.get("type") == "frame-snapshot" for e in trace_events(first))


def run_cli(*args: str, var_dir: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    return subprocess.run([sys.executable, str(ROOT / "runner.py"), *args, "--var-dir", str(var_dir)],
                          capture_output=True, text=True, timeout=120, cwd=ROOT, env=env)


def test_show_trace_finds_the_trace_by_fingerprint_prefix_and_show_report_prints_the_path(failed):
    a, f, traces = failed
    out = run_cli("show-trace", f.fingerprint[:8], var_dir=a.config.var_path)
    assert out.returncode == 0, out.stderr
    assert all(f"trace: {trace}" in out.stdout for trace in traces)
    assert f"-m playwright show-trace {traces[-1]}" in out.stdout       # no display: the command to run
    missing = run_cli("show-trace", "ffffffffff", var_dir=a.config.var_path)
    assert missing.returncode == 2 and "no finding 'ffffffffff'" in missing.stderr
    short = run_cli("show-trace", "ab", var_dir=a.config.var_path)
    assert short.returncode == 2 and "at least 4 characters" in short.stderr
    report = run_cli("show-report", var_dir=a.config.var_path)
    index = a.config.var_path / "reports" / a.result.run_id / "index.html"
    assert report.returncode == 0 and report.stdout.strip() == str(index) and index.is_file()
    for cmd in ("show-report", "show-trace"):
        assert run_cli(cmd, "--help", var_dir=a.config.var_path).returncode == 0
