"""The DNS probe against a real DNS server on loopback: records, negative answers, failures, the reserved-name rule."""
from __future__ import annotations

import threading
import time

import pytest

from demo.mailserver.dns import LoopbackDnsServer
from shopper.probes.dns import DnsFailure, DnsSettings, Resolver


def failure_of(call, *args) -> DnsFailure:
    with pytest.raises(DnsFailure) as info:
        call(*args)
    return info.value


def test_addresses_gives_a_then_aaaa(dns_server: LoopbackDnsServer, resolver: Resolver):
    dns_server.set("shop.test", "A", ["192.0.2.10", "192.0.2.11"])
    dns_server.set("shop.test", "AAAA", ["2001:db8::10"])

    assert resolver.addresses("shop.test") == ["192.0.2.10", "192.0.2.11", "2001:db8::10"]
    assert resolver.addresses("SHOP.test.") == ["192.0.2.10", "192.0.2.11", "2001:db8::10"]


def test_addresses_with_only_aaaa(dns_server: LoopbackDnsServer, resolver: Resolver):
    dns_server.set("v6.shop.test", "AAAA", ["2001:db8::1"])

    assert resolver.addresses("v6.shop.test") == ["2001:db8::1"]


def test_ip_literals_and_localhost_are_not_looked_up(dns_server: LoopbackDnsServer, resolver: Resolver):
    assert resolver.addresses("192.0.2.7") == ["192.0.2.7"]
    assert resolver.addresses("[2001:db8::7]") == ["2001:db8::7"]
    assert resolver.addresses("localhost") == ["127.0.0.1", "::1"]
    assert resolver.addresses("shop.localhost") == ["127.0.0.1", "::1"]
    assert dns_server.queries == []


def test_mx_sorted_by_preference(dns_server: LoopbackDnsServer, resolver: Resolver):
    dns_server.set("shop.test", "MX", ["20 mx2.shop.test.", (10, "MX1.shop.test"), "20 mx0.shop.test"])

    assert resolver.mx("shop.test") == [(10, "mx1.shop.test"), (20, "mx0.shop.test"), (20, "mx2.shop.test")]


def test_null_mx(dns_server: LoopbackDnsServer, resolver: Resolver):
    dns_server.set("nomail.test", "MX", ["0 ."])

    assert resolver.mx("nomail.test") == [(0, "")]


def test_nxdomain(resolver: Resolver):
    failure = failure_of(resolver.mx, "shop-dem0.test")

    assert failure.kind == "nxdomain"
    assert str(failure) == "MX lookup for shop-dem0.test: the name does not exist (NXDOMAIN)"
    assert failure_of(resolver.addresses, "shop-dem0.test").kind == "nxdomain"


def test_nodata(dns_server: LoopbackDnsServer, resolver: Resolver):
    dns_server.set("shop.test", "A", ["192.0.2.10"])
    dns_server.set("mail.shop.test", "TXT", ['"v=spf1 -all"'])

    mx_failure = failure_of(resolver.mx, "shop.test")
    address_failure = failure_of(resolver.addresses, "mail.shop.test")
    empty_parent = failure_of(resolver.addresses, "test")  # exists only because names sit below it

    assert (mx_failure.kind, address_failure.kind, empty_parent.kind) == ("nodata", "nodata", "nodata")
    assert str(mx_failure) == "MX lookup for shop.test: the name exists but has no MX record (NODATA)"
    assert str(address_failure) == "A/AAAA lookup for mail.shop.test: the name exists but has no A/AAAA record (NODATA)"


def test_timeout_within_the_configured_timeout(dns_server: LoopbackDnsServer):
    dns_server.reset()
    dns_server.fail("slow.test", "drop")
    resolver = Resolver(DnsSettings(nameservers=(dns_server.host,), port=dns_server.port, timeout=0.3))

    started = time.monotonic()
    failure = failure_of(resolver.addresses, "slow.test")
    elapsed = time.monotonic() - started

    assert failure.kind == "timeout"
    assert str(failure) == (
        f"A lookup for slow.test: no answer from {dns_server.host}:{dns_server.port} within 0.3s (timeout); "
        "the DNS server may be down or unreachable, or this may be transient"
    )
    assert 0.3 <= elapsed < 1.0
    assert dns_server.queries[0] == ("slow.test", "A")
    assert ("slow.test", "AAAA") not in dns_server.queries  # A timed out: AAAA is not waited for too
    dns_server.reset()


@pytest.mark.parametrize("mode, kind", [("servfail", "servfail"), ("refused", "refused")])
def test_server_failures(dns_server: LoopbackDnsServer, resolver: Resolver, mode: str, kind: str):
    dns_server.set("broken.test", "MX", ["10 mx.broken.test"])
    dns_server.fail("broken.test", mode)

    failure = failure_of(resolver.mx, "broken.test")

    assert failure.kind == kind
    assert str(failure).startswith(f"MX lookup for broken.test: {dns_server.host}:{dns_server.port} ")


def test_transient_failures_are_not_cached(dns_server: LoopbackDnsServer, resolver: Resolver):
    dns_server.set("flaky.test", "MX", ["10 mx.flaky.test"])
    dns_server.fail("flaky.test", "servfail")
    assert failure_of(resolver.mx, "flaky.test").kind == "servfail"

    dns_server.fail("flaky.test", None)

    assert resolver.mx("flaky.test") == [(10, "mx.flaky.test")]


def test_answers_are_cached_for_the_life_of_the_resolver(dns_server: LoopbackDnsServer, resolver: Resolver):
    dns_server.set("shop.test", "A", ["192.0.2.10"])
    dns_server.set("shop.test", "MX", ["10 mx.shop.test"])
    assert resolver.addresses("shop.test") == ["192.0.2.10"]
    assert resolver.mx("shop.test") == [(10, "mx.shop.test")]
    assert failure_of(resolver.mx, "gone.test").kind == "nxdomain"

    dns_server.set("shop.test", "A", ["192.0.2.99"])
    dns_server.set("gone.test", "MX", ["10 mx.gone.test"])

    assert resolver.addresses("shop.test") == ["192.0.2.10"]
    assert failure_of(resolver.mx, "gone.test").kind == "nxdomain"
    assert dns_server.queries == [("shop.test", "A"), ("shop.test", "AAAA"), ("shop.test", "MX"), ("gone.test", "MX")]


def test_concurrent_lookups_of_one_name_ask_once(dns_server: LoopbackDnsServer, resolver: Resolver):
    dns_server.set("shop.test", "A", ["192.0.2.10"])
    start = threading.Barrier(8)
    results: list[list[str]] = []

    def look_up() -> None:
        start.wait()
        results.append(resolver.addresses("shop.test"))

    threads = [threading.Thread(target=look_up) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert results == [["192.0.2.10"]] * 8
    assert dns_server.queries == [("shop.test", "A"), ("shop.test", "AAAA")]


@pytest.mark.parametrize("name", ["shop.test", "support.invalid", "www.example", "x.test."])
def test_reserved_names_fail_at_once_without_nameservers(dns_server: LoopbackDnsServer, name: str):
    dns_server.reset()
    resolver = Resolver(DnsSettings(timeout=30.0))  # the system's DNS: must not be asked at all

    started = time.monotonic()
    address_failure = failure_of(resolver.addresses, name)
    mx_failure = failure_of(resolver.mx, name)
    elapsed = time.monotonic() - started

    assert (address_failure.kind, mx_failure.kind) == ("nxdomain", "nxdomain")
    assert elapsed < 0.1
    tld = name.rstrip(".").rsplit(".", 1)[1]
    assert str(mx_failure) == (
        f"MX lookup for {name.rstrip('.')}: the name does not exist (NXDOMAIN): .{tld} is reserved (RFC 6761) "
        "and never looked up in public DNS; list it under DNS hosts or set DNS nameservers that serve it"
    )


def test_hosts_overrides_addresses_and_mx_falls_back(dns_server: LoopbackDnsServer):
    resolver = Resolver(DnsSettings(hosts={"Shop.Test": ("127.0.0.1",), "localhost": ("127.0.0.2",)}))

    assert resolver.addresses("shop.test") == ["127.0.0.1"]
    assert resolver.addresses("localhost") == ["127.0.0.2"]
    assert failure_of(resolver.mx, "shop.test").kind == "nodata"  # exists, no MX: implicit MX applies


def test_hosts_win_over_the_nameservers(dns_server: LoopbackDnsServer, resolver: Resolver):
    dns_server.set("shop.test", "A", ["192.0.2.10"])
    resolver = Resolver(DnsSettings(nameservers=(dns_server.host,), port=dns_server.port,
                                    hosts={"shop.test": ("127.0.0.1",)}))

    assert resolver.addresses("shop.test") == ["127.0.0.1"]
    assert dns_server.queries == []


def test_explicit_nameservers_are_asked_about_reserved_names(dns_server: LoopbackDnsServer, resolver: Resolver):
    dns_server.set("shop.invalid", "A", ["192.0.2.5"])

    assert resolver.addresses("shop.invalid") == ["192.0.2.5"]


def test_lookups_over_tcp(dns_server: LoopbackDnsServer):
    import dns.query
    import dns.message

    dns_server.reset()
    dns_server.set("shop.test", "MX", ["10 mx.shop.test"])

    reply = dns.query.tcp(dns.message.make_query("shop.test", "MX"), dns_server.host, port=dns_server.port, timeout=2)

    assert [r.to_text() for r in reply.answer[0]] == ["10 mx.shop.test."]
    dns_server.reset()


def test_bad_names_are_errors(resolver: Resolver):
    failure = failure_of(resolver.addresses, "a" * 64 + ".test")

    assert failure.kind == "error"
    assert failure_of(resolver.mx, "  ").kind == "error"


def test_check_address_against_the_dns_server(dns_server: LoopbackDnsServer, resolver: Resolver):
    from shopper.address_check import check_address

    dns_server.set("shop.test", "MX", [(10, "mx.shop.test")])
    dns_server.set("mx.shop.test", "A", ["192.0.2.25"])
    dns_server.set("nomail.test", "MX", ["0 ."])
    dns_server.set("nomail.test", "A", ["192.0.2.80"])
    dns_server.set("bare.test", "A", ["192.0.2.81"])
    dns_server.fail("slow.test", "drop")
    quick = Resolver(DnsSettings(nameservers=(dns_server.host,), port=dns_server.port, timeout=0.2))

    checks = {a: check_address(a, quick) for a in
              ["support@shop.test", "support@nomail.test", "support@bare.test", "support@shop-dem0.test",
               "support@slow.test"]}

    assert {a: (c.ok, c.kind, c.mx, c.addresses) for a, c in checks.items()} == {
        "support@shop.test": (True, None, ("mx.shop.test",), ("192.0.2.25",)),
        "support@nomail.test": (False, "null_mx", (), ()),
        "support@bare.test": (True, None, (), ("192.0.2.81",)),
        "support@shop-dem0.test": (False, "no_domain", (), ()),
        "support@slow.test": (False, "dns_error", (), ()),
    }
    assert checks["support@shop-dem0.test"].problem == (
        "support@shop-dem0.test: the domain shop-dem0.test does not exist (NXDOMAIN)"
    )
