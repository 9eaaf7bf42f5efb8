"""no_*_route and checkout_blocked: a customer finds no way to reach a process, or cannot finish an order."""
from __future__ import annotations

from typing import Iterator

from shopper.model import Finding

from . import Observations, check
from .registry import FindingKind

ROUTE_KINDS = {
    "contact": FindingKind("no_contact_route", "major", "support",
                           fix="Give customers a way to reach you from every page: a contact link in the "
                               "navigation or footer leading to a form, an email address or a phone number.",
                           summary="No contact page, form, email address or phone number a customer can find."),
    "newsletter": FindingKind("no_newsletter_route", "info", "unsubscribe",
                              fix="Nothing to fix if you send no newsletter; otherwise show the sign-up form "
                                  "where customers look (footer, a newsletter page).",
                              summary="No newsletter sign-up a customer can find."),
    "unsubscribe": FindingKind("no_unsubscribe_route", "major", "unsubscribe",
                               fix="Put a List-Unsubscribe header and an unsubscribe link in every newsletter, "
                                   "and an email-preferences page on the site.",
                               summary="No way out of the newsletter a customer can find."),
    "order_status": FindingKind("no_order_status", "major", "orders",
                                fix="Link the order's status page from the confirmation mail and offer "
                                    "'track my order' on the site.",
                                summary="No order status or tracking a customer can find after ordering."),
    "cancel": FindingKind("no_cancel_route", "major", "orders",
                          fix="Let customers cancel an order that has not shipped: a cancel link in the "
                              "confirmation mail, a button on the order page or in the account.",
                          summary="A customer cannot cancel an order (the site profile says the shop should let "
                                  "them)."),
}
# what a customer cannot do, for each missing route: the finding's title
CANNOT = {
    "contact": "A customer cannot reach the company: no contact page, form, address or phone number to be found",
    "newsletter": "A customer cannot find the newsletter sign-up",
    "unsubscribe": "A customer cannot leave the newsletter: no unsubscribe link, address or page to be found",
    "order_status": "A customer has no way to see the order before it ships: no order status page or link in the "
                    "confirmation mail or on the site; tracking arrives only by mail after shipment",
    "cancel": "A customer cannot cancel the order: no cancel link in its mails, on the order page or in the account",
}
CHECKOUT_BLOCKED = FindingKind("checkout_blocked", "critical", "orders",
                               fix="Walk through the checkout as a guest: the page named in the finding stops "
                                   "customers (a missing button, a field nobody can fill, an error).",
                               summary="A customer cannot get from a product to a placed order.")


@check("routes", kinds=[*ROUTE_KINDS.values(), CHECKOUT_BLOCKED])
def routes(obs: Observations) -> Iterator[Finding]:
    for o in obs.of_kind("route_missing"):
        d = o.data
        kind = ROUTE_KINDS[d["route"]]
        pages = [obs.site_relative(o.journey, p) for p in d.get("pages") or []]
        yield Finding.of(kind.name, severity=kind.severity, journey=o.journey, step=o.step,
                         subject=d["route"],
                         title=CANNOT.get(d["route"], f"No {d['route'].replace('_', ' ')} route a customer can find"),
                         detail=f"Looked for {d['looked_for']} on: {', '.join(pages) or 'no page'}",
                         evidence=o.evidence, data=dict(d))
    for o in obs.of_kind("checkout_blocked"):
        d = o.data
        yield Finding.of("checkout_blocked", severity=CHECKOUT_BLOCKED.severity, journey=o.journey, step=o.step,
                         subject=f"{d.get('stage', '?')}:{obs.site_relative(o.journey, d.get('url') or '')}",
                         title=f"Checkout stops at {d.get('stage', 'a page')}: {d.get('looked_for', '')}"[:200],
                         detail=f"On {d.get('url')} ({d.get('title') or 'no title'}): {d.get('reason')}",
                         evidence=o.evidence, data=dict(d))
