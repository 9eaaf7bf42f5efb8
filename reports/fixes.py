"""A short 'what to fix' line per finding kind, for the process owner."""
from __future__ import annotations

FIX = {
    "broken_link": "Fix or remove the link; if the target moved, redirect the old URL.",
    "page_error": "Look at the server log (HTTP errors) or the browser console (script errors) for this page.",
    "step_failed": "A customer could not complete this step: check the page against the journey's expectation.",
    "broken_email": "Publish an address that exists and whose domain accepts mail (MX records).",
    "bounced_mailbox": "Make the mailbox accept mail (free space, create the user) or change the published address.",
    "unanswered_email": "Assign the mailbox to a team with a response-time target and monitor its queue.",
    "unanswered_form": "Check where form submissions go (ticket system, mailbox) and that someone answers them.",
    "no_acknowledgement": "Send an automatic acknowledgement with a ticket number for every message received.",
    "unsubscribe_ignored": "Honour unsubscribe requests from every route (one-click, mail, link) within 2 days.",
    "payment_inconsistent": "Reconcile the payment gateway with the order status; align page, mails and support scripts.",
    "duplicate_confirmation": "Make the confirmation mail idempotent per order (send once per order number).",
    "tracking_broken": "Fix the courier integration: tracking links must open and show the order.",
    "probe_unavailable": "Check the shopper's mailbox credentials and server; expectations wait until it can be read.",
}


def fix_for(kind: str) -> str:
    return FIX.get(kind, "")
