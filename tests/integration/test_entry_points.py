"""Every way of running — the CLI, the pytest plugin, the demo — stores, scores and alerts the same way."""
from __future__ import annotations

import dataclasses
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from demo.run import audit_demo
from demo.world import DemoWorld
from shopper.config import load_config
from shopper.publish import Outputs
from shopper.store import open_store

pytestmark = [pytest.mark.browser, pytest.mark.slow]
ROOT = Path(__file__).resolve().parents[2]
BROWSE = ROOT / "journeys" / "browse_shop.yaml"
BROWSERS = os.environ.get("PLAYWRIGHT_BROWSERS_PATH") or str(Path.home() / ".cache" / "ms-playwright")


@pytest.fixture
def alerting_config(tmp_path, webhook) -> Path:
    """The shipped config.yaml plus alerts to the loopback webhook."""
    path = tmp_path / "config.yaml"
    text = (ROOT / "config.yaml").read_text(encoding="utf-8")
    path.write_text(text + f"\nalerts:\n  webhook: {{url: '{webhook.url}'}}\n  min_severity: minor\n",
                    encoding="utf-8")
    return path


def alerted(webhook) -> list[tuple[str, tuple[str, ...]]]:
    """What was alerted: (trigger, fingerprints) per request; fingerprints are site-relative, so comparable."""
    out = sorted((r.json()["trigger"], tuple(sorted(f["fingerprint"] for f in r.json()["findings"])))
                 for r in webhook.requests)
    webhook.reset()
    return out


def test_cli_plugin_and_demo_send_the_same_alerts(alerting_config, webhook, shop_broken, tmp_path, pytester,
                                                   monkeypatch, browser):
    # the CLI
    out = subprocess.run([sys.executable, str(ROOT / "runner.py"), "run", str(BROWSE), "--config",
                          str(alerting_config), "--base-url", shop_broken.url, "--var-dir", str(tmp_path / "cli"),
                          "--no-report"], capture_output=True, text=True, timeout=240)
    assert out.returncode == 1, out.stdout + out.stderr
    cli = alerted(webhook)
    assert cli and cli[0][0] == "new_findings" and len(cli[0][1]) == 4, cli
    assert "alerts: webhook 200" in out.stdout

    # the pytest plugin: one item, one run, published like the CLI's
    monkeypatch.setenv("SHOPPER_VAR_DIR", str(tmp_path / "plugin"))
    monkeypatch.setenv("PLAYWRIGHT_BROWSERS_PATH", BROWSERS)
    shutil.copy(BROWSE, pytester.mkdir("journeys") / BROWSE.name)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", f"--shopper-base-url={shop_broken.url}",
                                           f"--shopper-config={alerting_config}", "journeys", timeout=240)
    result.assert_outcomes(failed=1)
    assert alerted(webhook) == cli

    # the demo: the same journey in a broken demo world
    config = dataclasses.replace(load_config(alerting_config, environ={}), var_dir=str(tmp_path / "demo"))
    store = open_store(config.store_url)
    try:
        with DemoWorld.start(None) as world:
            demo = audit_demo(world, config, store, journeys=[BROWSE], browser=browser, progress=lambda _: None,
                              outputs=Outputs())
    finally:
        store.close()
    assert demo.published.report.is_file()
    assert alerted(webhook) == cli


def test_plugin_honours_fail_on(pytester, monkeypatch, shop_broken, tmp_path):
    monkeypatch.setenv("SHOPPER_VAR_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("PLAYWRIGHT_BROWSERS_PATH", BROWSERS)
    shutil.copy(BROWSE, pytester.mkdir("journeys") / BROWSE.name)
    args = ("-p", "no:cacheprovider", f"--shopper-base-url={shop_broken.url}",
            f"--shopper-config={ROOT / 'config.yaml'}", "journeys")
    result = pytester.runpytest_subprocess(*args, "-rP", "--shopper-fail-on=critical", timeout=240)
    result.assert_outcomes(passed=1, warnings=1)   # passes, but its findings are shown, never silently
    out = result.stdout.str()
    assert "findings reported, not failing" in out and "4 finding(s) reported, not failing it" in out
    typo = pytester.runpytest_subprocess(*args, "--shopper-fail-on=critcal", timeout=240)
    assert typo.ret != 0 and "did you mean 'critical'?" in typo.stdout.str() + typo.stderr.str()


@pytest.mark.imap
@pytest.mark.smtp
def test_status_and_report_last_show_the_demo_run(tmp_path):
    def cli(*args):
        return subprocess.run([sys.executable, str(ROOT / "runner.py"), *args, "--var-dir", str(tmp_path / "var")],
                              capture_output=True, text=True, timeout=300, cwd=tmp_path)

    demo = cli("demo", "--defect", "broken_link")
    assert demo.returncode == 1, demo.stdout + demo.stderr
    run_id = next(line.split()[1].rstrip(":") for line in demo.stdout.splitlines() if line.startswith("run "))
    assert f"store {tmp_path / 'var' / 'shopper.db'}" in demo.stdout
    status = cli("status")
    assert status.returncode == 0 and f"last run {run_id} " in status.stdout, status.stdout + status.stderr
    assert "[minor] broken_link" in status.stdout and "passed" not in status.stdout
    report = cli("report", "--last")
    assert report.returncode == 0 and f"reports/{run_id}" in report.stdout


def test_version():
    out = subprocess.run([sys.executable, str(ROOT / "runner.py"), "--version"], capture_output=True, text=True,
                         timeout=60)
    assert out.returncode == 0 and out.stdout.startswith("runner.py ") and out.stdout.split()[1][0].isdigit()
