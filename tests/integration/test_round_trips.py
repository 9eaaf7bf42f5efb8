"""What a step costs the runner in messages to Playwright's driver, beyond the step's own action.

Each message is a round trip through the driver (about a millisecond, more on a busy machine): the runner's
overhead over a plain Playwright script (bench/runner_overhead.py) is mostly these. On a page that is quiet
at once, a step that acts costs one look at the page (settling, with the title in it) and its trace group:
no `evaluate` of Playwright's (a helper script built in every new document), no separate `title`, and its
trace group is written into the trace once saved, not sent to the driver as the step starts and ends.
"""
from __future__ import annotations

import dataclasses
import json
import threading
import zipfile
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from playwright._impl import connection as pw_connection

from shopper.clock import SystemClock
from shopper.config import load_config
from shopper.journey import parse_journey
from shopper.run import JourneyRunner, RunOptions
from shopper.secrets import Redactor

pytestmark = pytest.mark.browser
ROOT = Path(__file__).resolve().parents[2]
PAGE = (b"<!doctype html><title>Contact us</title><main><h1>Contact</h1><form action=/sent>"
        b"<label>Name <input name=n></label><button>Send</button></form></main>")
SENT = b"<!doctype html><title>Thanks</title><main><p>Thank you</p></main>"
JOURNEY = """
name: three_steps
steps:
  - open: /
  - fill: {label: Name, value: Ann}
  - click: {role: button, named: Send}
"""


class Site(BaseHTTPRequestHandler):
    def log_message(self, *args) -> None:
        return

    def do_GET(self) -> None:  # noqa: N802
        body = SENT if self.path.startswith("/sent") else PAGE
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture(scope="module")
def site():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Site)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture
def sent(monkeypatch):
    """Every message the client sends to Playwright's driver, by (object type, method)."""
    seen: Counter = Counter()
    original = pw_connection.Connection.send_message_to_server

    def spy(self, obj, method, params, options):
        seen[(obj._type, method)] += 1
        return original(self, obj, method, params, options)

    monkeypatch.setattr(pw_connection.Connection, "send_message_to_server", spy)
    return seen


def _runner(browser, site, tmp_path):
    config = load_config(ROOT / "config.yaml", environ={})   # the shipped defaults: trace on-failure
    config = dataclasses.replace(config, var_dir=str(tmp_path / "var"), base_dir=str(ROOT))
    return config, JourneyRunner(config, browser, None, SystemClock(), Redactor(), {}, "rt", RunOptions(base_url=site))


def test_a_quiet_page_costs_a_step_one_look(browser, site, tmp_path, sent):
    config, runner = _runner(browser, site, tmp_path)
    result = runner.run(parse_journey(JOURNEY, "three_steps.yaml"))
    # the runner says what happened: clean is the judge's word
    assert result.status == "finished", [(s.label, s.error) for s in result.steps]
    assert [s.title for s in result.steps] == ["Contact us", "Contact us", "Thanks"]   # titles from the looks
    assert sent[("Frame", "title")] == 0
    assert sent[("Frame", "evaluateExpression")] == 0   # looks go through the page's DevTools session
    # one look per acting step: the submitted form's answer still loading is waited for in the page, not by a
    # wait_for_load_state and a second look
    assert sent[("CDPSession", "send")] == 3
    assert sent[("Page", "__waitInfo__")] == 0
    assert sent[("BrowserContext", "newCDPSession")] == 1
    # recorded cheaply (trace: on-failure, no failure): the steps' groups are written into the part once saved
    assert sent[("Tracing", "tracingGroup")] == sent[("Tracing", "tracingGroupEnd")] == 0
    # the block list is the reach proxy's: no request interception (a round trip for every request)
    assert sent[("BrowserContext", "setNetworkInterceptionPatterns")] == 0
    # all told: the journey's context, page, settle script, DevTools session, trace start (3) and observers (4,
    # sent without waiting), 11; and per step its action and its look. The trace and the context are left to
    # the journey's checks
    waits = {k: n for k, n in sent.items() if not k[1].endswith("NoReply") and k[1] != "__waitInfo__"}
    assert sum(waits.values()) <= 11 + 3 * 2, sorted(waits.items())
    assert sent[("Tracing", "tracingStopChunk")] == sent[("BrowserContext", "close")] == 0
    # its checks found nothing: the trace is dropped unsaved (no zip written only to be deleted)
    runner.keep_trace_if_failing(result, [])
    assert sent[("LocalUtils", "zip")] == 0 and sent[("Tracing", "tracingStopChunk")] == 1
    assert sent[("BrowserContext", "close")] == 1
    assert result.evidence == [] and not list((config.var_path / "artifacts").rglob("*.zip"))


def test_a_journey_with_findings_keeps_its_trace_grouped_by_step(browser, site, tmp_path):
    from shopper.model import Finding

    config, runner = _runner(browser, site, tmp_path)
    result = runner.run(parse_journey(JOURNEY, "three_steps.yaml"))
    assert result.status == "finished" and result.evidence == []
    finding = Finding(kind="page_error", severity="major", journey="three_steps", step=0, title="t", detail="d",
                      subject="x", fingerprint="f")
    runner.keep_trace_if_failing(result, [finding])
    (part,) = [config.var_path / e for e in result.evidence if e.endswith(".zip")]
    with zipfile.ZipFile(part) as z:
        events = [json.loads(line) for line in z.read("trace.trace").decode().splitlines() if line.strip()]
    groups = {e["callId"]: e["title"] for e in events
              if e.get("type") == "before" and e.get("method") == "tracingGroup"}
    assert list(groups.values()) == ["1. open /", "2. fill Name", "3. click button"]
    actions = [(e["method"], groups.get(e.get("parentId"))) for e in events
               if e.get("type") == "before" and e.get("class") == "Frame"]
    assert actions[:3] == [("goto", "1. open /"), ("fill", "2. fill Name"), ("click", "3. click button")]
    assert all(step is not None for _, step in actions), actions


def test_a_trace_no_one_decided_on_is_kept_by_the_next_journey(browser, site, tmp_path):
    """A caller that never says (keep_trace_if_failing) loses nothing: the next run, or close(), saves it."""
    config, runner = _runner(browser, site, tmp_path)
    journey = parse_journey(JOURNEY, "three_steps.yaml")
    first = runner.run(journey)
    second = runner.run(journey)
    assert [e for e in first.evidence if e.endswith(".zip")] and second.evidence == []
    runner.close()
    assert [e for e in second.evidence if e.endswith(".zip")]
