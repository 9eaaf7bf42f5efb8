"""`runner.py schedule` as a process: one per store, and SIGTERM mid-journey stops after the current step."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from shopper.store import open_store

pytestmark = pytest.mark.browser
ROOT = Path(__file__).resolve().parents[2]


class SlowSite(BaseHTTPRequestHandler):
    arrived = threading.Event()
    release = threading.Event()

    def log_message(self, *args) -> None:
        return

    def do_GET(self) -> None:
        if self.path == "/slow":
            SlowSite.arrived.set()
            SlowSite.release.wait(60)
        body = b"<!doctype html><title>slow</title><main><h1>Hello</h1></main>"
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def slow_schedule(tmp_path: Path, steps: str) -> tuple[ThreadingHTTPServer, Path, Path]:
    """The slow site, a journey `slow` with `steps` on it, long overdue in a schedule: (server, config, var)."""
    SlowSite.arrived.clear()
    SlowSite.release.clear()
    server = ThreadingHTTPServer(("127.0.0.1", 0), SlowSite)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    (tmp_path / "journeys").mkdir()
    (tmp_path / "journeys" / "slow.yaml").write_text(f"name: slow\nsteps:\n{steps}")
    var = tmp_path / "var"
    var.mkdir()
    (var / "scheduler-state.json").write_text(json.dumps({"slow": "2020-01-01T00:00:00+00:00"}))  # long overdue
    cfg = tmp_path / "config.yaml"
    cfg.write_text(f"var_dir: var\njourneys: journeys\ndefault_site: s\nsites: {{s: {{base_url: '{base}'}}}}\n"
                   "schedules:\n  runs: [{name: slow, journeys: [slow], every: 1h}]\n  sweep_every: null\n")
    return server, cfg, var


def test_one_scheduler_per_store_and_sigterm_mid_journey(tmp_path):
    server, cfg, var = slow_schedule(tmp_path, "  - open: /slow\n  - expect: Hello\n  - open: /\n")
    cmd = [sys.executable, str(ROOT / "runner.py"), "schedule", "--config", str(cfg)]
    first = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert SlowSite.arrived.wait(60), "the missed slot did not run at start"
        second = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
        assert second.returncode == 2 and "a scheduler is already running for this store" in second.stderr
        assert f"pid {first.pid}" in second.stderr
        # another var dir, the same store: still the one scheduler of that store
        other = subprocess.run(cmd + ["--var-dir", str(tmp_path / "other-var")], capture_output=True, text=True,
                               timeout=60, env={**os.environ, "SHOPPER_STORE": str(var / "shopper.db")})
        assert other.returncode == 2 and "a scheduler is already running for this store" in other.stderr, \
            other.stdout + other.stderr
        first.send_signal(signal.SIGTERM)
        SlowSite.release.set()
        out, err = first.communicate(timeout=60)
    finally:
        SlowSite.release.set()
        if first.poll() is None:
            first.kill()
        server.shutdown()
        server.server_close()
    assert first.returncode == 0, err
    assert "SIGTERM: stopping after the current step" in out and "scheduler stopped" in out
    store = open_store(str(var / "shopper.db"))
    try:
        (run,) = store.runs()
        (journey,) = store.journeys(run.id)
        assert [s["status"] for s in journey["steps"]] == ["passed", "skipped", "skipped"]
        assert journey["steps"][1]["error"] == "stopped: the scheduler was asked to stop"
        assert run.status == "incomplete" and journey["status"] == "incomplete"   # stopped: the rest is unknown
        assert run.summary["score"] is None and run.summary["processes"] == {"slow": None}
    finally:
        store.close()


def test_ctrl_c_stops_quietly_after_the_current_step(tmp_path):
    """Ctrl-C in a terminal signals the whole process group (Playwright's driver and Chromium too): the
    browser must outlive it, so the step in flight ends and nothing prints an asyncio trace."""
    import os

    server, cfg, var = slow_schedule(tmp_path, "  - open: /slow\n  - open: /\n")
    proc = subprocess.Popen([sys.executable, str(ROOT / "runner.py"), "schedule", "-v", "--config", str(cfg)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        assert SlowSite.arrived.wait(60), "the missed slot did not run at start"
        os.killpg(proc.pid, signal.SIGINT)   # what the terminal does on Ctrl-C
        SlowSite.release.set()
        out, err = proc.communicate(timeout=60)
    finally:
        SlowSite.release.set()
        if proc.poll() is None:
            proc.kill()
        server.shutdown()
        server.server_close()
    assert proc.returncode == 0, err
    assert "SIGINT: stopping after the current step" in out
    assert "Future exception was never retrieved" not in err and "Traceback" not in err, err
    store = open_store(str(var / "shopper.db"))
    try:
        (run,) = store.runs()
        (journey,) = store.journeys(run.id)
        assert [s["status"] for s in journey["steps"]] == ["passed", "skipped"]   # the browser outlived Ctrl-C
    finally:
        store.close()
