"""Retries in CI: re-run a journey that failed before writing to anyone; flaky findings; --fail-on."""
from __future__ import annotations

import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser
ROOT = Path(__file__).resolve().parents[2]


class FlakyHandler(BaseHTTPRequestHandler):
    """/flaky answers 500 the first time and 200 after; /form takes a POST then shows a page missing a text."""

    hits: dict[str, int] = {}

    def log_message(self, *args) -> None:
        return

    def _page(self, status: int, body: str) -> None:
        data = f"<!doctype html><title>t</title><main>{body}</main>".encode()
        self.send_response(status)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:
        n = FlakyHandler.hits[self.path] = FlakyHandler.hits.get(self.path, 0) + 1
        if self.path == "/flaky":
            self._page(500 if n == 1 else 200, "flaky page")
        elif self.path == "/always":
            self._page(500, "always broken")
        else:
            self._page(200, '<form method="post" action="/form"><label>Name <input name="n"></label>'
                            '<button>Send</button></form>')

    def do_POST(self) -> None:
        FlakyHandler.hits["POST /form"] = FlakyHandler.hits.get("POST /form", 0) + 1
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self._page(500, "thanks?")


@pytest.fixture
def flaky_site():
    FlakyHandler.hits = {}
    server = ThreadingHTTPServer(("127.0.0.1", 0), FlakyHandler)
    t = threading.Thread(target=server.serve_forever, daemon=True)
    t.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def journey(tmp_path, name, steps):
    p = tmp_path / f"{name}.yaml"
    p.write_text(f"name: {name}\nsteps:\n" + "".join(f"  - {s}\n" for s in steps))
    return p


@pytest.fixture
def run_with_retries(browser, tmp_path):
    """`run_with_retries(paths, base_url, retries)` runs journeys through the engine with the real browser."""
    import dataclasses

    from shopper.audit import AuditOptions, AuditSession, select_journeys
    from shopper.clock import SystemClock
    from shopper.config import load_config
    from shopper.secrets import Redactor
    from shopper.store import open_store

    def run(paths, base_url, retries):
        config = dataclasses.replace(load_config(ROOT / "config.yaml", environ={}), var_dir=str(tmp_path / "var"))
        store = open_store(config.store_url)
        try:
            session = AuditSession(config, store, SystemClock(), {}, browser=browser, redactor=Redactor())
            return session.run(select_journeys(paths, config), AuditOptions(base_url=base_url, retries=retries))
        finally:
            store.close()

    return run


def test_retry_marks_a_passing_second_attempt_flaky(run_with_retries, flaky_site, tmp_path):
    result = run_with_retries([journey(tmp_path, "flaky", ["open: /flaky"])], flaky_site, retries=2)
    (f,) = result.findings
    assert f.kind == "page_error" and f.data["flaky"] and f.data["seen_on"] == "1 of 2 attempts"
    assert FlakyHandler.hits["/flaky"] == 2


def test_always_failing_journey_is_not_flaky_after_all_retries(run_with_retries, flaky_site, tmp_path):
    result = run_with_retries([journey(tmp_path, "always", ["open: /always"])], flaky_site, retries=2)
    (f,) = result.findings
    assert f.kind == "page_error" and not f.data.get("flaky")
    assert FlakyHandler.hits["/always"] == 3


def test_a_journey_that_submitted_a_form_is_never_rerun(run_with_retries, flaky_site, tmp_path):
    j = journey(tmp_path, "form", ["open: /", "fill: {label: Name, value: Ann}", "click: {role: button, named: Send}"])
    result = run_with_retries([j], flaky_site, retries=3)
    assert [f.kind for f in result.findings] == ["page_error"]
    assert FlakyHandler.hits["POST /form"] == 1


def test_fail_on_severity_and_kinds(flaky_site, tmp_path):
    j = journey(tmp_path, "always", ["open: /always"])
    def run(*extra):
        return subprocess.run([sys.executable, str(ROOT / "runner.py"), "run", str(j), "--base-url", flaky_site,
                               "--var-dir", str(tmp_path / "var"), "--no-report", *extra],
                              capture_output=True, text=True, timeout=120).returncode
    assert run() == 1
    assert run("--fail-on", "critical") == 0
    assert run("--fail-on", "major") == 1
    assert run("--fail-on", "broken_link,tracking_broken") == 0
    assert run("--fail-on", "page_error") == 1


def test_junit_file_from_the_cli_reads_back(flaky_site, tmp_path):
    import xml.etree.ElementTree as ET

    j = journey(tmp_path, "always", ["open: /always"])
    out = tmp_path / "junit.xml"
    p = subprocess.run([sys.executable, str(ROOT / "runner.py"), "run", str(j), "--base-url", flaky_site,
                        "--var-dir", str(tmp_path / "var"), "--no-report", "--junit", str(out)],
                       capture_output=True, text=True, timeout=120)
    assert p.returncode == 1, p.stderr
    suite = ET.parse(out).getroot().find("testsuite")
    assert suite.get("tests") == "1" and suite.get("failures") == "1"
    (case,) = suite.findall("testcase")
    assert case.get("name") == "always" and case.find("failure").get("type") == "page_error"
