"""Misbehaving servers for the faults suite: an SMTP server that hangs up, a TCP proxy that stalls or goes away.

Everything listens on 127.0.0.1, free ports, and is stopped by the test that started it.
"""
from __future__ import annotations

import asyncio
import socket
import threading
from dataclasses import dataclass, field

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session


@dataclass
class DropCounts:
    transactions: int = 0            # MAIL FROM commands seen: how often the client tried to send
    delivered: list[bytes] = field(default_factory=list)   # DATA the server took (it may deliver it!)


class HangUpHandler:
    """aiosmtpd hooks that accept, then close the connection after RCPT's 250, or after DATA without a reply."""

    def __init__(self, drop: str):
        assert drop in ("after_rcpt", "after_data")
        self.drop = drop
        self.counts = DropCounts()
        self.lock = threading.Lock()

    async def handle_MAIL(self, server: SMTP, session: Session, envelope: Envelope, address: str,
                          mail_options: list[str]) -> str:
        with self.lock:
            self.counts.transactions += 1
        envelope.mail_from = address
        return "250 OK"

    async def handle_RCPT(self, server: SMTP, session: Session, envelope: Envelope, address: str,
                          rcpt_options: list[str]) -> str:
        envelope.rcpt_tos.append(address)
        if self.drop == "after_rcpt":
            # close once the 250 has been written: the client has a recipient and no server any more
            asyncio.get_running_loop().call_soon(server.transport.close)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        with self.lock:
            self.counts.delivered.append(envelope.original_content or b"")
        server.transport.abort()   # the message is in; the client never hears "250 queued"
        return "250 2.0.0 Ok: queued"


class _PortController(Controller):
    def _trigger_server(self) -> None:
        self.port = self.server.sockets[0].getsockname()[1]
        super()._trigger_server()


class HangUpSmtpServer:
    def __init__(self, drop: str):
        self.handler = HangUpHandler(drop)
        self._controller = _PortController(self.handler, hostname="127.0.0.1", port=0)

    @property
    def port(self) -> int:
        return self._controller.port

    @property
    def counts(self) -> DropCounts:
        return self.handler.counts

    def __enter__(self) -> "HangUpSmtpServer":
        self._controller.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._controller.stop()


class TcpProxy:
    """Forwards 127.0.0.1:port to a target port. `stall_on(pattern)`: stop forwarding the client's bytes from
    the first chunk containing `pattern` (sets `stalled`); `down()` drops every connection and refuses new
    ones (the server "stops"); `up()` accepts again on the same port (the server "restarts");
    `trickle_on(pattern, after=n)`: from the (n+1)-th client chunk containing `pattern`, the server's answer goes
    back one byte every `every` seconds (a server that is alive but never done: no read ever times out)."""

    def __init__(self, target_port: int):
        self.target_port = target_port
        self.stalled = threading.Event()
        self._pattern: bytes | None = None
        self._trickle: tuple[bytes, int, float] | None = None
        self.trickling = threading.Event()
        self._lock = threading.Lock()
        self._conns: list[socket.socket] = []
        self._listener: socket.socket | None = None
        self._thread: threading.Thread | None = None
        self.port = 0
        self.up()

    def stall_on(self, pattern: bytes | None) -> None:
        with self._lock:
            self._pattern = pattern
            self.stalled.clear()

    def trickle_on(self, pattern: bytes | None, after: int = 0, every: float = 0.05) -> None:
        with self._lock:
            self._trickle = (pattern, after, every) if pattern is not None else None
            self.trickling.clear()

    def up(self) -> None:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(16)
        self.port = listener.getsockname()[1]
        self._listener = listener
        self._thread = threading.Thread(target=self._accept, args=(listener,), daemon=True)
        self._thread.start()

    def down(self) -> None:
        listener, self._listener = self._listener, None
        if listener is not None:
            try:
                listener.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass   # not connected: closing is enough
            listener.close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        with self._lock:
            conns, self._conns = self._conns, []
        for c in conns:
            try:
                c.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass   # already closed by the other side
            c.close()

    close = down

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return   # the listener was closed: the proxy is down
            upstream = socket.create_connection(("127.0.0.1", self.target_port))
            with self._lock:
                self._conns += [client, upstream]
            threading.Thread(target=self._pump, args=(client, upstream, True), daemon=True).start()
            threading.Thread(target=self._pump, args=(upstream, client, False), daemon=True).start()

    def _pump(self, src: socket.socket, dst: socket.socket, from_client: bool) -> None:
        try:
            while True:
                data = src.recv(65536)
                if not data:
                    break
                if from_client:
                    with self._lock:
                        pattern = self._pattern
                        trickle = self._trickle
                        if trickle is not None and trickle[0] in data:
                            if trickle[1] > 0:
                                self._trickle = (trickle[0], trickle[1] - 1, trickle[2])
                            else:
                                self.trickling.set()
                    if pattern is not None and pattern in data:
                        self.stalled.set()
                        return   # hold the connection open, forward nothing more
                elif self.trickling.is_set():
                    pace = threading.Event()
                    for i in range(len(data)):
                        dst.sendall(data[i:i + 1])
                        pace.wait(self._trickle[2] if self._trickle else 0.05)   # pacing the bytes, not syncing
                    continue
                dst.sendall(data)
        except OSError:
            pass   # one side went away: the other is closed below
        try:
            dst.shutdown(socket.SHUT_WR)
        except OSError:
            pass   # already gone
