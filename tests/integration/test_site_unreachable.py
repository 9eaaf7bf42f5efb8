"""Name the cause once: a site that is not there is one `site_unreachable` finding, with the cause in words."""
from __future__ import annotations

import json
import socket
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from shopper.reachability import short_error, unreachable_cause

pytestmark = pytest.mark.browser
ROOT = Path(__file__).resolve().parents[2]
TWO = {"first": "name: first\ntags: [web]\nsteps:\n  - open: /login\n  - expect: Welcome\n  - open: /account\n",
       "second": "name: second\ntags: [support]\nsteps:\n  - open: /\n  - expect: Contact\n"}


def journeys(tmp_path: Path) -> list[Path]:
    paths = []
    for name, text in TWO.items():
        (tmp_path / f"{name}.yaml").write_text(text)
        paths.append(tmp_path / f"{name}.yaml")
    return paths


def _debug_kinds(a):
    return [(f.kind, f.title) for f in a.findings]


def only_unreachable(a):
    assert [f.kind for f in a.findings] == ["site_unreachable"], [(f.kind, f.title) for f in a.findings]
    assert [j.status for j in a.result.journeys] == ["incomplete", "incomplete"]
    return a.findings[0]


def test_a_name_that_does_not_resolve_is_one_finding_for_the_site(audit, tmp_path):
    a = audit(journeys(tmp_path), base_url="http://shop-gone.test")
    (f,) = [only_unreachable(a)]
    assert f.severity == "critical"
    assert f.title == "Site unreachable: the name shop-gone.test does not resolve (DNS: no such host)"
    assert "ERR_NAME_NOT_RESOLVED" in f.detail
    first, second = a.result.journeys
    assert first.error == "not run: site unreachable: the name shop-gone.test does not resolve (DNS: no such host)"
    assert second.error.startswith("not started: site unreachable: the name shop-gone.test")
    assert all(s.status == "skipped" for s in second.steps)   # not tried again: the cause is known
    assert f.data["journeys"] == ["first", "second"]


def test_refused_connections_are_named(audit, tmp_path):
    with socket.socket() as s:   # a port nothing listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    a = audit(journeys(tmp_path), base_url=f"http://127.0.0.1:{port}")
    assert only_unreachable(a).title == "Site unreachable: 127.0.0.1 refuses connections (nothing listens on that port)"


class Down(BaseHTTPRequestHandler):
    def log_message(self, *args) -> None:
        return

    def do_GET(self) -> None:
        body = b"<h1>Service Unavailable</h1>"
        self.send_response(503)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def test_a_home_page_answering_5xx_is_the_site_being_down(audit, tmp_path):
    server = ThreadingHTTPServer(("127.0.0.1", 0), Down)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        (tmp_path / "home.yaml").write_text("name: home\nsteps:\n  - open: /\n  - expect: Contact\n")
        (tmp_path / "again.yaml").write_text("name: again\nsteps:\n  - open: /\n")
        a = audit([tmp_path / "again.yaml", tmp_path / "home.yaml"], base_url=f"http://127.0.0.1:{server.server_address[1]}")
    finally:
        server.shutdown()
        server.server_close()
    unreachable = [f for f in a.findings if f.kind == "site_unreachable"]
    assert [f.title for f in unreachable] == ["Site unreachable: 127.0.0.1 answers HTTP 503 on its home page (a server error)"]
    assert [f.kind for f in a.findings] == ["site_unreachable"], _debug_kinds(a)   # not a page_error too


def test_cli_names_the_cause_in_one_line_per_journey(tmp_path):
    cfg = tmp_path / "config.yaml"
    cfg.write_text(f"var_dir: {tmp_path / 'var'}\n")
    p = subprocess.run([sys.executable, str(ROOT / "runner.py"), "run", *map(str, journeys(tmp_path)), "--config",
                        str(cfg), "--base-url", "https://shop-gone.test", "--json", str(tmp_path / "run.json")],
                       capture_output=True, text=True, timeout=120)
    assert p.returncode == 1, p.stdout + p.stderr
    assert "[1/2] first: incomplete (2 step(s) not run), 1 finding(s), worst critical: not run: site unreachable: " \
           "the name shop-gone.test does not resolve" in p.stdout
    assert "[2/2] second: incomplete (2 step(s) not run), 1 finding(s), worst critical: not started: site " \
           "unreachable: the name shop-gone.test" in p.stdout
    run = json.loads((tmp_path / "run.json").read_text())
    assert [f["kind"] for f in run["findings"]] == ["site_unreachable"]
    assert "exit 1: 1 finding(s) fail the run; without --fail-on, every finding does" in p.stdout


def test_a_journey_with_findings_keeps_its_trace_and_a_clean_one_does_not(audit, shop_healthy, tmp_path):
    (tmp_path / "soft.yaml").write_text(
        "name: soft\nsteps:\n  - open: /contact\n"
        "  - expect: {text: 'A phone number it lacks', finding: expectation_unmet, severity: minor}\n"
        "    timeout: 1s\n")
    (tmp_path / "clean.yaml").write_text("name: clean\nsteps:\n  - open: /contact\n")
    a = audit([tmp_path / "soft.yaml", tmp_path / "clean.yaml"], base_url=shop_healthy.url)
    soft, clean = a.result.journeys
    assert soft.status == "findings" and [e for e in soft.evidence if e.endswith(".zip")]
    assert all((a.config.var_path / e).is_file() for e in soft.evidence)
    assert clean.status == "clean" and clean.evidence == []
    assert not list((a.config.var_path / "artifacts").rglob("clean/*.zip"))


def test_short_error_is_one_line_without_the_call_log():
    err = ("Error: Page.goto: net::ERR_NAME_NOT_RESOLVED at https://shop.test/login Call log: - navigating to "
           "\"https://shop.test/login\", waiting until \"load\"")
    assert short_error(err) == "Page.goto: net::ERR_NAME_NOT_RESOLVED at https://shop.test/login"
    assert unreachable_cause(err, "shop.test") == "the name shop.test does not resolve (DNS: no such host)"
    assert unreachable_cause("net::ERR_CERT_DATE_INVALID at https://x.test/", "x.test") == \
        "the TLS certificate of x.test is not valid (ERR_CERT_DATE_INVALID)"
    assert unreachable_cause("Timeout 15000ms exceeded", "x.test") is None
