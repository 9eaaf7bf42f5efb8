"""Payment methods by name: which method a checkout's choice offers, and the shopper's pick (pure logic).

The persona's `payment` preference list names methods (`card`, `cash_on_delivery`, `bank_transfer`,
`invoice`, `pay_at_pickup`) or a shop's own wording (`/regex/` or text); the first the shop offers is
chosen. Method names are matched in English, German, French, Spanish, Italian and Dutch.
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

METHODS: dict[str, re.Pattern[str]] = {
    "card": re.compile(
        r"\bcard\b|credit|debit|visa|master ?card|amex|american express|kreditkarte|karte|\bcarte\b|"
        r"carte (bancaire|bleue|de cr[ée]dit)|tarjeta|carta di credito|\bcarta\b|creditcard|\bkaart\b|"
        r"bankkaart", re.I),
    "cash_on_delivery": re.compile(
        r"cash on delivery|\bcod\b|pay (on|upon) delivery|payment on delivery|nachnahme|bar bei lieferung|"
        r"zahlung bei lieferung|contre.?remboursement|paiement [àa] la livraison|contra ?reembolso|"
        r"pago (a|en|contra) (la )?entrega|contrassegno|pagamento alla consegna|rembours|"
        r"betalen bij (af|be)levering", re.I),
    "bank_transfer": re.compile(
        r"bank ?transfer|wire transfer|direct bank|\bbacs\b|sepa|[üu]berweisung|vorkasse|virement|"
        r"transferencia|bonifico|overschrijving|bankoverschrijving|overmaking", re.I),
    "invoice": re.compile(
        r"invoice|pay later|\bbill me\b|rechnung|facture|factura|fattura|\bfactuur\b|achteraf betalen|"
        r"auf rechnung|sur facture|contra factura", re.I),
    "pay_at_pickup": re.compile(
        r"pay (at|in) (the )?(store|shop|pick.?up)|pick.?up|collect(ion)? in store|click (and|&) collect|"
        r"bei abholung|barzahlung bei abholung|paiement (en|au) magasin|retrait en magasin|"
        r"pago en tienda|recogida en tienda|pagamento (in negozio|al ritiro)|ritiro in negozio|"
        r"betalen (bij|in de) (winkel|afhalen)|afhalen", re.I),
}
DEFAULT_PREFERENCE = ("card", "cash_on_delivery", "bank_transfer", "invoice", "pay_at_pickup")
# a group of choices is a payment choice when its options or its name speak of paying
PAYMENT_GROUP = re.compile(r"pay|zahl|paiement|pago|pagamento|betaal|betal|" + "|".join(
    p.pattern for p in METHODS.values()), re.I)


def method_of(text: str) -> str | None:
    """The method an option's text names: `Cash on Delivery` -> cash_on_delivery (None: not known)."""
    for name, pattern in METHODS.items():
        if pattern.search(text or ""):
            return name
    return None


def preference(value: str | Sequence[str] | None) -> list[str]:
    """A preference list from config: a list, or text with commas (`card, invoice`); empty -> default."""
    if value is None:
        return list(DEFAULT_PREFERENCE)
    items = [value] if isinstance(value, str) else list(value)
    out: list[str] = []
    for item in items:
        parts = [item] if str(item).startswith("/") else str(item).split(",")
        out += [p.strip() for p in parts if p.strip()]
    return out or list(DEFAULT_PREFERENCE)


def _matches(want: str, text: str) -> bool:
    if want in METHODS:
        return bool(METHODS[want].search(text))
    from ..page.text import text_matcher

    m = text_matcher(want)
    return bool(m.search(text)) if isinstance(m, re.Pattern) else m.lower() in text.lower()


def pick(options: Sequence[str], wanted: Iterable[str]) -> tuple[int, str] | None:
    """The index of the first option (by preference order) the shopper accepts, and the preference
    it met; None when the shop offers none of them."""
    for want in wanted:
        for i, text in enumerate(options):
            if _matches(want, text):
                return i, want
    return None


def offered(options: Iterable[str]) -> list[str]:
    """The method names a list of option texts offers, in order (unknown wording as given)."""
    out: list[str] = []
    for text in options:
        name = method_of(text) or " ".join(text.split())[:60]
        if name not in out:
            out.append(name)
    return out
