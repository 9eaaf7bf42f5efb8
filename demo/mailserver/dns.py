"""A small authoritative DNS server on loopback (UDP and TCP), answering from a zone that can change at run time.

The demo world and the tests point a Resolver at it to serve their `*.test` names:

    server = LoopbackDnsServer().start()
    server.set("shop.test", "A", ["127.0.0.1"])
    server.set("shop.test", "MX", [(10, "mx.shop.test")])
    server.set("nomail.test", "MX", ["0 ."])          # null MX (RFC 7505)
    server.fail("slow.test", "drop")                   # never answer: the client times out
    ...
    server.stop()

Answers: the records set for (name, type); NODATA (NOERROR, empty) when the name has other
records or names below it; NXDOMAIN otherwise. `fail(name, mode)` overrides that per name (or
for every name with `name=None`): 'drop' sends nothing, 'servfail' and 'refused' send that rcode.
Every question received is logged in `queries`, so a test can prove a name was never asked.
"""
from __future__ import annotations

import logging
import socket
import socketserver
import struct
import threading
from typing import Iterable, Sequence, Union

import dns.exception
import dns.flags
import dns.message
import dns.name
import dns.rcode
import dns.rdata
import dns.rdataclass
import dns.rdatatype
import dns.rrset

log = logging.getLogger(__name__)

FAIL_MODES = ("drop", "servfail", "refused")
RecordValue = Union[str, Sequence[object]]  # zone-file rdata text, or its fields: (10, "mx.shop.test")


class LoopbackDnsServer:
    """Authoritative DNS for a zone held in memory; thread-safe; start() binds a free port."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0, ttl: int = 60):
        self.host = host
        self._requested_port = port
        self.ttl = ttl
        self._lock = threading.Lock()
        self._zone: dict[tuple[str, int], tuple[dns.rdata.Rdata, ...]] = {}
        self._failures: dict[str | None, str] = {}
        self._queries: list[tuple[str, str]] = []
        self._udp: socketserver.UDPServer | None = None
        self._tcp: socketserver.TCPServer | None = None
        self._threads: list[threading.Thread] = []

    # -- lifecycle -----------------------------------------------------------------------------

    @property
    def port(self) -> int:
        if self._udp is None:
            raise RuntimeError("LoopbackDnsServer is not started")
        return self._udp.server_address[1]

    def start(self) -> "LoopbackDnsServer":
        """Bind UDP and TCP on the same free port and serve both from daemon threads."""
        if self._udp is not None:
            raise RuntimeError("LoopbackDnsServer is already started")
        self._udp, self._tcp = self._bind()
        for server in (self._udp, self._tcp):
            thread = threading.Thread(
                target=server.serve_forever, kwargs={"poll_interval": 0.05},
                name=f"dns-{type(server).__name__}-{self.port}", daemon=True,
            )
            thread.start()
            self._threads.append(thread)
        log.info("loopback DNS server on %s:%d (udp+tcp)", self.host, self.port)
        return self

    def stop(self) -> None:
        """Stop serving and release the port; safe to call twice."""
        for server in (self._udp, self._tcp):
            if server is not None:
                server.shutdown()
                server.server_close()
        for thread in self._threads:
            thread.join()
        self._threads.clear()
        self._udp = self._tcp = None

    def __enter__(self) -> "LoopbackDnsServer":
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def _bind(self) -> tuple[socketserver.UDPServer, socketserver.TCPServer]:
        handler = self._answer
        attempts = 1 if self._requested_port else 20
        last_error: OSError | None = None
        for _ in range(attempts):  # a free UDP port may be taken for TCP; try another
            udp = _UdpServer((self.host, self._requested_port), handler)
            try:
                tcp = _TcpServer((self.host, udp.server_address[1]), handler)
            except OSError as exc:
                udp.server_close()
                last_error = exc
                continue
            return udp, tcp
        raise OSError(f"no port on {self.host} free for both UDP and TCP DNS: {last_error}")

    # -- the zone ------------------------------------------------------------------------------

    def set(self, name: str, rtype: str, values: Iterable[RecordValue]) -> None:
        """Replace the records of (name, rtype); an empty `values` removes them.

        Values are zone-file rdata ("10 mx.shop.test", "0 .", "127.0.0.1") or their fields
        as a tuple ((10, "mx.shop.test")). Names in rdata are taken as absolute.
        """
        rdtype = dns.rdatatype.from_text(rtype)
        rdatas = tuple(
            dns.rdata.from_text(dns.rdataclass.IN, rdtype, _rdata_text(v), origin=dns.name.root, relativize=False)
            for v in values
        )
        key = (_normalize(name), rdtype)
        with self._lock:
            if rdatas:
                self._zone[key] = rdatas
            else:
                self._zone.pop(key, None)

    def delete(self, name: str) -> None:
        """Remove every record of `name` (it becomes NXDOMAIN unless names below it exist)."""
        name = _normalize(name)
        with self._lock:
            for key in [k for k in self._zone if k[0] == name]:
                del self._zone[key]

    def fail(self, name: str | None, mode: str | None) -> None:
        """Make queries for `name` (every name if None) 'drop' | 'servfail' | 'refused'; None clears."""
        if mode is not None and mode not in FAIL_MODES:
            raise ValueError(f"unknown DNS failure mode {mode!r} (modes: {', '.join(FAIL_MODES)})")
        key = None if name is None else _normalize(name)
        with self._lock:
            if mode is None:
                self._failures.pop(key, None)
            else:
                self._failures[key] = mode

    def reset(self) -> None:
        """Empty the zone, clear failure modes and the query log."""
        with self._lock:
            self._zone.clear()
            self._failures.clear()
            self._queries.clear()

    @property
    def queries(self) -> list[tuple[str, str]]:
        """Every (name, type) asked so far, in order, names lowercased without the final dot."""
        with self._lock:
            return list(self._queries)

    # -- answering -----------------------------------------------------------------------------

    def _answer(self, wire: bytes) -> bytes | None:
        try:
            query = dns.message.from_wire(wire)
        except dns.exception.DNSException as exc:
            log.warning("loopback DNS: ignoring a malformed query (%s)", exc)
            return None
        response = dns.message.make_response(query)
        response.flags |= dns.flags.AA
        if len(query.question) != 1:
            response.set_rcode(dns.rcode.FORMERR)
            return response.to_wire()
        question = query.question[0]
        name = _normalize(question.name.to_text())
        with self._lock:
            self._queries.append((name, dns.rdatatype.to_text(question.rdtype)))
            mode = self._failures.get(name, self._failures.get(None))
            rdatas = self._zone.get((name, question.rdtype), ())
            exists = bool(rdatas) or any(n == name or n.endswith("." + name) for n, _ in self._zone)
        if mode == "drop":
            return None
        if mode is not None:
            response.set_rcode(dns.rcode.SERVFAIL if mode == "servfail" else dns.rcode.REFUSED)
        elif rdatas:
            response.answer.append(dns.rrset.from_rdata_list(question.name, self.ttl, rdatas))
        elif not exists:
            response.set_rcode(dns.rcode.NXDOMAIN)
        return response.to_wire()


class _UdpServer(socketserver.UDPServer):
    def __init__(self, address: tuple[str, int], answer):
        self.answer = answer
        super().__init__(address, _UdpHandler)


class _UdpHandler(socketserver.BaseRequestHandler):
    def handle(self) -> None:
        wire, sock = self.request
        reply = self.server.answer(wire)
        if reply is not None:
            sock.sendto(reply, self.client_address)


class _TcpServer(socketserver.ThreadingTCPServer):
    daemon_threads = True
    block_on_close = False

    def __init__(self, address: tuple[str, int], answer):
        self.answer = answer
        super().__init__(address, _TcpHandler)


class _TcpHandler(socketserver.StreamRequestHandler):
    def handle(self) -> None:
        while True:  # a client may send several length-prefixed queries on one connection
            header = self.rfile.read(2)
            if len(header) < 2:
                return
            (length,) = struct.unpack("!H", header)
            wire = self.rfile.read(length)
            if len(wire) < length:
                return
            reply = self.server.answer(wire)
            if reply is None:
                return  # 'drop': close without answering
            try:
                self.wfile.write(struct.pack("!H", len(reply)) + reply)
            except (BrokenPipeError, ConnectionResetError, socket.timeout) as exc:
                log.debug("loopback DNS: TCP client went away: %s", exc)
                return


def _normalize(name: str) -> str:
    return name.strip().rstrip(".").lower()


def _rdata_text(value: RecordValue) -> str:
    if isinstance(value, str):
        return value
    return " ".join(str(part) for part in value)
