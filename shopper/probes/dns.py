"""The only code that does DNS: address and MX lookups with readable failures and a per-run cache.

Reserved names never reach the network. A name under one of the special-use TLDs of RFC 6761 /
RFC 2606 (`.test`, `.invalid`, `.example`, `.localhost`) is answered locally:

- `localhost` and `*.localhost` resolve to loopback (127.0.0.1, ::1);
- a name in `DnsSettings.hosts` gets its listed addresses (like /etc/hosts);
- when `DnsSettings.nameservers` is set explicitly, those servers are asked for everything,
  reserved names included (that is how tests and the demo world serve their `*.test` zone);
- otherwise the lookup fails at once with kind 'nxdomain', and nothing is sent to the system's
  resolvers: an audit of `shop.test` must never leak a query for it to the internet.

`hosts` overrides only address lookups (A/AAAA), as /etc/hosts does; an MX lookup of a reserved
name that `hosts` lists fails with 'nodata' (the name exists, it has no MX), so mail to it falls
back to its address (RFC 5321 §5.1 implicit MX).

A `Resolver` caches every definite answer (records, NXDOMAIN, NODATA) for its lifetime; transient
failures (timeout, SERVFAIL, REFUSED, errors) are shared with threads waiting on the same lookup
but not kept, so a later call asks again. It is safe to use from several threads.
"""
from __future__ import annotations

import ipaddress
import logging
import threading
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Callable, Mapping, TypeVar

import dns.exception
import dns.name
import dns.rcode
import dns.rdatatype
import dns.resolver

log = logging.getLogger(__name__)

KINDS = ("nxdomain", "nodata", "timeout", "servfail", "refused", "error")
RESERVED_TLDS = ("test", "invalid", "example", "localhost")
LOOPBACK = ("127.0.0.1", "::1")
# Failures that describe the name itself; anything else may go away on a retry.
DEFINITE_KINDS = frozenset({"nxdomain", "nodata"})

T = TypeVar("T")


class DnsFailure(Exception):
    """A lookup gave no usable answer; `kind` says why (one of KINDS), str() says it for a person.

    >>> str(DnsFailure("nxdomain", "shop-dem0.test", "MX"))
    'MX lookup for shop-dem0.test: the name does not exist (NXDOMAIN)'
    """

    def __init__(self, kind: str, name: str, rtype: str, detail: str = ""):
        if kind not in KINDS:
            raise ValueError(f"unknown DNS failure kind {kind!r} (kinds: {', '.join(KINDS)})")
        self.kind = kind
        self.name = name
        self.rtype = rtype
        self.detail = detail
        super().__init__(f"{rtype} lookup for {name}: {detail or _DEFAULT_DETAIL[kind](rtype)}")


_DEFAULT_DETAIL: dict[str, Callable[[str], str]] = {
    "nxdomain": lambda rtype: "the name does not exist (NXDOMAIN)",
    "nodata": lambda rtype: f"the name exists but has no {rtype} record (NODATA)",
    "timeout": lambda rtype: "no answer in time (timeout); the DNS server may be down or unreachable",
    "servfail": lambda rtype: "the DNS server could not answer (SERVFAIL); try again later",
    "refused": lambda rtype: "the DNS server refused the query (REFUSED); check the nameservers setting",
    "error": lambda rtype: "the lookup failed",
}


@dataclass(frozen=True)
class DnsSettings:
    """Where to ask. Empty `nameservers` means the system's (/etc/resolv.conf)."""

    nameservers: tuple[str, ...] = ()
    port: int = 53
    timeout: float = 3.0
    hosts: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for server in self.nameservers:
            try:
                ipaddress.ip_address(server)
            except ValueError:
                raise ValueError(f"DNS nameserver {server!r} is not an IP address") from None
        if self.timeout <= 0:
            raise ValueError(f"DNS timeout must be positive, not {self.timeout!r}")
        hosts = {_normalize(name): tuple(addrs) for name, addrs in self.hosts.items()}
        object.__setattr__(self, "nameservers", tuple(self.nameservers))
        object.__setattr__(self, "hosts", hosts)  # a normalized copy; a plain dict so asdict/pickle work


def is_reserved(name: str) -> bool:
    """True for names under a special-use TLD that must never be sent to the system's DNS."""
    name = _normalize(name)
    return any(name == tld or name.endswith("." + tld) for tld in RESERVED_TLDS)


class Resolver:
    """Address and MX lookups through dnspython, with the reserved-name rule and a cache.

    >>> Resolver(DnsSettings(hosts={"shop.test": ("127.0.0.1",)})).addresses("shop.test")
    ['127.0.0.1']
    """

    def __init__(self, settings: DnsSettings = DnsSettings()):
        self.settings = settings
        self._lock = threading.Lock()
        self._cache: dict[tuple[str, str], Future] = {}
        self._dns: dns.resolver.Resolver | None = None

    def addresses(self, host: str) -> list[str]:
        """IPv4 then IPv6 addresses of `host`, each sorted; an IP literal comes back as is. Raises DnsFailure."""
        literal = _ip_literal(host)
        if literal is not None:
            return [literal]
        name = _normalize(host)
        if not name:
            raise DnsFailure("error", repr(host), "A", "empty host name")
        if name in self.settings.hosts:
            return list(self.settings.hosts[name])
        if name == "localhost" or name.endswith(".localhost"):
            return list(LOOPBACK)
        if not self.settings.nameservers and is_reserved(name):
            raise _reserved_failure(name, "A/AAAA")
        return list(self._cached(name, "A+AAAA", lambda: self._lookup_addresses(name)))

    def mx(self, domain: str) -> list[tuple[int, str]]:
        """(preference, host) pairs, lowest preference first; a null MX is [(0, '')]. Raises DnsFailure."""
        name = _normalize(domain)
        if not name:
            raise DnsFailure("error", repr(domain), "MX", "empty domain name")
        if not self.settings.nameservers and is_reserved(name):
            if name in self.settings.hosts or name == "localhost" or name.endswith(".localhost"):
                raise DnsFailure("nodata", name, "MX")
            raise _reserved_failure(name, "MX")
        return list(self._cached(name, "MX", lambda: self._lookup_mx(name)))

    # -- lookups -------------------------------------------------------------------------------

    def _lookup_addresses(self, name: str) -> tuple[str, ...]:
        # A first: NXDOMAIN or a timeout there answers for AAAA too, and saves a second wait.
        found: list[str] = []
        try:
            found += self._query(name, "A")
        except DnsFailure as failure:
            if failure.kind != "nodata":
                raise
        try:
            found += self._query(name, "AAAA")
        except DnsFailure as failure:
            if found:
                log.debug("using the A records of %s only: %s", name, failure)
            elif failure.kind == "nodata":
                raise DnsFailure("nodata", name, "A/AAAA") from None
            else:
                raise
        return tuple(found)

    def _lookup_mx(self, name: str) -> tuple[tuple[int, str], ...]:
        records = []
        for rdata in self._answer(name, "MX"):
            exchange = rdata.exchange.to_text(omit_final_dot=True).lower()
            records.append((int(rdata.preference), "" if exchange in ("", ".") else exchange))
        return tuple(sorted(records))

    def _query(self, name: str, rtype: str) -> list[str]:
        # Sorted: the order of records in an answer means nothing, and runs should compare equal.
        return sorted((rdata.to_text() for rdata in self._answer(name, rtype)), key=ipaddress.ip_address)

    def _answer(self, name: str, rtype: str) -> dns.resolver.Answer:
        if not self.settings.nameservers and is_reserved(name):
            raise _reserved_failure(name, rtype)
        try:
            return self._dns_resolver(name, rtype).resolve(
                name + ".", rtype, lifetime=self.settings.timeout, search=False
            )
        except dns.resolver.NXDOMAIN:
            raise DnsFailure("nxdomain", name, rtype) from None
        except dns.resolver.NoAnswer:
            raise DnsFailure("nodata", name, rtype) from None
        except dns.exception.Timeout:
            servers = ", ".join(self._servers_text())
            raise DnsFailure(
                "timeout", name, rtype,
                f"no answer from {servers} within {self.settings.timeout:g}s (timeout); "
                "the DNS server may be down or unreachable, or this may be transient",
            ) from None
        except dns.resolver.NoNameservers as exc:
            raise _no_nameservers_failure(exc, name, rtype) from None
        except dns.resolver.YXDOMAIN:
            raise DnsFailure("error", name, rtype, "the name is too long after CNAME expansion (YXDOMAIN)") from None
        except dns.name.NameTooLong:
            raise DnsFailure("error", name, rtype, "the name is longer than 255 octets") from None
        except dns.exception.DNSException as exc:
            raise DnsFailure("error", name, rtype, f"{type(exc).__name__}: {exc}") from None

    def _dns_resolver(self, name: str, rtype: str) -> dns.resolver.Resolver:
        with self._lock:
            if self._dns is None:
                self._dns = self._make_dns_resolver(name, rtype)
            return self._dns

    def _make_dns_resolver(self, name: str, rtype: str) -> dns.resolver.Resolver:
        if self.settings.nameservers:
            resolver = dns.resolver.Resolver(configure=False)
            resolver.nameservers = list(self.settings.nameservers)
            resolver.port = self.settings.port
        else:
            try:
                resolver = dns.resolver.Resolver(configure=True)
            except dns.resolver.NoResolverConfiguration as exc:
                raise DnsFailure(
                    "error", name, rtype,
                    f"no system DNS configuration ({exc}); set the DNS nameservers in config.yaml",
                ) from None
        resolver.timeout = self.settings.timeout
        resolver.lifetime = self.settings.timeout
        resolver.cache = None  # ours caches; dnspython's would hide zone changes from the demo
        return resolver

    def _servers_text(self) -> list[str]:
        if self.settings.nameservers:
            return [f"{s}:{self.settings.port}" for s in self.settings.nameservers]
        if self._dns is not None:
            return [str(s) for s in self._dns.nameservers]
        return ["the system's DNS servers"]

    # -- cache ---------------------------------------------------------------------------------

    def _cached(self, name: str, rtype: str, lookup: Callable[[], T]) -> T:
        key = (name, rtype)
        with self._lock:
            future = self._cache.get(key)
            owner = future is None
            if owner:
                future = self._cache[key] = Future()
        assert future is not None
        if owner:
            try:
                future.set_result(lookup())
            except DnsFailure as failure:
                future.set_exception(failure)
                if failure.kind not in DEFINITE_KINDS:
                    with self._lock:
                        self._cache.pop(key, None)
            except BaseException as exc:  # an unexpected error must not leave waiters hanging
                future.set_exception(exc)
                with self._lock:
                    self._cache.pop(key, None)
                raise
        return future.result()


def _normalize(name: str) -> str:
    return name.strip().rstrip(".").lower()


def _ip_literal(host: str) -> str | None:
    text = host.strip()
    if text.startswith("[") and text.endswith("]"):
        text = text[1:-1]
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return None
    return text


def _reserved_failure(name: str, rtype: str) -> DnsFailure:
    tld = name.rsplit(".", 1)[-1]
    return DnsFailure(
        "nxdomain", name, rtype,
        f"the name does not exist (NXDOMAIN): .{tld} is reserved (RFC 6761) and never looked up "
        "in public DNS; list it under DNS hosts or set DNS nameservers that serve it",
    )


def _server_text(server: str) -> str:
    """'Do53:127.0.0.1@5353' (dnspython's str of a nameserver) -> '127.0.0.1:5353'."""
    address, _, port = server.removeprefix("Do53:").partition("@")
    if ":" in address:
        address = f"[{address}]"
    return f"{address}:{port}" if port else address


def _no_nameservers_failure(exc: dns.resolver.NoNameservers, name: str, rtype: str) -> DnsFailure:
    errors = exc.kwargs.get("errors") or []
    reasons = [str(error[3]) for error in errors if len(error) > 3]
    servers = ", ".join(dict.fromkeys(_server_text(str(e[0])) for e in errors)) or "the DNS servers"
    if "SERVFAIL" in reasons:
        return DnsFailure("servfail", name, rtype, f"{servers} could not answer (SERVFAIL); try again later")
    if "REFUSED" in reasons:
        return DnsFailure(
            "refused", name, rtype, f"{servers} refused the query (REFUSED); check the DNS nameservers setting"
        )
    detail = "; ".join(reasons) or "no server answered"
    return DnsFailure("error", name, rtype, f"no usable answer from {servers}: {detail}")
