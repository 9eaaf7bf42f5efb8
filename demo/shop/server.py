"""Serve the shop from a background thread on a free loopback port: `with start_shop() as shop: shop.url`."""
from __future__ import annotations

import threading
from collections.abc import Iterable
from types import TracebackType

from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

from demo.shop.app import create_app
from demo.shop.world import DEFAULT_PASSWORD, ShopWorld


class QuietRequestHandler(WSGIRequestHandler):
    """No access log line per request: tests and embedded shops stay quiet (errors still go to stderr)."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        return


class ShopServer:
    """A running shop. `url` is its base URL, `world` its state; `stop()` (or leaving `with`) ends it."""

    def __init__(self, server: BaseWSGIServer, world: ShopWorld):
        self.world = world
        self._server = server
        self.url = f"http://{server.host}:{server.port}"
        self._thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                                        name=f"shop-{server.port}", daemon=True)
        self._stopped = False
        world.base_url = self.url
        self._thread.start()  # the socket already listens, so the shop accepts from here on

    def wait(self) -> None:
        """Block until the shop is stopped (Ctrl-C in the foreground)."""
        self._thread.join()

    def stop(self) -> None:
        """Stop serving and close the socket; safe to call twice."""
        if self._stopped:
            return
        self._stopped = True
        self._server.shutdown()
        self._thread.join()
        self._server.server_close()

    def __enter__(self) -> "ShopServer":
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()

    def __repr__(self) -> str:
        return f"ShopServer({self.url!r}, profile={self.world.profile.name!r}, defects={sorted(self.world.defects)})"


def start_shop(defects: Iterable[str] | None = None, *, profile: str = "a", host: str = "127.0.0.1",
               port: int = 0, delay_ms: int = 0, world: ShopWorld | None = None,
               password: str = DEFAULT_PASSWORD, log_requests: bool = False) -> ShopServer:
    """Start a shop and return once it accepts connections.

    `defects=None` switches every defect on (the broken world), `defects=()` none (the healthy twin).
    A given `world` brings its own defects and profile (then `defects`, `profile` and `password` are ignored).
    """
    if world is None:
        world = ShopWorld(defects, profile=profile, password=password)
    app = create_app(world, delay_ms=delay_ms)
    handler = WSGIRequestHandler if log_requests else QuietRequestHandler
    # make_server binds and listens before returning: no waiting for readiness is needed.
    server = make_server(host, port, app, threaded=True, request_handler=handler)
    return ShopServer(server, world)
