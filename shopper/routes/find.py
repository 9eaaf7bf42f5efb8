"""Finding a route as a customer does: from the mail they got, then from the site's links; what a page must show."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Callable

from ..autofill.classify import classify
from ..autofill.page import read_forms
from ..page.addresses import ADDRESS_IN_TEXT
from .links import clickables, mail_links, matching
from .words import NEWSLETTER_LINK, ROUTE_WORDS

SUBSCRIBE = re.compile(r"subscribe|sign ?up|join|abonn|anmelden|inscri|suscrib|iscriv|aanmelden|inschrijven|"
                       r"registr|go\b|ok\b|send|submit|senden|envoyer|enviar|invia|verzenden", re.I)
UNSUBSCRIBE_BUTTON = re.compile(ROUTE_WORDS["unsubscribe"].pattern + r"|confirm|remove|best[äa]tigen|confirmer|"
                                r"confirmar|conferma|bevestig", re.I)

LOOKED_FOR = {
    "contact": "links or buttons named contact/support/help/customer service/kontakt/… (navigation and footer "
               "included), mailto: and tel: links, a form with a message field",
    "newsletter": "a form with an email field and a subscribe-like button on the page, links named "
                  "newsletter/nieuwsbrief/…",
    "unsubscribe": "the newsletter's List-Unsubscribe URL, unsubscribe links in received newsletters, links "
                   "named unsubscribe/email preferences/abmelden/… on the site",
    "order_status": "links in the confirmation mail (order status, tracking, or the order number), links named "
                    "track order/order status/my orders/… on the site",
}


@dataclass
class Search:
    """A route search: the pages seen so far (the finding names them)."""

    route: str
    pages: list[str] = field(default_factory=list)

    def seen(self, url: str) -> None:
        if url not in self.pages:
            self.pages.append(url)


def _forms(page: Any) -> list[tuple[Any, list[str]]]:
    return [(f, [classify(x.info).kind or "" for x in f.fields]) for f in read_forms(page)]


def shows_contact(page: Any) -> str | None:
    """How this page lets a customer write or call: 'form', 'mailto', 'tel', 'address' or None."""
    if any("message" in kinds for _, kinds in _forms(page)):
        return "form"
    hrefs = page.evaluate("() => [...document.querySelectorAll('a[href]')].map(a => a.getAttribute('href'))")
    if any(h.lower().startswith("mailto:") for h in hrefs if h):
        return "mailto"
    if any(h.lower().startswith("tel:") for h in hrefs if h):
        return "tel"
    return "address" if ADDRESS_IN_TEXT.search(page.locator("body").inner_text()) else None


def shows_newsletter(page: Any) -> str | None:
    for form, kinds in _forms(page):
        useful = [k for k in kinds if k not in ("", "skip", "search")]
        if "email" in useful and len(useful) <= 3 and any(SUBSCRIBE.search(b["text"]) for b in form.buttons):
            if not any(k in ("password", "message", "street", "cc_number") for k in useful):
                return "form"
    return None


def shows_unsubscribe(page: Any) -> str | None:
    for form, kinds in _forms(page):
        if any(UNSUBSCRIBE_BUTTON.search(b["text"]) for b in form.buttons):
            return "form"
    return "page" if ROUTE_WORDS["unsubscribe"].search(page.locator("body").inner_text()[:5000]) else None


def shows_order_status(page: Any, order_no: str = "", from_mail: bool = False) -> str | None:
    """A lookup form (order number, or just the email on a page the confirmation mail linked), or the order."""
    for _, kinds in _forms(page):
        if "order_number" in kinds or (from_mail and "email" in kinds):
            return "form"
    if order_no and order_no in page.locator("body").inner_text():
        return "status page"
    return None


SHOWS: dict[str, Callable[..., str | None]] = {"contact": shows_contact, "newsletter": shows_newsletter,
                                                "unsubscribe": shows_unsubscribe, "order_status": shows_order_status}


def candidate_urls(route: str, page: Any) -> list[str]:
    """Links on the page a customer would try for `route`, best first."""
    items = clickables(page)
    pattern = NEWSLETTER_LINK if route == "newsletter" else ROUTE_WORDS[route]
    urls = []
    for c in matching(items, pattern, links_only=True):
        if c.href.startswith(("http://", "https://")) and c.href not in urls:
            urls.append(c.href)
    return urls


def mail_candidates(route: str, mail: dict | None, order_no: str = "") -> list[str]:
    """For unsubscribe and order status, the links of the mail the journey got come first."""
    if not mail:
        return []
    c = mail.get("classification") or {}
    links = [tuple(x) for x in c.get("links") or []]
    if route == "unsubscribe":
        heads = [u for u in c.get("list_unsubscribe") or [] if u.lower().startswith(("http://", "https://"))]
        return heads + mail_links(links, ROUTE_WORDS["unsubscribe"])
    if route == "order_status":
        return mail_links(links, re.compile(ROUTE_WORDS["order_status"].pattern + r"|status|track|order", re.I),
                          also=order_no)
    return []
