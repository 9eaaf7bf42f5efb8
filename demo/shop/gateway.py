"""A fake card payment gateway: the well-known test card numbers decide approve or decline."""
from __future__ import annotations

import re

APPROVED_CARD = "4242424242424242"
DECLINED_CARD = "4000000000000002"


def normalise_card(number: str) -> str:
    """Digits only: `4242 4242-4242 4242` -> `4242424242424242`."""
    return re.sub(r"[\s-]", "", number or "")


def is_card_number(number: str) -> bool:
    """13 to 19 digits after normalising; the gateway rejects anything else before charging."""
    return re.fullmatch(r"\d{13,19}", normalise_card(number)) is not None


def card_approved(number: str) -> bool:
    """Only the approval test card is approved; the decline card and every other number are declined."""
    return normalise_card(number) == APPROVED_CARD
