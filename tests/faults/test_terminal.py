"""A hostile page's text reaches the terminal and CI log inert: no escape, control or bidi character of it is
printed raw by `run`, `status`, the exit-1 block or the log lines."""
from __future__ import annotations

import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from shopper.terminal import printable

pytestmark = [pytest.mark.faults, pytest.mark.browser]
ROOT = Path(__file__).resolve().parents[2]
EVIL = "\x1b[2J\x1b]0;owned\x07\x1b[32m0 findings, all clean\x1b[0m \x1b]8;;http://evil.test/\x07click\x1b]8;;\x07 \u202egnp.exe\r\x9b31m"
RAW = ["\x1b", "\x07", "\u202e", "\r", "\x9b"]


class Site(BaseHTTPRequestHandler):
    def log_message(self, *args) -> None:
        return

    def do_GET(self) -> None:  # noqa: N802
        import json
        body = (f"<!doctype html><title>{EVIL}</title><main><h1>Shop</h1>"
                f"<script>throw new Error({json.dumps(EVIL)});</script></main>").encode()
        self.send_response(500 if self.path == "/broken" else 200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def test_printable_keeps_text_and_shows_controls():
    assert printable("plain text, é, 日本\n\tnext") == "plain text, é, 日本\n\tnext"
    shown = printable(EVIL)
    assert not any(c in shown for c in RAW) and "\\u001b[2J" in shown and "\\u202e" in shown


def test_run_and_status_print_a_hostile_page_inert(tmp_path):
    server = ThreadingHTTPServer(("127.0.0.1", 0), Site)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        base = f"http://127.0.0.1:{server.server_address[1]}"
        (tmp_path / "evil.yaml").write_text("name: evil\nsteps:\n  - open: /broken\n"
                                            "  - expect: {text: never there}\n    timeout: 1s\n")
        cfg = tmp_path / "config.yaml"
        cfg.write_text(f"var_dir: var\nsites: {{s: {{base_url: '{base}'}}}}\ndefault_site: s\n")
        outs = []
        for args in (["run", "-vv", "--no-report", str(tmp_path / "evil.yaml")], ["status"]):
            out = subprocess.run([sys.executable, str(ROOT / "runner.py"), *args, "--config", str(cfg)],
                                 capture_output=True, timeout=180, cwd=tmp_path)
            outs.append(out)
        text = b"".join(o.stdout + o.stderr for o in outs).decode("utf-8")
        assert outs[0].returncode == 1 and "0 findings, all clean" in text   # the text is shown ...
        raw = [repr(c) for c in RAW if c in text]
        assert raw == [], raw                                                 # ... and nothing of it acts
    finally:
        server.shutdown()
        server.server_close()
