"""The browser's way out: a loopback HTTP proxy that asks the reach policy before every connection.

Chromium sends every request of a journey's context (documents, subresources, redirects, WebSockets) here,
except those to the audited site's own origins (a bypass list: they are allowed anyway). For each one the
proxy resolves the host with our resolver, asks the policy, and connects to the address it checked, so a
page cannot reach an internal address by a name that answers differently the second time (DNS rebinding).
What the policy refuses gets a short 403 page and is told to `on_refused`.

It also drops requests to `browser.block_hosts` (trackers, ad CDNs: `blocked(host)` says which), told to
`on_blocked`: the connection closes unanswered, so the page sees a network error as for a request Chromium
aborted itself. Doing this here, where every request to another origin passes anyway, keeps Playwright's
request interception off: a route in the context would stop every request of every page for a round trip
in the driver, and turn the HTTP cache off (bench/runner_overhead.py).
"""
from __future__ import annotations

import logging
import select
import socket
import socketserver
import threading
from typing import Callable

from .dns import DnsFailure
from .reach import Reach, ReachPolicy

log = logging.getLogger(__name__)
MAX_HEAD = 64 * 1024
IDLE_S = 120.0
_HOP_HEADERS = (b"proxy-connection", b"proxy-authorization", b"connection", b"keep-alive")


class ReachProxy:
    """`with ReachProxy(policy, on_refused) as proxy:` … `proxy.url` is what Chromium is given."""

    def __init__(self, policy: ReachPolicy, on_refused: Callable[[Reach], None] | None = None,
                 connect_timeout: float = 10.0, blocked: Callable[[str], bool] | None = None,
                 on_blocked: Callable[[str], None] | None = None):
        self.policy = policy
        self.on_refused = on_refused or (lambda reach: None)
        self.blocked = blocked or (lambda host: False)
        self.on_blocked = on_blocked or (lambda host: None)
        self.connect_timeout = connect_timeout
        proxy = self

        class Handler(socketserver.BaseRequestHandler):
            def handle(self) -> None:
                proxy._serve(self.request)

        class Server(socketserver.ThreadingTCPServer):
            daemon_threads = True
            allow_reuse_address = True

            def handle_error(self, request: object, client_address: object) -> None:
                # one odd request must not print a traceback into the run's output; the browser saw a reset
                log.debug("reach proxy: a request from %s failed", client_address, exc_info=True)

        self._server = Server(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.2},
                                        name="reach-proxy", daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def close(self) -> None:
        """Stop listening (in the background: the caller need not wait for the accept loop to notice)."""
        threading.Thread(target=self._stop, name="reach-proxy-stop", daemon=True).start()

    def _stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> "ReachProxy":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- one client connection --------------------------------------------------------------------
    def _serve(self, client: socket.socket) -> None:
        client.settimeout(IDLE_S)
        head, rest = _read_head(client)
        if head is None:
            return
        lines = head.split(b"\r\n")
        try:
            method, target, version = lines[0].decode("latin-1").split(" ", 2)
        except ValueError:
            return _reply(client, 400, "a request line the proxy cannot read")
        tunnel = method.upper() == "CONNECT"
        url = f"https://{target}/" if tunnel else target
        if not tunnel and not url.lower().startswith(("http://", "https://")):
            return _reply(client, 400, "only absolute http URLs go through this proxy")
        host = _host(url)
        if host and self.blocked(host):   # before any lookup: a blocked tracker costs no DNS query
            self.on_blocked(host)
            return
        try:
            reach = self.policy.check(url)
        except DnsFailure as e:   # no answer at all, as for a name the browser could not resolve itself
            log.debug("reach proxy: %s", e)
            return
        if not reach.allowed:
            self.on_refused(reach)
            return _reply(client, 403, f"Mystery Shopper did not open this address: {reach.refused}")
        try:
            upstream = socket.create_connection((reach.address, reach.port), timeout=self.connect_timeout)
        except OSError as e:      # likewise: the browser shows its own "could not connect" error
            log.debug("reach proxy: %s:%s: %s", reach.host, reach.port, e)
            return
        with upstream:
            upstream.settimeout(IDLE_S)
            if tunnel:
                client.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
                if rest:
                    upstream.sendall(rest)
            else:
                upstream.sendall(_origin_form(lines, method, url, version) + rest)
            _pipe(client, upstream)


def _host(url: str) -> str:
    from urllib.parse import urlsplit

    try:
        return (urlsplit(url).hostname or "").lower()
    except ValueError:   # a target the policy refuses in its own words
        return ""


def _read_head(sock: socket.socket) -> tuple[bytes | None, bytes]:
    data = b""
    while b"\r\n\r\n" not in data:
        try:
            chunk = sock.recv(8192)
        except OSError:
            return None, b""
        if not chunk or len(data) > MAX_HEAD:
            return None, b""
        data += chunk
    head, _, rest = data.partition(b"\r\n\r\n")
    return head, rest


def _origin_form(lines: list[bytes], method: str, url: str, version: str) -> bytes:
    """The request as the origin server expects it: a path, no proxy headers, one request per connection."""
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    out = [f"{method} {path} {version}".encode("latin-1")]
    for line in lines[1:]:
        name = line.split(b":", 1)[0].strip().lower()
        if name not in _HOP_HEADERS:
            out.append(line)
    out.append(b"Connection: close")
    return b"\r\n".join(out) + b"\r\n\r\n"


def _pipe(a: socket.socket, b: socket.socket) -> None:
    socks = [a, b]
    while True:
        try:
            ready, _, _ = select.select(socks, [], [], IDLE_S)
        except (OSError, ValueError):
            return
        if not ready:
            return
        for s in ready:
            try:
                data = s.recv(65536)
            except OSError:
                return
            if not data:
                return
            try:
                (b if s is a else a).sendall(data)
            except OSError:
                return


def _reply(sock: socket.socket, status: int, text: str) -> None:
    import html

    reason = {400: "Bad Request", 403: "Forbidden", 502: "Bad Gateway"}[status]
    body = f"<!doctype html><title>{reason}</title><p>{html.escape(text)}</p>".encode()
    try:
        sock.sendall(f"HTTP/1.1 {status} {reason}\r\nContent-Type: text/html; charset=utf-8\r\n"
                     f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n".encode() + body)
    except OSError as e:
        log.debug("reach proxy: could not answer the browser: %s", e)
