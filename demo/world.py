"""The whole demo world: shop, the company's mail department, the shopper's Dovecot mailbox, DNS, a clock."""
from __future__ import annotations

import dataclasses
import os
import secrets
import shutil
import tempfile
from contextlib import ExitStack
from datetime import datetime, timedelta, timezone
from typing import Iterable
from urllib.parse import urlsplit

from demo.mailserver.company import CompanyMail
from demo.mailserver.dns import LoopbackDnsServer
from demo.mailserver.dovecot import DovecotServer
from demo.shop.server import ShopServer, start_shop
from demo.shop.world import DEFAULT_PASSWORD
from shopper.clock import ManualClock
from shopper.config import Config, DnsConfig, ImapConfig, NetworkConfig, SmtpConfig
from shopper.duration import Duration

SHOPPER = "shopper"
MAIL_DOMAIN = "mail.test"
# IMAP servers keep no arrival dates in the future, so the demo's days pass in the past.
DAYS_BACK = 6


class DemoWorld:
    """Start with `DemoWorld.start(defects, profile)`; `stop()` (or `with`) ends everything it started."""

    def __init__(self) -> None:
        self._stack = ExitStack()
        self.clock = ManualClock(datetime.now(timezone.utc).replace(microsecond=0) - timedelta(days=DAYS_BACK))
        self.password = secrets.token_urlsafe(12)
        self.shop: ShopServer
        self.company: CompanyMail
        self.dovecot: DovecotServer
        self.dns: LoopbackDnsServer
        self.login = ""

    @classmethod
    def start(cls, defects: Iterable[str] | None, profile: str = "a") -> "DemoWorld":
        w = cls()
        try:
            tmp = tempfile.mkdtemp(prefix="shopper-demo-")
            os.chmod(tmp, 0o755)   # Dovecot's mail processes run as the dovecot user
            w._stack.callback(shutil.rmtree, tmp, True)
            w.dovecot = DovecotServer.start(tmp)
            w._stack.callback(w.dovecot.stop)
            w.login = w.dovecot.add_user(SHOPPER, w.password)
            w.shop = start_shop(defects, profile=profile)
            w._stack.callback(w.shop.stop)
            w.company = CompanyMail.start(w.shop.world, w.dovecot, w.login, w.clock,
                                          immediate=timedelta(minutes=10), welcome_issue=True)
            w._stack.callback(w.company.stop)
            w.dns = LoopbackDnsServer().start()
            w._stack.callback(w.dns.stop)
            domain = w.company.addresses.domain
            for name in (domain, MAIL_DOMAIN):
                w.dns.set(name, "MX", [f"10 mx.{name}"])
                w.dns.set(f"mx.{name}", "A", ["127.0.0.1"])
        except BaseException:
            w.stop()
            raise
        return w

    def configure(self, config: Config) -> Config:
        """The config with the shopper's mail and DNS pointed at this world, and its shop allowed by the reach
        policy at run time (config.yaml allows nothing beyond the defaults: docs/security.md)."""
        shop = urlsplit(self.shop.url)
        allow = [*config.network.allow, f"{shop.hostname}:{shop.port}"]
        return dataclasses.replace(
            config,
            network=NetworkConfig(allow=allow),
            shopper=dataclasses.replace(config.shopper, address=self.login, name="Alex Shopper", plus_addressing=True),
            smtp=SmtpConfig(host="127.0.0.1", port=self.company.smtp_port, security="none"),
            imap=ImapConfig(host="127.0.0.1", port=self.dovecot.port, security="none", user=self.login,
                            folders=["INBOX", "\\Junk"], timeout=Duration(15)),
            dns=DnsConfig(nameservers=["127.0.0.1"], port=self.dns.port, timeout=Duration(2)))

    def environ(self, base: dict[str, str]) -> dict[str, str]:
        return {**base, "SHOPPER_IMAP_PASSWORD": self.password,
                "SHOPPER_SITE_PASSWORD": base.get("SHOPPER_SITE_PASSWORD", DEFAULT_PASSWORD)}

    def pass_days(self, days: int = 3) -> None:
        """Let the company live through `days`: a newsletter each morning, paid orders shipped, every reply and
        bounce due."""
        for day in range(1, days + 1):
            self.clock.advance(days=1)
            self.company.send_newsletter(day)
            self.shop.world.ship_paid_orders()   # the warehouse ships every paid order the next morning
            self.company.deliver_due()
        self.clock.advance(hours=1)
        self.company.deliver_due()

    def stop(self) -> None:
        self._stack.close()

    def __enter__(self) -> "DemoWorld":
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
