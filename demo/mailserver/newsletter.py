"""The company's newsletter: one issue for every current subscriber, with List-* headers and one-click unsubscribe."""
from __future__ import annotations

from demo.mailserver.addresses import CompanyAddresses
from demo.mailserver.messages import newsletter
from demo.mailserver.outbox import Planned, Timings
from demo.shop.world import ShopWorld


def plan_newsletter(world: ShopWorld, addresses: CompanyAddresses, timings: Timings, issue_no: int,
                    only: str | None = None) -> list[Planned]:
    """One `Planned` newsletter per subscriber, in address order.

    List-Unsubscribe carries the shop's one-click URL (`world.unsubscribe_url`) and the real
    unsubscribe address (the misspelt one of `unsubscribe_wrong_address` is only on the web page).
    """
    a = addresses
    plans = []
    for email in sorted(world.subscribers()):
        if only is not None and email != only:
            continue
        url = world.unsubscribe_url(email)
        plans.append(Planned("newsletter", email, timings.newsletter, lambda when, email=email, url=url: newsletter(
            sender=a.sender(a.news, "News"), to=email, shop_name=a.shop_name, issue_no=issue_no,
            list_id=a.list_id, unsubscribe_url=url, unsubscribe_mailto=a.unsubscribe, when=when)))
    return plans
