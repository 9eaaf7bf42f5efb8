"""Whether a page is on its way out, known without a `beforeunload` listener.

A `beforeunload` listener in every document (the settle script's, until now) makes each navigation wait for
the old renderer first, and keeps the audited pages out of the back/forward cache, which a customer's browser
would use. Now the page tells of the navigations it begins (the Navigation API's `navigate`). While the site
has not answered a navigation (the page's own or a goto), DevTools cannot look into the old document at all:
a failure then has no page for a DOM snapshot, and the journey does not wait for one.
"""
from __future__ import annotations

import dataclasses
import threading
import time
import zipfile
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from shopper.clock import SystemClock
from shopper.config import load_config
from shopper.journey import parse_journey
from shopper.run import JourneyRunner, RunOptions
from shopper.secrets import Redactor

pytestmark = pytest.mark.browser
ROOT = Path(__file__).resolve().parents[2]
HOME = b"<!doctype html><title>Home</title><main><h1>Home</h1><a id=slow href=/slow>slow page</a></main>"


class Site(BaseHTTPRequestHandler):
    release = threading.Event()   # the slow page answers once the test says so

    def log_message(self, *args) -> None:
        return

    def do_GET(self) -> None:  # noqa: N802
        if self.path.startswith("/slow"):
            Site.release.wait(30)
        body = b"<!doctype html><title>Slow</title><p>at last</p>" if self.path.startswith("/slow") else HOME
        try:
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        except OSError:   # the browser gave up on it
            pass


@pytest.fixture
def site():
    Site.release = threading.Event()
    server = ThreadingHTTPServer(("127.0.0.1", 0), Site)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    Site.release.set()
    server.shutdown()
    server.server_close()


def test_the_settle_script_adds_no_unload_listener(browser, site):
    ctx, _ = browser.new_context(block_hosts=[])
    try:
        page = ctx.new_page()
        page.goto(site + "/")
        session = ctx.new_cdp_session(page)
        window = session.send("Runtime.evaluate", {"expression": "window"})["result"]["objectId"]
        types = {entry["type"] for entry in session.send("DOMDebugger.getEventListeners",
                                                         {"objectId": window})["listeners"]}
        assert "pageshow" in types   # the settle script is there
        assert not types & {"beforeunload", "unload"}, types
    finally:
        ctx.close()


def test_a_failure_during_a_goto_keeps_the_trace_without_waiting_for_a_snapshot(browser, site, tmp_path):
    config = load_config(ROOT / "config.yaml", environ={})   # the shipped defaults: trace on-failure, snapshots on
    assert config.browser.trace == "on-failure" and config.browser.trace_snapshots
    config = dataclasses.replace(config, var_dir=str(tmp_path / "var"), base_dir=str(ROOT))
    runner = JourneyRunner(config, browser, None, SystemClock(), Redactor(), {}, "lv", RunOptions(base_url=site))
    journey = parse_journey("name: slow_page\nstep_timeout: 1s\nsteps:\n  - open: /\n  - open: /slow\n",
                            "slow_page.yaml")
    try:
        started = time.monotonic()
        result = runner.run(journey)
        took = time.monotonic() - started
        assert result.status == "incomplete" and "Timeout" in (result.steps[1].error or "")
        assert took < 10, took   # no wait for a page that is not there
        runner.keep_trace_if_failing(result, [])
        (part,) = [config.var_path / e for e in result.evidence if e.endswith(".zip")]   # one part: no switch
        with zipfile.ZipFile(part) as z:
            assert b"the page after step" not in z.read("trace.trace")
    finally:
        Site.release.set()
        runner.close()
