"""The registry of planted shop defects: name -> one line saying what breaks when the switch is on."""
from __future__ import annotations

from collections.abc import Iterable

DEFECTS: dict[str, str] = {
    "broken_link": "the footer's Careers link answers 404",
    "dead_host_link": "the footer's 'Follow us' link points to a host that never resolves",
    "server_error": "the reviews page answers HTTP 500",
    "js_error": "product pages throw an uncaught TypeError on load",
    "hostile_title": "the Deluxe Kettle's name (page title and h1) carries HTML/script markup",
    "unsubscribe_wrong_address": "the unsubscribe page's 'or write to' address is misspelt and does not exist",
    "unsubscribe_ignored": "one-click and link unsubscribes answer 200 but the subscriber stays subscribed",
    "payment_inconsistent": (
        "the 4th attempt with a declined card shows an error but charges the order; "
        "the chat claims every payment succeeded"
    ),
    "dead_courier": "the order page's 'Track your parcel' link points to a host that never resolves",
    "support_autoack_only": "mail to support gets an automatic acknowledgement and never an answer (mail system)",
    "form_black_hole": "contact-form submissions get a ticket number on screen and nothing ever after (mail system)",
    "webmaster_mailbox_full": "mail to the webmaster address bounces: mailbox full (mail system)",
    "duplicate_confirmation": "confirmation mails are sent twice (mail system)",
    "refund_never_sent": "a cancelled, paid order gets its cancellation notice but never a refund (mail system)",
}


def validate_defects(names: Iterable[str] | None) -> frozenset[str]:
    """Check defect names; None means every defect (the broken world), () means none (the healthy twin).

    >>> sorted(validate_defects(["js_error"]))
    ['js_error']
    """
    if names is None:
        return frozenset(DEFECTS)
    if isinstance(names, str):
        names = [names]  # a lone name, not its letters
    chosen = frozenset(names)
    unknown = sorted(chosen - DEFECTS.keys())
    if unknown:
        raise ValueError(
            f"unknown shop defect(s): {', '.join(unknown)}; known: {', '.join(sorted(DEFECTS))}")
    return chosen
