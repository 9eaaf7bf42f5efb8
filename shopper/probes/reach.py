"""The reach policy: where the bot may go on behalf of content (links, mail, redirects, routes, the browser).

Everything a page or a mail points at is the audited party's choice, so before any connection:

- only `http` and `https` are followed (`file:`, `javascript:`, `data:`, `blob:`, `chrome:` … are recorded);
- the host is resolved through our own resolver and the address checked; the connection then goes to that
  very address (a second lookup could answer differently: DNS rebinding);
- loopback, private, link-local, multicast and reserved addresses (IPv4 and IPv6) are refused, and so are
  ports other than 80 and 443,

except for the audited site's own origins (its base URL and `sites.NAME.hosts`, each with its port) and
what `network.allow` lists: host names (`shop.internal`, `*.corp.example`), addresses and CIDRs
(`10.1.2.3`, `10.0.0.0/8`, `[fd00::]/8`), each optionally with `:PORT`, and bare ports (`:8443`).

>>> p = ReachPolicy.build(["http://shop.test:8080"], [], resolve=lambda h: ["127.0.0.1"])
>>> p.check("http://shop.test:8080/contact").allowed
True
>>> p.check("http://127.0.0.1:9000/admin").refused
'link to a private address, not followed'
>>> p.check("file:///etc/passwd").refused
'link to a local resource (file:), not followed'
"""
from __future__ import annotations

import fnmatch
import ipaddress
from dataclasses import dataclass
from typing import Callable, Iterable
from urllib.parse import urlsplit

WEB_PORTS = frozenset({80, 443})
SCHEMES = ("http", "https")
PRIVATE = "link to a private address, not followed"
IpAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IpNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


class AllowError(ValueError):
    """A `network.allow` entry that is not a host, an address, a CIDR or a port."""


@dataclass(frozen=True)
class AllowRule:
    """One `network.allow` entry: a host pattern or a network, and a port (None: any port)."""

    host: str | None = None
    network: IpNetwork | None = None
    port: int | None = None

    @classmethod
    def parse(cls, text: str) -> "AllowRule":
        """`shop.internal`, `*.corp.example:8080`, `10.0.0.0/8`, `[fd00::]/8:443`, `::1`, `:8443`.

        >>> AllowRule.parse("10.0.0.0/8:8080")
        AllowRule(host=None, network=IPv4Network('10.0.0.0/8'), port=8080)
        """
        item = str(text).strip().lower()
        if not item:
            raise AllowError("an empty entry")
        body, port = _split_port(item)
        if not body:
            if port is None:
                raise AllowError(f"{text!r}: give a host, an address, a CIDR or :PORT")
            return cls(port=port)
        addr = canonical_ip(body)
        if addr is not None:
            return cls(network=ipaddress.ip_network(addr), port=port)
        if "/" in body:
            try:
                return cls(network=ipaddress.ip_network(body, strict=False), port=port)
            except ValueError:
                raise AllowError(f"{text!r} is not a CIDR (e.g. 10.0.0.0/8 or [fd00::]/8)") from None
        if not all(part and (part == "*" or all(c.isalnum() or c in "-_" for c in part))
                   for part in body.rstrip(".").split(".")):
            raise AllowError(f"{text!r} is not a host name, an address, a CIDR or :PORT")
        return cls(host=body.rstrip("."), port=port)

    def port_ok(self, port: int) -> bool:
        return self.port is None or self.port == port

    def matches_host(self, host: str, port: int) -> bool:
        if self.host is None or not self.port_ok(port):
            return False
        return fnmatch.fnmatch(host, self.host) or (self.host.startswith("*.") and host == self.host[2:])

    def matches_address(self, addr: IpAddress, port: int) -> bool:
        return self.network is not None and self.port_ok(port) and _unmapped(addr) in self.network


@dataclass(frozen=True)
class Reach:
    """The verdict on one URL: where to connect (`address`, `port`) or why not (`refused`)."""

    url: str
    scheme: str
    host: str                    # canonical: lower case, an IP in its usual spelling
    port: int
    address: str | None = None   # the checked address to connect to
    refused: str | None = None   # a sentence for the report: "link to a private address, not followed"

    @property
    def allowed(self) -> bool:
        return self.refused is None

    def observation(self, via: str) -> dict:
        """The `link_refused` observation: what, why, and who asked (browser, check_links, find_route...)."""
        return {"url": self.url[:500], "reason": self.refused, "via": via}


def origin(url: str) -> tuple[str, int] | None:
    """(host, port) of an http(s) URL, the host canonical; None for anything else."""
    parts = _split(url)
    return (parts[1], parts[2]) if parts is not None else None


class ReachPolicy:
    """Decides every fetch and navigation made on behalf of content; see the module docstring."""

    def __init__(self, own: Iterable[tuple[str, int]], allow: Iterable[AllowRule],
                 resolve: Callable[[str], list[str]]):
        self.own = frozenset(own)
        self.allow = tuple(allow)
        self._resolve = resolve

    @classmethod
    def build(cls, site_urls: Iterable[str], allow: Iterable[str], resolve: Callable[[str], list[str]],
              site_hosts: Iterable[str] = ()) -> "ReachPolicy":
        """The policy of one journey: the site's base URL(s), its extra hosts (`host` or `host:port`,
        ports 80 and 443 when none is given) and `network.allow`."""
        own: set[tuple[str, int]] = set()
        for url in site_urls:
            o = origin(url) if url else None
            if o is not None:
                own.add(o)
        for h in site_hosts:
            o = origin(h if "://" in h else f"http://{h}")
            if o is None:
                continue
            if "://" in h or _split_port(h.lower())[1] is not None:
                own.add(o)
            else:
                own.update({(o[0], 80), (o[0], 443)})
        return cls(own, [AllowRule.parse(a) for a in allow], resolve)

    def with_site(self, site_urls: Iterable[str], site_hosts: Iterable[str] = ()) -> "ReachPolicy":
        """The same allowances for another site (each journey has its own)."""
        other = ReachPolicy.build(site_urls, [], self._resolve, site_hosts)
        return ReachPolicy(other.own, self.allow, self._resolve)

    def is_own(self, host: str, port: int) -> bool:
        return (canonical_host(host), port) in self.own

    def check(self, url: str) -> Reach:
        """Decide; the host is resolved unless refused first. Raises the resolver's DnsFailure when the name
        does not resolve (that is a dead link, not a refusal)."""
        parts = _split(url)
        if parts is None:
            scheme = url.split(":", 1)[0].lower() if ":" in url else ""
            if scheme in SCHEMES:
                return Reach(url, scheme, "", 0, refused="not a valid web address, not followed")
            what = f"{scheme}:" if scheme and scheme.isascii() and scheme.replace("-", "").isalnum() else "no http(s)"
            return Reach(url, scheme, "", 0, refused=f"link to a local resource ({what}), not followed")
        scheme, host, port = parts
        literal = canonical_ip(host)
        if self.is_own(host, port) or any(r.matches_host(host, port) for r in self.allow):
            address = str(literal) if literal is not None else self._resolve(host)[0]
            return Reach(url, scheme, host, port, address=address)
        addresses = [literal] if literal is not None else [_parse_ip(a) for a in self._resolve(host)]
        for addr in addresses:
            if addr is None:
                return Reach(url, scheme, host, port, refused=PRIVATE)
            if any(r.matches_address(addr, port) for r in self.allow):
                return Reach(url, scheme, host, port, address=str(addr))
        if not all(is_public(a) for a in addresses if a is not None):
            return Reach(url, scheme, host, port, refused=PRIVATE)
        if port not in WEB_PORTS and not any(r.host is None and r.network is None and r.port == port
                                             for r in self.allow):
            return Reach(url, scheme, host, port, refused=f"link to port {port} of another site, not followed")
        return Reach(url, scheme, host, port, address=str(addresses[0]))


def is_public(addr: IpAddress) -> bool:
    """Neither loopback, private, link-local, multicast, reserved nor unspecified (IPv4-mapped included)."""
    a = _unmapped(addr)
    if a.is_multicast or a.is_loopback or a.is_link_local or a.is_private or a.is_reserved or a.is_unspecified:
        return False
    if isinstance(a, ipaddress.IPv6Address) and (a.sixtofour is not None or a.teredo is not None):
        inner = a.sixtofour if a.sixtofour is not None else a.teredo[1]   # type: ignore[index]
        return is_public(inner)
    return a.is_global


def canonical_host(host: str) -> str:
    """A host as a browser reads it: lower case, no trailing dot, numeric IPv4 forms (`2130706433`,
    `0x7f.1`, `0177.0.0.1`) spelled as dotted quads.

    >>> canonical_host("2130706433"), canonical_host("[::1]"), canonical_host("Shop.Test.")
    ('127.0.0.1', '::1', 'shop.test')
    """
    h = host.strip().lower().rstrip(".")
    ip = canonical_ip(h)
    return str(ip) if ip is not None else h


def canonical_ip(host: str) -> IpAddress | None:
    """The address a host spells, in any form WHATWG URL parsing accepts for IPv4; None for a name."""
    h = host.strip().lower().strip("[]").rstrip(".")
    if not h:
        return None
    try:
        return ipaddress.ip_address(h.split("%", 1)[0])
    except ValueError:
        pass
    parts = h.split(".")
    if len(parts) > 4:
        return None
    numbers = []
    for p in parts:
        try:
            numbers.append(int(p[2:] or "0", 16) if p.startswith("0x") else int(p, 8) if len(p) > 1 and p.startswith("0")
                           else int(p, 10))
        except ValueError:
            return None
    if any(n > 255 for n in numbers[:-1]) or numbers[-1] >= 256 ** (5 - len(numbers)):
        return None
    value = 0
    for n in numbers[:-1]:
        value = value * 256 + n
    value = value * 256 ** (5 - len(numbers)) + numbers[-1]
    return ipaddress.IPv4Address(value)


def _split(url: str) -> tuple[str, str, int] | None:
    try:
        parts = urlsplit(url.strip())
        scheme = parts.scheme.lower()
        port = parts.port or (443 if scheme == "https" else 80)
    except ValueError:
        return None
    host = canonical_host(parts.hostname or "")
    if scheme not in SCHEMES or not host or any(c.isspace() for c in host):
        return None
    return scheme, host, port


def _split_port(item: str) -> tuple[str, int | None]:
    """('host', 8080) from 'host:8080', ('::1', None) from '::1', ('fd00::/8', 443) from '[fd00::]/8:443'."""
    if item.startswith("["):
        end = item.find("]")
        body, rest = item[1:end] + item[end + 1:].split(":", 1)[0], item[end + 1:]
        port = rest.rsplit(":", 1)[1] if ":" in rest else None
    elif item.count(":") == 1:
        body, port = item.split(":")
    else:
        body, port = item, None
    if port is None or port == "":
        return body, None if port is None else _bad_port(item)
    if not port.isdigit() or not 0 < int(port) < 65536:
        _bad_port(item)
    return body, int(port)


def _bad_port(item: str) -> int:
    raise AllowError(f"{item!r}: the port must be a number from 1 to 65535")


def _parse_ip(text: str) -> IpAddress | None:
    try:
        return ipaddress.ip_address(text.split("%", 1)[0])
    except ValueError:
        return None


def _unmapped(addr: IpAddress) -> IpAddress:
    if isinstance(addr, ipaddress.IPv6Address) and addr.ipv4_mapped is not None:
        return addr.ipv4_mapped
    return addr
