"""A secret typed into a hostile page that echoes it in every spelling (URL, form and percent encoding in
either case, base64, base64url, JSON and HTML escapes, the console, the title, an error) is nowhere under
var/ (traces unzipped) and nowhere in the output; the echo is masked in the screenshot; and a form on
another origin never gets it."""
from __future__ import annotations

import base64
import html
import json
import re
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, quote, quote_plus, urlsplit

import pytest

from tests.faults.test_secrets import MASK, everything_under

pytestmark = [pytest.mark.faults, pytest.mark.browser]
ROOT = Path(__file__).resolve().parents[2]
SECRET = "S3cr3t p@ss/+&Zk<\"é"


def spellings(value: str) -> dict[str, str]:
    """Written out here, not taken from the product: what the test looks for must not come from the code tested."""
    b64 = base64.b64encode(value.encode()).decode()
    b64url = base64.urlsafe_b64encode(value.encode()).decode()
    return {
        "raw": value, "url": quote(value, safe=""), "url-lower": re.sub(r"%[0-9A-F]{2}", lambda m: m[0].lower(),
                                                                         quote(value, safe="")),
        "form": quote_plus(value), "form-lower": re.sub(r"%[0-9A-F]{2}", lambda m: m[0].lower(), quote_plus(value)),
        "base64": b64.rstrip("="), "base64url": b64url.rstrip("="),
        "base64-inside": base64.b64encode(b"user:" + value.encode()).decode()[8:-4],
        "json": json.dumps(value)[1:-1], "json-ascii": json.dumps(value, ensure_ascii=True)[1:-1],
        "html": html.escape(value),
    }


class Hostile(BaseHTTPRequestHandler):
    """/login: a GET form; /echo: the password back in every spelling; /elsewhere: a form of another origin."""

    received: list[dict] = []

    def log_message(self, *args) -> None:
        return

    def do_GET(self) -> None:  # noqa: N802
        parts = urlsplit(self.path)
        q = {k: v[0] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
        if parts.path in ("/login", "/elsewhere"):
            body = ("<!doctype html><title>Sign in</title><main><h1>Sign in</h1><form action='/echo' method=get>"
                    "<label>Email <input name=email type=email autocomplete=email></label>"
                    "<label>Password <input name=pw type=password autocomplete=current-password></label>"
                    "<button type=submit>Sign in</button></form></main>")
        elif parts.path == "/echo":
            Hostile.received.append({"host": self.headers.get("Host"), **q})
            pw = q.get("pw", "")
            s = spellings(pw) if pw else {}
            lines = "".join(f"<p>{k}: {html.escape(v)}</p>" for k, v in s.items())
            body = (f"<!doctype html><title>You typed {html.escape(pw)}</title><main><h1>Welcome back</h1>"
                    f"<p id=echo>You typed: {html.escape(pw)}</p>{lines}<a href='/x?pw={quote_plus(pw)}'>again</a>"
                    f"<script>const pw = {json.dumps(pw)}; console.error('leak ' + btoa(unescape(encodeURIComponent(pw))));"
                    f"console.error('json ' + JSON.stringify(pw)); setTimeout(() => {{ throw new Error('bad ' + pw); }}, 0);"
                    f"</script></main>")
        else:
            body = "<!doctype html><title>Shop</title><main><h1>Shop</h1></main>"
        data = body.encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


def serve() -> ThreadingHTTPServer:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Hostile)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def magenta_pixels(browser, png: bytes) -> int:
    ctx, _ = browser.new_context(block_hosts=[])
    try:
        return ctx.new_page().evaluate("""async src => {
            const img = new Image(); img.src = src; await img.decode();
            const c = document.createElement('canvas'); c.width = img.width; c.height = img.height;
            const g = c.getContext('2d'); g.drawImage(img, 0, 0);
            const d = g.getImageData(0, 0, img.width, img.height).data; let n = 0;
            for (let i = 0; i < d.length; i += 4) if (d[i] === %d && d[i + 1] === %d && d[i + 2] === %d) n++;
            return n;
        }""" % MASK, "data:image/png;base64," + base64.b64encode(png).decode())
    finally:
        ctx.close()


def test_a_secret_echoed_in_every_spelling_is_nowhere_and_stays_home(tmp_path, browser):
    Hostile.received.clear()
    site, other = serve(), serve()
    try:
        base = f"http://127.0.0.1:{site.server_address[1]}"
        elsewhere = f"http://127.0.0.1:{other.server_address[1]}/elsewhere"
        jdir = tmp_path / "journeys"
        jdir.mkdir()
        (jdir / "a_echo.yaml").write_text(
            "name: a_echo\nsteps:\n  - open: /login\n  - submit_form\n"
            "  - expect: {text: This is never on the page}\n    timeout: 2s\n")
        (jdir / "b_elsewhere.yaml").write_text(
            f"name: b_elsewhere\nsteps:\n  - open: {elsewhere}\n  - submit_form\n")
        var = tmp_path / "var"
        cfg = tmp_path / "config.yaml"
        cfg.write_text(f"var_dir: {var}\njourneys: {jdir}\ndefault_site: s\n"
                       f"browser: {{trace: always, trace_snapshots: true}}\n"
                       f"network: {{allow: ['127.0.0.1:{other.server_address[1]}']}}\n"
                       f"sites: {{s: {{base_url: '{base}'}}}}\n")
        env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "SHOPPER_SITE_PASSWORD": SECRET}
        out = subprocess.run([sys.executable, str(ROOT / "runner.py"), "run", "--config", str(cfg), "-v",
                              "--json", str(var / "run.json"), "--junit", str(var / "junit.xml")],
                             capture_output=True, text=True, timeout=300, cwd=tmp_path, env=env)
        assert out.returncode in (0, 1), out.stderr
        report = subprocess.run([sys.executable, str(ROOT / "runner.py"), "report", "--config", str(cfg),
                                 "--single-file"], capture_output=True, text=True, timeout=120, cwd=tmp_path, env=env)
        assert report.returncode == 0, report.stderr
        status = subprocess.run([sys.executable, str(ROOT / "runner.py"), "status", "--config", str(cfg)],
                                capture_output=True, text=True, timeout=120, cwd=tmp_path, env=env)
        # the secret went to its own site, and came back in every spelling
        home = [r for r in Hostile.received if r["host"] == urlsplit(base).netloc]
        assert home and home[0]["pw"] == SECRET, Hostile.received
        # ... and never to the form of the other origin: left empty, and the step says why
        away = [r for r in Hostile.received if r["host"] != urlsplit(base).netloc]
        assert away and all(r["pw"] == "" for r in away), away
        files = everything_under(var)
        output = out.stdout + out.stderr + report.stdout + report.stderr + status.stdout + status.stderr
        leaks = {(name, kind) for kind, text in spellings(SECRET).items()
                 for name, data in [*files.items(), ("output", output.encode())] if text.encode() in data}
        assert leaks == set(), sorted(leaks)
        run = json.loads((var / "run.json").read_text())
        b = next(j for j in run["journeys"] if j["name"] == "b_elsewhere")
        assert "left empty" in b["steps"][1]["detail"] and "secret" in b["steps"][1]["detail"], b["steps"][1]
        a = next(j for j in run["journeys"] if j["name"] == "a_echo")
        shot = next(e for e in a["steps"][2]["evidence"] if e.endswith(".png"))
        assert magenta_pixels(browser, (var / shot).read_bytes()) > 2000   # the echoed lines are masked
    finally:
        site.shutdown()
        other.shutdown()
        site.server_close()
        other.server_close()
