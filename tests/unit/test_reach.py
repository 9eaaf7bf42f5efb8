"""The reach policy: what a link, a redirect or the browser may reach on behalf of content."""
from __future__ import annotations

import pytest

from shopper.probes.dns import DnsFailure
from shopper.probes.reach import AllowError, AllowRule, ReachPolicy, canonical_host

NAMES = {"shop.test": ["127.0.0.1"], "public.test": ["93.184.216.34"], "rebind.test": ["93.184.216.34", "10.0.0.5"],
         "intranet.corp.test": ["10.1.2.3"], "v6.test": ["2606:2800:220:1::1"],
         "localhost": ["127.0.0.1", "::1"]}


def resolve(host: str) -> list[str]:
    if host not in NAMES:
        raise DnsFailure("nxdomain", host, "A/AAAA")
    return NAMES[host]


def policy(allow=(), hosts=()) -> ReachPolicy:
    return ReachPolicy.build(["http://shop.test:8000/"], list(allow), resolve, hosts)


@pytest.mark.parametrize("url", [
    "http://127.0.0.1:9000/admin/delete-all?confirm=yes", "http://localhost:8000/", "http://2130706433:8000/",
    "http://0x7f.1:8000/", "http://0177.0.0.1/", "http://127.1/", "http://user@127.0.0.1:9001/",
    "http://169.254.169.254/latest/meta-data/", "http://[::1]:8000/", "http://[::ffff:127.0.0.1]/",
    "http://[fe80::1]/", "http://10.0.0.1/", "http://192.168.1.1/", "http://172.16.0.1/", "http://100.64.0.1/",
    "http://224.0.0.1/", "http://0.0.0.0:8000/", "http://255.255.255.255/", "http://[fc00::1]/",
    "http://rebind.test/", "http://intranet.corp.test/", "http://[2002:7f00:1::]/",
])
def test_private_addresses_are_refused(url):
    reach = policy().check(url)
    assert reach.refused == "link to a private address, not followed", url
    assert reach.address is None


@pytest.mark.parametrize("url", ["file:///etc/passwd", "javascript:alert(1)", "data:text/html,<b>x</b>",
                                 "blob:http://shop.test:8000/uuid", "chrome://settings", "ftp://public.test/",
                                 "about:blank", "view-source:http://shop.test:8000/"])
def test_nothing_local(url):
    reach = policy().check(url)
    assert reach.refused and reach.refused.startswith("link to a local resource ("), reach


def test_the_sites_own_origin_is_allowed_and_only_with_its_port():
    p = policy()
    assert p.check("http://shop.test:8000/contact").address == "127.0.0.1"
    assert p.check("http://shop.test:8001/").refused == "link to a private address, not followed"
    assert p.check("http://shop.test/").refused == "link to a private address, not followed"


def test_public_addresses_on_web_ports_only():
    p = policy()
    assert p.check("https://public.test/x").address == "93.184.216.34"
    assert p.check("http://[2606:2800:220:1::1]/").allowed
    assert p.check("http://public.test:22/").refused == "link to port 22 of another site, not followed"
    assert policy(allow=[":8443"]).check("https://public.test:8443/").allowed


def test_network_allow_widens_by_host_cidr_and_port():
    assert policy(allow=["intranet.corp.test"]).check("http://intranet.corp.test:8080/").address == "10.1.2.3"
    assert policy(allow=["*.corp.test:443"]).check("https://intranet.corp.test/").allowed
    assert not policy(allow=["*.corp.test:443"]).check("http://intranet.corp.test/").allowed
    assert policy(allow=["10.0.0.0/8"]).check("http://intranet.corp.test/").allowed
    assert policy(allow=["127.0.0.1:9000"]).check("http://127.0.0.1:9000/").allowed
    assert not policy(allow=["127.0.0.1:9000"]).check("http://127.0.0.1:9001/").allowed
    assert policy(allow=["[::1]:8000"]).check("http://[::1]:8000/").allowed


def test_site_hosts_with_and_without_ports():
    p = ReachPolicy.build(["https://shop.test/"], [], resolve, ["intranet.corp.test", "shop.test:8443"])
    assert p.check("https://intranet.corp.test/").allowed and p.check("http://intranet.corp.test/").allowed
    assert not p.check("http://intranet.corp.test:8080/").allowed
    assert p.check("https://shop.test:8443/").allowed


def test_a_name_that_does_not_resolve_is_a_dead_link_not_a_refusal():
    with pytest.raises(DnsFailure):
        policy().check("http://nowhere.test/")


@pytest.mark.parametrize("text, why", [("", "empty"), ("shop..test", "not a host"), ("10.0.0.0/33", "CIDR"),
                                       ("host:99999", "port"), (":", "port"), ("a b", "not a host")])
def test_bad_allow_entries(text, why):
    with pytest.raises(AllowError, match=why):
        AllowRule.parse(text)


def test_canonical_hosts():
    assert canonical_host("2130706433") == "127.0.0.1"
    assert canonical_host("0x7F000001") == "127.0.0.1"
    assert canonical_host("SHOP.test.") == "shop.test"
    assert canonical_host("1.2.3") == "1.2.0.3"
