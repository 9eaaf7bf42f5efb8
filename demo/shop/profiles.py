"""The faces of the demo shop: profile 'a' (Kettle & Co), 'b' (same shop, other markup and addresses) and 'c'
(no landmarks, a two-page checkout)."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Profile:
    """What differs between the shop's profiles besides templates: addresses and number formats."""

    name: str
    shop_name: str
    domain: str
    support_address: str
    unsubscribe_address: str
    wrong_unsubscribe_address: str  # shown instead when `unsubscribe_wrong_address` is on
    webmaster_address: str
    order_prefix: str
    first_order_number: int
    first_ticket: int
    dead_social_url: str  # shown instead of /social when `dead_host_link` is on
    dead_courier_base: str  # + order number, shown instead of /courier/track/<no> when `dead_courier` is on
    templates_from: str | None = None  # a profile whose templates fill in the ones this profile lacks

    def order_no(self, n: int) -> str:
        """The customer-facing number of the n-th order: `KC-10001`, `B-2001`."""
        return f"{self.order_prefix}{self.first_order_number + n}"


PROFILES: dict[str, Profile] = {
    "a": Profile(
        name="a",
        shop_name="Kettle & Co",
        domain="shop-demo.test",
        support_address="support@shop-demo.test",
        unsubscribe_address="unsubscribe@shop-demo.test",
        wrong_unsubscribe_address="unsubscibe@shop-demo.test",
        webmaster_address="webmaster@shop-demo.test",
        order_prefix="KC-",
        first_order_number=10001,
        first_ticket=1001,
        dead_social_url="http://social.shop-demo.test/kettleco",
        dead_courier_base="http://track.parcel-courier.test/",
    ),
    "b": Profile(
        name="b",
        shop_name="Kettle & Co",
        domain="kettle-b.test",
        support_address="help@kettle-b.test",
        unsubscribe_address="newsletter-off@kettle-b.test",
        wrong_unsubscribe_address="newsletter-of@kettle-b.test",
        webmaster_address="postmaster@kettle-b.test",
        order_prefix="B-",
        first_order_number=2001,
        first_ticket=5001,
        dead_social_url="http://social.kettle-b.test/kettleco",
        dead_courier_base="http://track.parcel-courier.test/",
    ),
    "c": Profile(
        name="c",
        shop_name="Kettle & Co",
        domain="kettle-c.test",
        support_address="support@kettle-c.test",
        unsubscribe_address="unsubscribe@kettle-c.test",
        wrong_unsubscribe_address="unsubscrbe@kettle-c.test",
        webmaster_address="webmaster@kettle-c.test",
        order_prefix="C-",
        first_order_number=3001,
        first_ticket=7001,
        dead_social_url="http://social.kettle-c.test/kettleco",
        dead_courier_base="http://track.parcel-courier.test/",
        templates_from="a",   # only base, chat widget and checkout differ
    ),
}


def profile_named(name: str) -> Profile:
    """The profile called `name`; ValueError listing the known ones otherwise."""
    try:
        return PROFILES[name]
    except KeyError:
        raise ValueError(f"unknown shop profile {name!r}; known: {', '.join(sorted(PROFILES))}") from None
