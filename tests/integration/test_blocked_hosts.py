"""`browser.block_hosts`: requests to trackers are dropped and counted, without Playwright's request interception.

The reach proxy, which every request to another origin passes anyway, drops them before any lookup; a route
in the context (a round trip in the driver for every request of every page, and no HTTP cache) is only
installed for a blocked host that is also one of the site's own, which the proxy never sees.
"""
from __future__ import annotations

import threading
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from playwright._impl import connection as pw_connection

from shopper.probes.reach import ReachPolicy

pytestmark = pytest.mark.browser


class Counting(BaseHTTPRequestHandler):
    """A server that answers every GET with a page (or a tiny body) and notes the paths it was asked for."""
    seen: list[str] = []
    page = b""

    def do_GET(self) -> None:  # noqa: N802
        type(self).seen.append(self.path)
        body = type(self).page if self.path == "/" else b"ok"
        self.send_response(200)
        self.send_header("Content-Type", "text/html" if self.path == "/" else "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args) -> None:
        pass


def serve(handler: type) -> ThreadingHTTPServer:
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


@pytest.fixture
def servers():
    class Site(Counting):
        seen = []

    class Other(Counting):   # what tracker.test and shop-cdn.test would reach, were they not blocked
        seen = []

    site, other = serve(Site), serve(Other)
    yield site, Site, other, Other
    for s in (site, other):
        s.shutdown()
        s.server_close()


def _page(other_port: int) -> bytes:
    return f"""<!doctype html><title>Shop</title><p>hello</p>
<img src="http://tracker.test:{other_port}/pixel.gif"><img src="http://www.tracker.test:{other_port}/p2.gif">
<img src="http://shop-cdn.test:{other_port}/logo.gif"><img src="http://static.shop.test/s.gif">
<script>fetch("http://tracker.test:{other_port}/beacon").catch(() => 0).finally(() => document.title = "done")
</script>""".encode()


def test_blocked_hosts_are_dropped_by_the_proxy_and_counted(browser, servers, monkeypatch):
    site, Site, other, Other = servers
    port = other.server_address[1]
    Site.page = _page(port)
    sent: Counter = Counter()
    original = pw_connection.Connection.send_message_to_server

    def spy(self, obj, method, params, options):
        sent[method] += 1
        return original(self, obj, method, params, options)

    monkeypatch.setattr(pw_connection.Connection, "send_message_to_server", spy)
    base = f"http://127.0.0.1:{site.server_address[1]}"
    names = {"tracker.test": ["127.0.0.1"], "www.tracker.test": ["127.0.0.1"], "shop-cdn.test": ["127.0.0.1"]}
    # the other server is allowed (network.allow), so only the block list keeps the trackers from it
    policy = ReachPolicy.build([base], [f"127.0.0.1:{port}"], lambda host: names[host])
    ctx, blocked = browser.new_context(block_hosts=["*.tracker.test"], reach=policy)
    try:
        page = ctx.new_page()
        page.goto(base + "/")
        page.wait_for_function("document.title === 'done'")
        page.wait_for_load_state("load")
    finally:
        ctx.close()
    assert dict(blocked) == {"tracker.test": 2, "www.tracker.test": 1}   # two images and the fetch
    assert sorted(Other.seen) == ["/logo.gif"]   # not blocked: it went through (the test can tell)
    assert sent["setNetworkInterceptionPatterns"] == 0   # no route: the HTTP cache stays on


def test_a_blocked_host_of_the_site_itself_is_still_blocked(browser, servers):
    """The proxy never sees the site's own hosts (they bypass it): a route in the context blocks those."""
    site, Site, other, Other = servers
    Site.page = _page(other.server_address[1])
    base = f"http://127.0.0.1:{site.server_address[1]}"
    policy = ReachPolicy.build([base], [], lambda host: ["127.0.0.1"], site_hosts=["static.shop.test"])
    ctx, blocked = browser.new_context(block_hosts=["static.shop.test", "*.tracker.test"], reach=policy)
    try:
        page = ctx.new_page()
        page.goto(base + "/")
        page.wait_for_function("document.title === 'done'")
    finally:
        ctx.close()
    assert blocked["static.shop.test"] == 1 and blocked["tracker.test"] == 2
