"""A hostile shop points its links, redirects, routes and tracking links at canaries on other loopback ports,
a link-local address and a local file: `runner.py run` must send them nothing and keep nothing of the file."""
from __future__ import annotations

import json
import socket
import sqlite3
import subprocess
import sys
import threading
import zipfile
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
MARKER = "MARKER-4be1c0de-local-file"


class Canary:
    """An HTTP server that only counts what reaches it (any method, any path)."""

    def __init__(self) -> None:
        self.requests: list[str] = []
        canary = self

        class Handler(BaseHTTPRequestHandler):
            def _any(self) -> None:
                canary.requests.append(f"{self.command} {self.path}")
                body = f"internal admin page {MARKER}".encode()
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_HEAD = do_POST = _any

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


class RawCanary:
    """A TCP service that is not HTTP (a database, a cache): counts connections."""

    def __init__(self) -> None:
        self.connections = 0
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.port = self.sock.getsockname()[1]
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.connections += 1
            conn.close()

    def stop(self) -> None:
        self.sock.close()


def hostile_shop(c1: int, c2: int, raw: int, secret_file: Path) -> ThreadingHTTPServer:
    file_url = secret_file.as_uri()
    home = f"""<!doctype html><title>Hostile shop</title>
<main><h1>Welcome</h1>
<a href="http://127.0.0.1:{c1}/admin/delete-all?confirm=yes">Deals</a>
<a href="http://localhost:{c1}/loc">Local</a>
<a href="http://2130706433:{c1}/dec">Decimal</a>
<a href="http://user@127.0.0.1:{c2}/userinfo">Userinfo</a>
<a href="http://[::ffff:127.0.0.1]:{c2}/mapped">Mapped</a>
<a href="http://127.0.0.1:{raw}/">Cache</a>
<a href="http://169.254.169.254/latest/meta-data/">Metadata</a>
<a href="{file_url}">Terms</a>
<a href="/redirect">Sale</a>
<a href="/about">About</a>
<a href="{file_url}">Track your parcel</a>
<img src="http://127.0.0.1:{c1}/pixel.gif" alt="">
<iframe src="{file_url}"></iframe>
<script>fetch("http://127.0.0.1:{c2}/xhr").catch(() => 0); new Image().src = "http://127.0.0.1:{c1}/beacon";</script>
</main>
<footer><a href="http://127.0.0.1:{c2}/contact">Contact us</a> <a href="/redirect-contact">Customer service</a></footer>
"""
    pages = {"/": home, "/about": "<title>About</title><p>We sell kettles.</p>",
             "/order": f"<title>Order</title><a href='/redirect'>Track your parcel</a>"}
    redirects = {"/redirect": f"http://127.0.0.1:{c1}/redirected", "/redirect-contact": f"http://127.0.0.1:{c2}/contact"}

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            if self.path in redirects:
                self.send_response(302)
                self.send_header("Location", redirects[self.path])
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            body = pages.get(self.path)
            self.send_response(200 if body else 404)
            data = (body or "<title>Not found</title>").encode()
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        do_HEAD = do_GET

        def log_message(self, *args) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


JOURNEYS = {
    "links.yaml": "name: links\nsteps:\n  - open: /\n  - check_links\n",
    "route.yaml": "name: route\nsteps:\n  - open: /\n  - find_route: contact\n",
    "tracking.yaml": "name: tracking\nsteps:\n  - open: /\n  - check_tracking: {role: link, named: \"/track/i\"}\n",
    "tracking_redirect.yaml": "name: tracking_redirect\nsteps:\n  - open: /order\n"
                              "  - check_tracking: {role: link, named: \"/track/i\"}\n",
    "tracking_url.yaml": "name: tracking_url\nsteps:\n  - check_tracking: {url: \"${base_url}/redirect\"}\n",
}


def files_holding(root: Path, needle: bytes) -> list[str]:
    """Every file under `root` whose bytes (or, for a zip, any member's) hold `needle`."""
    found = []
    for p in root.rglob("*"):
        if not p.is_file():
            continue
        data = p.read_bytes()
        if needle in data:
            found.append(str(p))
        if zipfile.is_zipfile(p):
            with zipfile.ZipFile(p) as z:
                found += [f"{p}!{n}" for n in z.namelist() if needle in z.read(n)]
    return found


@pytest.mark.browser
def test_hostile_links_redirects_routes_and_tracking_reach_no_canary_and_no_file(tmp_path):
    c1, c2, raw = Canary(), Canary(), RawCanary()
    secret_file = tmp_path / "secret.txt"
    secret_file.write_text(f"top secret {MARKER}\n")
    shop = hostile_shop(c1.port, c2.port, raw.port, secret_file)
    try:
        base = f"http://127.0.0.1:{shop.server_address[1]}"
        jdir = tmp_path / "journeys"
        jdir.mkdir()
        for name, text in JOURNEYS.items():
            (jdir / name).write_text(text)
        var = tmp_path / "var"
        cfg = tmp_path / "config.yaml"
        # the site's own origin is the only loopback address allowed: no network.allow at all
        cfg.write_text(f"var_dir: {var}\njourneys: {jdir}\ndefault_site: hostile\n"
                       f"browser:\n  trace: always\n  step_timeout: 10s\n"
                       f"sites:\n  hostile:\n    base_url: {base}\n")
        out = subprocess.run([sys.executable, str(ROOT / "runner.py"), "run", "--config", str(cfg),
                              "--json", str(var / "run.json"), str(jdir)],
                             capture_output=True, text=True, timeout=300, cwd=tmp_path)
        assert out.returncode in (0, 1), out.stderr
        assert c1.requests == [] and c2.requests == [] and raw.connections == 0, (c1.requests, c2.requests)
        assert files_holding(var, MARKER.encode()) == []
        assert MARKER not in out.stdout + out.stderr
        run = json.loads((var / "run.json").read_text())
        kinds = [f["kind"] for f in run["findings"]]
        assert "broken_link" not in kinds and "tracking_broken" not in kinds, run["findings"]
        refused: dict[str, set] = {}
        with sqlite3.connect(var / "shopper.db") as db:
            for journey, data in db.execute("SELECT journey, data FROM observations WHERE kind = 'link_refused'"):
                refused.setdefault(journey, set()).add(json.loads(data)["reason"])
        assert "link to a private address, not followed" in refused.get("links", set()), refused
        assert any("file:" in r for r in refused.get("links", set())), refused
        assert "tracking" in refused and "tracking_redirect" in refused and "route" in refused, refused
    finally:
        shop.shutdown()
        shop.server_close()
        c1.stop()
        c2.stop()
        raw.stop()


def test_the_checked_address_is_the_one_connected_to_dns_rebinding(tmp_path):
    """A name that answers an allowed address when checked and a canary's the next time: the link checker
    connects to the address it checked, so the canary hears nothing."""
    from shopper.probes.dns import DnsSettings, Resolver
    from shopper.probes.http import LinkChecker
    from shopper.probes.reach import ReachPolicy

    class NoContent(BaseHTTPRequestHandler):
        def do_HEAD(self) -> None:  # noqa: N802
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args) -> None:
            pass

    canary = Canary()   # 127.0.0.1:P, and the allowed server on 127.0.0.2:P
    allowed = ThreadingHTTPServer(("127.0.0.2", canary.port), NoContent)
    threading.Thread(target=allowed.serve_forever, daemon=True).start()
    answers = iter([["127.0.0.2"]] + [["127.0.0.1"]] * 20)

    class Rebinding(Resolver):
        def addresses(self, host: str) -> list[str]:
            return next(answers) if host == "rebind.test" else super().addresses(host)

    resolver = Rebinding(DnsSettings())
    links = LinkChecker(resolver, timeout=5, policy=ReachPolicy.build([], ["127.0.0.2"], resolver.addresses))
    try:
        first = links.check(f"http://rebind.test:{canary.port}/x")
        second = links.check(f"http://rebind.test:{canary.port}/x")
    finally:
        links.close()
        allowed.shutdown()
        allowed.server_close()
        canary.stop()
    assert first.ok and first.status == 204, first
    assert second.refused == "link to a private address, not followed", second
    assert canary.requests == []
