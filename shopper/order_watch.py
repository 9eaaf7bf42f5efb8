"""The order's life after the confirmation, as sweeps see it: mail about an order that journeys watch (by the
journey's token and the order number) resolves its expectations (shipped, delivered, cancelled, refunded),
records the states it reports with their times, and has every tracking or status link in it checked as a
customer would follow it: it answers and shows the order; a dead or tampered link is `tracking_broken`."""
from __future__ import annotations

import re
from typing import Any, Callable

from .expectations import Arrival, Expectation
from .mail.order_notice import mentions_order, order_states
from .model import Observation

MAX_LINKS = 10   # links checked per message: a mail is hostile content, never let it make us crawl
# a link a customer follows to see their order or parcel (its text or URL), in the six languages
ORDER_LINK = re.compile(r"track|status|order|parcel|package|shipment|deliver|sendung|bestellung|paket|commande|"
                        r"suivi|colis|pedido|seguimiento|env[íi]o|ordine|spedizione|pacco|bestelling|volg|pakket",
                        re.I)


def order_arrival(exp: Expectation, c: Any, received: Any) -> Arrival:
    """The Arrival an order expectation judges: whether the mail names its order, and the states it reports."""
    text = f"{c.subject}\n{c.excerpt}"
    orders = (exp.target,) if mentions_order(text, exp.target) else ()
    return Arrival(c.kind, c.from_addr, received, summary={
        "orders": orders, "states": sorted(order_states(c.subject, c.excerpt)) if orders else []})


def order_mail_observations(orders: list[Expectation], c: Any, m: Any, links: list[tuple[str, str]],
                            checker: Any, obs: Callable[..., Observation]) -> list[Observation]:
    """For one message about watched orders: the order states it reports (with times) and a `tracking`
    observation per order or parcel link in it (checked once per message)."""
    out: list[Observation] = []
    text = f"{c.subject}\n{c.excerpt}"
    seen: set[str] = set()
    for exp in orders:
        if exp.target in seen or not mentions_order(text, exp.target):
            continue
        seen.add(exp.target)
        for state in sorted(order_states(c.subject, c.excerpt)):
            out.append(obs("order_state", exp.journey, exp.step, {
                "order_no": exp.target, "state": state, "at": m.internaldate.isoformat(),
                "subject": c.subject[:300], "from": c.from_addr}))
        if checker is None:
            continue
        wanted = [(u, t) for u, t in links if ORDER_LINK.search(u) or ORDER_LINK.search(t or "")
                  or mentions_order(u, exp.target)][:MAX_LINKS]
        for url, link_text in wanted:
            seen_link = _check(checker, url, exp.target, c.subject)
            if "refused" in seen_link:   # the reach policy kept us away: an observation, never a tracking result
                out.append(obs("link_refused", exp.journey, exp.step, {"url": url[:500],
                                                                       "reason": seen_link["refused"], "via": "mail"}))
                continue
            out.append(obs("tracking", exp.journey, exp.step, seen_link | {"text": (link_text or "")[:200]}))
    return out


def _check(checker: Any, url: str, order_no: str, subject: str) -> dict[str, Any]:
    result, body = checker.fetch_text(url)
    error = None
    if result.refused:   # the reach policy: never followed, never a finding
        return {"url": url, "refused": result.refused}
    if not result.ok:
        error = f"HTTP {result.status}" if result.status else (result.error or "unreachable")
    elif mentions_order(url, order_no) and not mentions_order(_visible(body), order_no):
        # a link naming the order must show it (a tampered or expired one shows some other page); a courier's
        # link names its own parcel number, so it only has to answer
        error = f"the page does not show order {order_no}"
    return {"url": url, "ok": error is None, "status": result.status, "error": error,
            "page": f"mail: {subject[:200]}", "order_no": order_no, "source": "mail"}


def _visible(html: str) -> str:
    """The text a customer reads (no scripts, styles or tags): an order number only in a script does not count."""
    html = re.sub(r"(?is)<(script|style)\b.*?</\1\s*>", " ", html)
    return re.sub(r"<[^>]+>", " ", html)
