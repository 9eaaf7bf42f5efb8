"""check_address: syntax, then MX / implicit MX / null MX, with DNS answers from a table (no network)."""
from __future__ import annotations

import pytest

from shopper.address_check import AddressCheck, check_address
from shopper.probes.dns import DnsFailure


class TableResolver:
    """Answers from {(name, 'MX' | 'ADDR'): records or a DnsFailure kind}; unknown names are NXDOMAIN."""

    def __init__(self, table: dict[tuple[str, str], object]):
        self.table = table
        self.asked: list[tuple[str, str]] = []

    def mx(self, domain: str) -> list[tuple[int, str]]:
        return self._get(domain, "MX")

    def addresses(self, host: str) -> list[str]:
        return self._get(host, "ADDR")

    def _get(self, name: str, rtype: str):
        self.asked.append((name, rtype))
        answer = self.table.get((name, rtype), "nxdomain")
        if isinstance(answer, str):
            raise DnsFailure(answer, name, "MX" if rtype == "MX" else "A/AAAA")
        return list(answer)


def test_mx_present():
    resolver = TableResolver({
        ("shop.test", "MX"): [(10, "mx1.shop.test"), (20, "mx2.shop.test")],
        ("mx1.shop.test", "ADDR"): ["192.0.2.1"],
        ("mx2.shop.test", "ADDR"): ["192.0.2.2", "2001:db8::2"],
    })

    assert check_address("support@shop.test", resolver) == AddressCheck(
        address="support@shop.test", normalized="support@shop.test", ok=True, problem=None, kind=None,
        mx=("mx1.shop.test", "mx2.shop.test"), addresses=("192.0.2.1", "192.0.2.2", "2001:db8::2"),
    )


def test_one_mx_host_without_address_is_still_deliverable():
    resolver = TableResolver({
        ("shop.test", "MX"): [(10, "old-mx.shop.test"), (20, "mx.shop.test")],
        ("mx.shop.test", "ADDR"): ["192.0.2.2"],
    })

    check = check_address("support@shop.test", resolver)

    assert (check.ok, check.mx, check.addresses) == (True, ("old-mx.shop.test", "mx.shop.test"), ("192.0.2.2",))


def test_implicit_mx_from_the_domain_address():
    resolver = TableResolver({("shop.test", "MX"): "nodata", ("shop.test", "ADDR"): ["192.0.2.10"]})

    assert check_address("support@shop.test", resolver) == AddressCheck(
        address="support@shop.test", normalized="support@shop.test", ok=True, problem=None, kind=None,
        mx=(), addresses=("192.0.2.10",),
    )


@pytest.mark.parametrize("address, table, kind, problem", [
    ("support@shop-dem0.test", {}, "no_domain",
     "support@shop-dem0.test: the domain shop-dem0.test does not exist (NXDOMAIN)"),
    ("support@nomail.test", {("nomail.test", "MX"): [(0, "")]}, "null_mx",
     "support@nomail.test: the domain nomail.test accepts no mail (null MX, RFC 7505)"),
    ("support@bare.test", {("bare.test", "MX"): "nodata", ("bare.test", "ADDR"): "nodata"}, "no_mail_host",
     "support@bare.test: the domain bare.test has no MX record and no address (A/AAAA), "
     "so no server takes its mail (RFC 5321 §5.1)"),
    ("support@shop.test", {("shop.test", "MX"): [(10, "mx.shop.test")]}, "no_mail_host",
     "support@shop.test: the mail host of shop.test (mx.shop.test) has no address (A/AAAA), "
     "so no server takes its mail"),
    ("support@shop.test", {("shop.test", "MX"): [(10, "a.shop.test"), (20, "b.shop.test")],
                           ("b.shop.test", "ADDR"): "nodata"}, "no_mail_host",
     "support@shop.test: the mail hosts of shop.test (a.shop.test, b.shop.test) have no address (A/AAAA), "
     "so no server takes its mail"),
    ("support@slow.test", {("slow.test", "MX"): "timeout"}, "dns_error",
     "support@slow.test: could not check the domain slow.test (this may be transient, check again later): "
     "MX lookup for slow.test: no answer in time (timeout); the DNS server may be down or unreachable"),
    ("support@shop.test", {("shop.test", "MX"): [(10, "mx.shop.test")], ("mx.shop.test", "ADDR"): "servfail"},
     "dns_error",
     "support@shop.test: could not check the domain shop.test (this may be transient, check again later): "
     "A/AAAA lookup for mx.shop.test: the DNS server could not answer (SERVFAIL); try again later"),
])
def test_problems(address, table, kind, problem):
    check = check_address(address, TableResolver(table))

    assert (check.ok, check.kind, check.problem) == (False, kind, problem)


@pytest.mark.parametrize("address, problem", [
    ("support.shop.test", "support.shop.test: not a valid email address: "
                          "An email address must have an @-sign."),
    ("sup port@shop.test", "sup port@shop.test: not a valid email address: "
                           "The email address contains invalid characters before the @-sign: SPACE."),
    ("support@shop..test", "support@shop..test: not a valid email address: "
                           "An email address cannot have two periods in a row."),
    ("support@x.invalid", "support@x.invalid: not a valid email address: The part after the @-sign is a "
                          "special-use or reserved name that cannot be used with email."),
])
def test_bad_syntax_is_not_looked_up(address, problem):
    resolver = TableResolver({})

    check = check_address(address, resolver)

    assert (check.ok, check.kind, check.problem, check.normalized) == (False, "syntax", problem, address)
    assert resolver.asked == []


def test_normalized_domain_is_what_is_looked_up():
    resolver = TableResolver({("shop.test", "MX"): "nodata", ("shop.test", "ADDR"): ["192.0.2.10"]})

    check = check_address("support@Shop.TEST", resolver)

    assert (check.address, check.normalized, check.ok) == ("support@Shop.TEST", "support@shop.test", True)
    assert resolver.asked == [("shop.test", "MX"), ("shop.test", "ADDR")]
