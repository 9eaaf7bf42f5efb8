"""Probes: the only code that talks to the world (browser, HTTP, DNS, SMTP, IMAP)."""
from __future__ import annotations

from dataclasses import dataclass

from typing import Any, Mapping

from ..secrets import Redactor
from .dns import DnsSettings, Resolver
from .http import LinkChecker
from .reach import ReachPolicy
from .mail import MailSender, mail_sender


@dataclass
class Probes:
    """What steps may use besides the page: a resolver and a link checker (and, later, mail probes)."""

    resolver: Resolver
    links: LinkChecker
    mail: MailSender | None = None
    inbox: Any = None       # shopper.inbox.Inbox when a mailbox is configured (set by the audit)

    @classmethod
    def from_config(cls, config, redactor: Redactor | None = None, environ: Mapping[str, str] | None = None) -> "Probes":
        d = config.dns
        resolver = Resolver(DnsSettings(nameservers=tuple(d.nameservers), port=d.port, timeout=d.timeout.seconds,
                                        hosts={k: tuple(v) for k, v in d.hosts.items()}))
        # outside a journey (a sweep following the links in an order's mail): every configured site is audited
        sites = list(config.sites.values())
        policy = ReachPolicy.build([p.base_url for p in sites], config.network.allow, resolver.addresses,
                                   [h for p in sites for h in p.hosts])
        links = LinkChecker(resolver, timeout=config.links.timeout.seconds, workers=config.links.workers,
                            verify_tls=config.links.verify_tls, policy=policy)
        mail = mail_sender(config, redactor or Redactor(), environ or {})
        return cls(resolver, links, mail)

    def close(self) -> None:
        self.links.close()

    def reach_for(self, site_urls: list[str], site_hosts: list[str] = ()) -> ReachPolicy:
        """The reach policy for one site: network.allow and the site's own origins."""
        return self.links.policy.with_site(site_urls, site_hosts)
