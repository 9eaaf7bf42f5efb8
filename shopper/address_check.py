"""Is an address one a customer can write to? Syntax (email-validator), then its domain's mail hosts (our Resolver).

    >>> from shopper.probes.dns import Resolver
    >>> check_address("support@shop-dem0.test", Resolver()).problem
    'support@shop-dem0.test: the domain shop-dem0.test does not exist (NXDOMAIN)'

Kinds of problem: 'syntax' | 'no_domain' | 'null_mx' | 'no_mail_host' | 'dns_error'. A 'dns_error'
(timeout, SERVFAIL...) is not ok, but it says nothing about the address: it may pass next time.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple, Protocol

from email_validator import EmailNotValidError, validate_email

from shopper.probes.dns import DnsFailure


class AddressResolver(Protocol):
    """What check_address needs of shopper.probes.dns.Resolver."""

    def addresses(self, host: str) -> list[str]: ...

    def mx(self, domain: str) -> list[tuple[int, str]]: ...


@dataclass(frozen=True)
class AddressCheck:
    """The verdict on one address.

    `mx`: the domain's mail hosts by preference (empty when there are no MX records and mail goes
    to the domain's own address, the implicit MX of RFC 5321 §5.1); `addresses`: the IPs mail
    would go to (of every MX host that resolves, or of the domain itself).
    """

    address: str
    normalized: str
    ok: bool
    problem: str | None = None
    kind: str | None = None
    mx: tuple[str, ...] = ()
    addresses: tuple[str, ...] = ()


def check_address(address: str, resolver: AddressResolver) -> AddressCheck:
    """Check syntax, then MX (or the implicit MX); every problem says what is wrong in words a user can act on."""
    try:
        # test_environment: *.test addresses are valid syntax here; whether such a domain exists is
        # our Resolver's call (it never asks public DNS about reserved names). We do DNS ourselves.
        valid = validate_email(address, check_deliverability=False, test_environment=True)
    except EmailNotValidError as exc:
        return AddressCheck(address, address.strip(), ok=False, kind="syntax",
                            problem=f"{address}: not a valid email address: {exc}")
    hosts = _mail_hosts(valid.ascii_domain, valid.domain, resolver)
    return AddressCheck(
        address, valid.normalized, ok=hosts.kind is None, kind=hosts.kind,
        problem=f"{address}: {hosts.problem}" if hosts.problem else None,
        mx=hosts.mx, addresses=hosts.addresses,
    )


class _MailHosts(NamedTuple):
    kind: str | None = None
    problem: str | None = None
    mx: tuple[str, ...] = ()
    addresses: tuple[str, ...] = ()


def _mail_hosts(domain: str, shown: str, resolver: AddressResolver) -> _MailHosts:
    """Where mail for `domain` goes, or why it cannot go anywhere."""
    try:
        records = resolver.mx(domain)
    except DnsFailure as failure:
        if failure.kind == "nodata":
            return _implicit_mx(domain, shown, resolver)
        return _failed(failure, shown)
    hosts = tuple(dict.fromkeys(host for _, host in records if host))
    if not hosts:
        return _MailHosts("null_mx", f"the domain {shown} accepts no mail (null MX, RFC 7505)")
    found: list[str] = []
    transient: list[DnsFailure] = []
    for host in hosts:
        try:
            found += [a for a in resolver.addresses(host) if a not in found]
        except DnsFailure as failure:
            if failure.kind not in ("nxdomain", "nodata"):
                transient.append(failure)
    if found:
        return _MailHosts(mx=hosts, addresses=tuple(found))
    if transient:
        return _failed(transient[0], shown)._replace(mx=hosts)
    several = len(hosts) > 1
    return _MailHosts(
        "no_mail_host",
        f"the mail host{'s' if several else ''} of {shown} ({', '.join(hosts)}) "
        f"{'have' if several else 'has'} no address (A/AAAA), so no server takes its mail",
        mx=hosts,
    )


def _implicit_mx(domain: str, shown: str, resolver: AddressResolver) -> _MailHosts:
    """No MX records: mail goes to the domain's own address (RFC 5321 §5.1), if it has one."""
    try:
        return _MailHosts(addresses=tuple(resolver.addresses(domain)))
    except DnsFailure as failure:
        if failure.kind == "nodata":
            return _MailHosts("no_mail_host", f"the domain {shown} has no MX record and no address (A/AAAA), "
                                              "so no server takes its mail (RFC 5321 §5.1)")
        return _failed(failure, shown)


def _failed(failure: DnsFailure, shown: str) -> _MailHosts:
    if failure.kind == "nxdomain":
        return _MailHosts("no_domain", f"the domain {shown} does not exist (NXDOMAIN)")
    return _MailHosts("dns_error", f"could not check the domain {shown} (this may be transient, "
                                   f"check again later): {failure}")
