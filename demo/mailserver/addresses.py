"""The company's mail addresses and staff, derived from the shop's profile; and whose mailbox an address is."""
from __future__ import annotations

from dataclasses import dataclass
from email.headerregistry import Address

from demo.shop.profiles import Profile


@dataclass(frozen=True)
class Person:
    """A member of staff who answers mail by hand."""

    name: str
    address: str


@dataclass(frozen=True)
class CompanyAddresses:
    """Who is who at the company's domain. Everything else there is unknown (userunknown bounce)."""

    shop_name: str
    domain: str
    support: str
    webmaster: str
    unsubscribe: str
    orders: str
    news: str
    mx_host: str
    support_agent: Person
    webmaster_person: Person

    @classmethod
    def of(cls, profile: Profile) -> "CompanyAddresses":
        domain = profile.domain
        return cls(
            shop_name=profile.shop_name,
            domain=domain,
            support=profile.support_address.lower(),
            webmaster=profile.webmaster_address.lower(),
            unsubscribe=profile.unsubscribe_address.lower(),
            orders=f"orders@{domain}",
            news=f"news@{domain}",
            mx_host=f"mx.{domain}",
            support_agent=Person("Maria Keller", f"maria.keller@{domain}"),
            webmaster_person=Person("Tom Berger", f"tom.berger@{domain}"),
        )

    @property
    def list_id(self) -> str:
        """The newsletter's List-Id (RFC 2919) without angle brackets: news.shop-demo.test."""
        return f"news.{self.domain}"

    @property
    def quiet(self) -> frozenset[str]:
        """Addresses that exist but answer nothing (no-reply senders, staff, postmaster): accepted, dropped."""
        return frozenset({self.orders, self.news, self.support_agent.address, self.webmaster_person.address,
                          f"postmaster@{self.domain}"})

    def sender(self, address: str, role: str = "") -> Address:
        """A From address with the shop's name: "Kettle & Co Orders" <orders@...>."""
        local, _, domain = address.partition("@")
        return Address(display_name=f"{self.shop_name} {role}".strip(), username=local, domain=domain)

    def is_ours(self, address: str) -> bool:
        return address.rpartition("@")[2].lower() == self.domain


def base_address(address: str) -> str:
    """'user+ms-abc@mail.test' -> 'user@mail.test' (lowercase): the mailbox a plus-address lands in."""
    local, sep, domain = address.strip().lower().rpartition("@")
    return f"{local.split('+', 1)[0]}{sep}{domain}" if sep else address.strip().lower()


def mailbox_for(address: str, login: str) -> str | None:
    """The Dovecot login `address` is delivered to (`login` for it and its plus-addresses), else None."""
    return login if base_address(address) == base_address(login) else None
