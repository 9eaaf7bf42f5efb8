"""The audited site down, 30 s slow, redirecting in a loop, sending 10 MB pages, or with a self-signed
certificate; and Chromium killed mid-journey. Each hurt journey fails with its reason; the others go on.

The slow page waits 30 s; the journey's step timeout is 2 s, so the test stays fast and asserts the
timeout message. Everything is on loopback.
"""
from __future__ import annotations

import json
import os
import shutil
import signal
import ssl
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from shopper.config import LinksConfig
from shopper.duration import Duration

pytestmark = [pytest.mark.faults, pytest.mark.browser]
BIG = 10 * 1024 * 1024
ROOT = Path(__file__).resolve().parents[2]


class Site(BaseHTTPRequestHandler):
    release = threading.Event()
    arrived = threading.Event()   # /hang was asked for
    links_page = ""

    def log_message(self, *args) -> None:
        return

    def _send(self, body: bytes, status: int = 200, ctype: str = "text/html", headers: dict | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def do_HEAD(self) -> None:  # noqa: N802
        self.do_GET()

    def do_GET(self) -> None:  # noqa: N802
        if self.path == "/slow":
            Site.release.wait(30)          # a 30 s page
            return self._send(b"<title>slow</title><p>finally</p>")
        if self.path == "/hang":
            Site.arrived.set()
            Site.release.wait(30)
            return self._send(b"<title>hang</title>")
        if self.path.startswith("/loop"):
            return self._send(b"", 302, headers={"Location": "/loop"})
        if self.path == "/big":
            filler = b"<p>" + b"lorem ipsum " * 1000 + b"</p>\n"
            body = b"<!doctype html><title>big</title><main>" + filler * (BIG // len(filler)) + \
                b"<p id=end>end of the big page</p></main>"
            return self._send(body)
        if self.path == "/links":
            return self._send(Site.links_page.encode())
        return self._send(b"<!doctype html><title>home</title><main><h1>Hello</h1></main>")


def serve(server: ThreadingHTTPServer) -> ThreadingHTTPServer:
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    return server


@pytest.fixture(scope="module")
def tls_context(tmp_path_factory) -> ssl.SSLContext:
    if shutil.which("openssl") is None:
        pytest.skip("the openssl command is needed to make a self-signed certificate")
    d = tmp_path_factory.mktemp("tls")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=127.0.0.1",
                    "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(d / "k.pem"), "-out", str(d / "c.pem")],
                   check=True, capture_output=True)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(d / "c.pem", d / "k.pem")
    return context


@pytest.fixture(scope="module")
def site(tls_context):
    Site.release.clear()
    Site.arrived.clear()
    http = serve(ThreadingHTTPServer(("127.0.0.1", 0), Site))
    tls = ThreadingHTTPServer(("127.0.0.1", 0), Site)
    tls.socket = tls_context.wrap_socket(tls.socket, server_side=True)
    serve(tls)
    with socket_closed() as closed:
        base = f"http://127.0.0.1:{http.server_address[1]}"
        urls = {"base": base, "tls": f"https://127.0.0.1:{tls.server_address[1]}/", "down": f"http://127.0.0.1:{closed}/"}
        Site.links_page = ("<!doctype html><title>links</title><main>"
                           f"<a href='/loop'>loop</a><a href='/big'>big</a><a href='/slow'>slow</a>"
                           f"<a href='{urls['tls']}'>tls</a><a href='{urls['down']}'>down</a><a href='/'>home</a></main>")
        yield urls
    Site.release.set()
    for s in (http, tls):
        s.shutdown()
        s.server_close()


class socket_closed:
    """A loopback port nobody listens on (bound, never listening, so nobody else takes it meanwhile)."""

    def __enter__(self) -> int:
        import socket
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        return self.sock.getsockname()[1]

    def __exit__(self, *exc) -> None:
        self.sock.close()


def journeys(tmp_path: Path, texts: dict[str, str]) -> list[Path]:
    out = []
    for name, text in texts.items():
        p = tmp_path / f"{name}.yaml"
        p.write_text(f"name: {name}\n{text}")
        out.append(p)
    return out


def test_site_down_slow_looping_huge_and_untrusted_each_fail_with_their_reason(audit, site, tmp_path, figures):
    paths = journeys(tmp_path, {
        "down": f"steps:\n  - open: {site['down']}\n",
        "slow": "step_timeout: 2s\nsteps:\n  - open: /slow\n",
        "loop": "steps:\n  - open: /loop\n",
        "big": "steps:\n  - open: /big\n  - expect: {text: end of the big page}\n",
        "tls": f"steps:\n  - open: {site['tls']}\n",
        "links": "steps:\n  - open: /links\n  - check_links\n",
        "home": "steps:\n  - open: /\n  - expect: {text: Hello}\n"})
    started = time.monotonic()
    a = audit(paths, base_url=site["base"], links=LinksConfig(timeout=Duration(2)))
    took = time.monotonic() - started
    by = {j.name: j for j in a.result.journeys}
    errors = {name: (j.steps[0].error or "") for name, j in by.items()}
    # another origin goes through the reach proxy, which tells the browser nothing but "no answer" (no port oracle)
    assert "ERR_EMPTY_RESPONSE" in errors["down"] or "ERR_CONNECTION_REFUSED" in errors["down"]
    assert "Timeout 2000ms exceeded" in errors["slow"]
    assert "ERR_TOO_MANY_REDIRECTS" in errors["loop"]
    assert "ERR_CERT_AUTHORITY_INVALID" in errors["tls"]
    assert {n: j.status for n, j in by.items()} == {"down": "incomplete", "slow": "incomplete", "loop": "incomplete",
                                                    "big": "clean", "tls": "incomplete", "links": "findings",
                                                    "home": "clean"}
    broken = {f.data.get("url", "").rsplit("/", 1)[-1] or f.data.get("url"): f.detail or f.title
              for f in a.findings if f.kind == "broken_link"}
    assert set(broken) == {"loop", "slow", site["tls"], site["down"]}, broken
    failed = sorted(f.journey for f in a.findings if f.kind == "step_failed")
    assert failed == ["down", "loop", "slow", "tls"]
    store_mb = os.path.getsize(a.config.store_url) / 1e6
    figures.messages(len(paths), len(by))
    assert took < 90 and store_mb < 5, (took, store_mb)   # the 10 MB page is never stored


def chromium_pids(parent: int) -> list[int]:
    """Main Chromium processes (no --type=) among the descendants of `parent`."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                ppid = int(Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue   # the process ended while we looked
            children.setdefault(ppid, []).append(int(entry))
    found, todo = [], [parent]
    while todo:
        pid = todo.pop()
        for child in children.get(pid, []):
            try:
                cmd = Path(f"/proc/{child}/cmdline").read_bytes().split(b"\0")
            except OSError:
                continue
            if b"chrom" in cmd[0] and not any(a.startswith(b"--type=") for a in cmd):
                found.append(child)
            todo.append(child)
    return found


def test_chromium_killed_mid_journey_fails_that_journey_and_the_next_one_runs(site, tmp_path, figures):
    Site.arrived.clear()
    paths = journeys(tmp_path, {"killed": "steps:\n  - open: /hang\n  - expect: {text: never}\n",
                                "after": "steps:\n  - open: /\n  - expect: {text: Hello}\n"})
    cfg = tmp_path / "config.yaml"
    cfg.write_text(f"var_dir: {tmp_path / 'var'}\n")
    proc = subprocess.Popen([sys.executable, str(ROOT / "runner.py"), "run", *map(str, paths), "--base-url",
                             site["base"], "--config", str(cfg), "--no-report", "--json", str(tmp_path / "run.json")],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    killed_pids = []
    try:
        assert Site.arrived.wait(60), "the journey never opened the hanging page"
        for pid in chromium_pids(proc.pid):    # Chromium of the runner we started, nothing else
            os.kill(pid, signal.SIGKILL)
            killed_pids.append(pid)
        out, err = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert killed_pids, "no Chromium process was found to kill"
    run = json.loads((tmp_path / "run.json").read_text())
    by = {j["name"]: j for j in run["journeys"]}
    figures.messages(2, len(by))
    assert proc.returncode == 1, out + err
    assert by["killed"]["status"] == "incomplete" and by["after"]["status"] == "clean", out + err
    assert "Chromium exited during the journey in step 1 (it crashed or was killed)" in by["killed"]["error"]
    first = by["killed"]["steps"][0]
    assert first["status"] == "failed" and "closed" in first["error"] and first["url"]   # the evidence left
    kinds = sorted((f["journey"], f["kind"], f["step"] is None) for f in run["findings"])
    assert kinds == [("killed", "step_failed", False), ("killed", "step_failed", True)], kinds
