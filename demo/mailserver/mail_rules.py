"""What the company does with a mail sent to one of its addresses: acknowledge, answer, unsubscribe or bounce."""
from __future__ import annotations

import logging
import threading
from email import message_from_bytes
from email.message import Message
from email.policy import default as default_policy
from email.utils import getaddresses

from demo.mailserver.addresses import CompanyAddresses, base_address
from demo.mailserver.messages import agent_reply, auto_reply, notice_reply, postfix_bounce
from demo.mailserver.outbox import Planned, Timings
from demo.shop.world import ShopWorld

log = logging.getLogger(__name__)

FIRST_MAIL_TICKET = 90001  # support mail tickets; the contact form's tickets are the shop's (profile.first_ticket)
UNSUBSCRIBED_SUBJECT = "You have been unsubscribed"


def userunknown_diagnostic(rcpt: str) -> str:
    return f"550 5.1.1 <{rcpt}>: Recipient address rejected: User unknown in virtual mailbox table"


def mailboxfull_diagnostic(rcpt: str) -> str:
    return f"552 5.2.2 <{rcpt}>: Recipient address rejected: Mailbox full"


class MailRules:
    """Plans the company's answers to one (envelope sender, recipient, message); thread-safe.

    Only the unsubscribe address has a side effect at once (the world's subscriber list); everything
    else is a `Planned` message for the outbox.
    """

    def __init__(self, world: ShopWorld, addresses: CompanyAddresses, timings: Timings):
        self.world = world
        self.addresses = addresses
        self.timings = timings
        self._lock = threading.Lock()
        self._next_ticket = FIRST_MAIL_TICKET

    def plan(self, mail_from: str, rcpt: str, raw: bytes) -> list[Planned]:
        rcpt = rcpt.strip().lower()
        a = self.addresses
        if not a.is_ours(rcpt):
            log.info("mail from %s to %s: not the company's domain, accepted and dropped", mail_from, rcpt)
            return []
        msg = message_from_bytes(raw, policy=default_policy)
        if rcpt == a.support:
            return self._support(mail_from, raw, msg)
        if rcpt == a.webmaster:
            return self._webmaster(mail_from, rcpt, raw)
        if rcpt == a.unsubscribe:
            return self._unsubscribe(mail_from, raw, msg)
        if rcpt in a.quiet:
            log.info("mail from %s to %s: a no-reply address, accepted and dropped", mail_from, rcpt)
            return []
        return self._bounce(mail_from, rcpt, raw, "5.1.1", userunknown_diagnostic(rcpt))

    # --- the rules ---

    def _support(self, mail_from: str, raw: bytes, msg: Message) -> list[Planned]:
        a, t = self.addresses, self.timings
        ticket = self._ticket()
        to = _reply_address(msg, mail_from)
        if not to:
            log.info("mail to %s without a usable sender: nobody to answer", a.support)
            return []
        plans = []
        if not _no_auto_reply(mail_from, msg):
            text = (f"We received your message, ticket #{ticket}.\n\n"
                    "One of our team will answer you within one working day.\n\n"
                    f"-- \n{a.shop_name} customer service\n")
            plans.append(Planned("support_ack", to, t.support_ack, lambda when: auto_reply(
                raw, sender=a.support, text=text, when=when, subject_prefix=f"[Ticket #{ticket}] ")))
        if self.world.has("support_autoack_only"):
            log.info("support ticket #%d: acknowledged, never answered (support_autoack_only)", ticket)
            return plans
        agent = a.support_agent
        answer = (f"Hello,\n\nthank you for writing to us (ticket #{ticket}). I have looked into your "
                  "question: everything is in order on our side, and I have noted your request.\n"
                  "If anything else comes up, just answer this mail.\n\n"
                  f"Best regards\n{agent.name}\nCustomer service, {a.shop_name}")
        plans.append(Planned("support_answer", to, t.support_answer, lambda when: agent_reply(
            raw, name=agent.name, address=agent.address, text=answer, when=when)))
        return plans

    def _webmaster(self, mail_from: str, rcpt: str, raw: bytes) -> list[Planned]:
        if self.world.has("webmaster_mailbox_full"):
            return self._bounce(mail_from, rcpt, raw, "5.2.2", mailboxfull_diagnostic(rcpt))
        msg = message_from_bytes(raw, policy=default_policy)
        to = _reply_address(msg, mail_from)
        if not to:
            return []
        person = self.addresses.webmaster_person
        answer = (f"Hi,\n\nthanks for the note about our website. I have passed it on and we will "
                  f"fix what needs fixing.\n\nCheers\n{person.name}\nWebmaster, {self.addresses.shop_name}")
        return [Planned("webmaster_answer", to, self.timings.webmaster_answer, lambda when: agent_reply(
            raw, name=person.name, address=person.address, text=answer, when=when))]

    def _unsubscribe(self, mail_from: str, raw: bytes, msg: Message) -> list[Planned]:
        a = self.addresses
        sender = _from_address(msg) or mail_from.strip().lower()
        if not sender:
            log.info("mail to %s without a sender: nobody to unsubscribe", a.unsubscribe)
            return []
        honour = not self.world.has("unsubscribe_ignored")
        for email in self._subscriptions_of(sender):
            self.world.unsubscribe(email, "mailto", honour=honour)
        if not honour:
            log.info("mailto unsubscribe from %s ignored (unsubscribe_ignored)", sender)
            return []
        text = (f"You have been unsubscribed from the {a.shop_name} newsletter.\n\n"
                f"We will not send newsletters to {sender} any more.\n")
        return [Planned("unsubscribe_confirmation", sender, self.timings.unsubscribe_confirmation,
                        lambda when: notice_reply(raw, sender=a.unsubscribe, subject=UNSUBSCRIBED_SUBJECT,
                                                  text=text, when=when))]

    def _bounce(self, mail_from: str, rcpt: str, raw: bytes, status: str, diagnostic: str) -> list[Planned]:
        return_path = mail_from.strip().strip("<>").lower()
        if not return_path:
            log.info("mail to %s cannot be delivered (%s) and has a null sender: no bounce", rcpt, status)
            return []
        mx = self.addresses.mx_host
        kind = "bounce_mailboxfull" if status == "5.2.2" else "bounce_userunknown"
        return [Planned(kind, return_path, self.timings.bounce, lambda when: postfix_bounce(
            raw, recipient=rcpt, status=status, diagnostic=diagnostic, when=when, reporting_mta=mx,
            to=return_path))]

    # --- helpers ---

    def _ticket(self) -> int:
        with self._lock:
            ticket = self._next_ticket
            self._next_ticket += 1
            return ticket

    def _subscriptions_of(self, sender: str) -> list[str]:
        """The sender's own subscription if it has one, else those of its plus-addresses and base address.

        A shopper may subscribe as user@ and write from user+tag@ (or the other way round).
        """
        subscribers = self.world.subscribers()
        if sender in subscribers:
            return [sender]
        same_box = sorted(s for s in subscribers if base_address(s) == base_address(sender))
        return same_box or [sender]


def _addresses_in(value: object) -> list[str]:
    return [addr.lower() for _, addr in getaddresses([str(value)]) if "@" in addr] if value else []


def _from_address(msg: Message) -> str | None:
    found = _addresses_in(msg["From"])
    return found[0] if found else None


def _reply_address(msg: Message, mail_from: str) -> str | None:
    """Where a person's answer goes: Reply-To, else From, else the envelope sender."""
    found = _addresses_in(msg["Reply-To"]) or _addresses_in(msg["From"])
    return found[0] if found else (mail_from.strip().strip("<>").lower() or None)


def _no_auto_reply(mail_from: str, msg: Message) -> bool:
    """RFC 3834 section 2: no automatic answer to automatic or bulk mail, nor to a null sender."""
    auto = str(msg["Auto-Submitted"] or "no").strip().lower()
    precedence = str(msg["Precedence"] or "").strip().lower()
    return (not mail_from.strip().strip("<>") or auto != "no" or precedence in ("bulk", "list", "junk")
            or msg["List-Id"] is not None)
