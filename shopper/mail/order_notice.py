"""What a shop's mail says about an order: which order (by its number) and which of its states — shipped,
delivered, cancelled, refunded — in English, German, French, Spanish, Italian and Dutch.

A state counts when the subject says it, or a sentence of the text says it as done: "we will let you know
when your order has shipped" (a promise, in a confirmation) is not a shipping notice.

>>> sorted(order_states("Your order #10001 is on the way", ""))
['shipped']
>>> sorted(order_states("Order confirmed", "We will email you as soon as your order has shipped."))
[]
>>> sorted(order_states("Ihre Bestellung wurde storniert", "Der Betrag wird erstattet."))
['cancelled']
>>> mentions_order("Your order KC-10001 is on its way", "KC-10001"), mentions_order("order KC-100012", "KC-10001")
(True, False)
"""
from __future__ import annotations

import re

NOTICES = ("shipped", "delivered", "cancelled", "refunded")
STATES: dict[str, re.Pattern[str]] = {
    "shipped": re.compile(
        r"\b(shipped|dispatched|on (its|the) way|has left our warehouse|handed (it |your \w+ )?(over )?to the "
        r"(courier|carrier)|versandt|verschickt|unterwegs|exp[ée]di[ée]e?s?|en route|en chemin|enviad[oa]s?|"
        r"en camino|spedit[oa]|in viaggio|verzonden|onderweg)\b", re.I),
    "delivered": re.compile(
        r"\b(delivered|zugestellt|geliefert|livr[ée]e?s?|entregad[oa]s?|consegnat[oa]|bezorgd|afgeleverd)\b", re.I),
    "cancelled": re.compile(
        r"\b(cancell?ed|cancellation|storniert|stornierung|annul[ée]e?s?|annulation|cancelad[oa]|cancelaci[óo]n|"
        r"annullat[oa]|annullamento|geannuleerd|annulering)\b", re.I),
    "refunded": re.compile(
        r"\b(refund(ed)?|money back|erstattet|r[üu]ckerstattung|erstattung|rembours[ée]e?|remboursement|"
        r"reembols(o|ado|ada)|rimbors(o|ato|ata)|terugbetaa?l(d|ing)|restitutie)\b", re.I),
}
# a sentence about what will or may happen, not what did
PROMISE = re.compile(
    r"\b(will|would|once|when|as soon as|if you|until|wird|werden|sobald|wenn|falls|d[èe]s que|lorsque|quand|"
    r"sera|cuando|en cuanto|si|ser[áa]|quando|appena|sar[àa]|zodra|wanneer|wordt|zal)\b", re.I)
SENTENCE = re.compile(r"(?<=[.!?\n])\s+")


def order_states(subject: str, text: str) -> set[str]:
    """The order states a mail reports as having happened (NOTICES), from its subject and text."""
    found = {s for s, p in STATES.items() if p.search(subject or "")}
    for sentence in SENTENCE.split(text or ""):
        if PROMISE.search(sentence):
            continue
        found |= {s for s, p in STATES.items() if p.search(sentence)}
    return found


def mentions_order(text: str, order_no: str) -> bool:
    """Does `text` name the order `order_no` (as a whole number: 10001 is not in 100012; '#' and case ignored)?"""
    want = (order_no or "").strip().lstrip("#")
    if not want:
        return False
    return re.search(rf"(?<![\w-]){re.escape(want)}(?![\w])", text or "", re.I) is not None
