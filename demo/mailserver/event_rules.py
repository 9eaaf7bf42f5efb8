"""What the company mails after something happens on its website: form tickets, orders, payments, shipping."""
from __future__ import annotations

import logging
from email.headerregistry import Address
from email.utils import make_msgid

from demo.mailserver.addresses import CompanyAddresses
from demo.mailserver.messages import (company_mail, order_cancelled, order_confirmation, order_refunded,
                                      order_shipped, payment_failed, payment_received)
from demo.mailserver.outbox import Planned, Timings
from demo.shop.contact import TOPICS
from demo.shop.world import (ContactFormSubmitted, OrderCancelled, OrderPaid, OrderPlaced, OrderShipped,
                             PaymentAttempt, ShopEvent, ShopWorld)

log = logging.getLogger(__name__)


def form_ack_subject(ticket: int) -> str:
    return f"[Ticket #{ticket}] We received your message"


class EventRules:
    """Plans the mails that follow a shop event; events without mail (chat, logins...) plan nothing."""

    def __init__(self, world: ShopWorld, addresses: CompanyAddresses, timings: Timings):
        self.world = world
        self.addresses = addresses
        self.timings = timings

    def plan(self, event: ShopEvent) -> list[Planned]:
        if isinstance(event, ContactFormSubmitted):
            return self._form(event)
        if isinstance(event, OrderPlaced):
            return self._order_placed(event)
        if isinstance(event, PaymentAttempt):
            return self._payment_attempt(event)
        if isinstance(event, OrderPaid):
            return self._order_paid(event)
        if isinstance(event, OrderShipped):
            return self._order_shipped(event)
        if isinstance(event, OrderCancelled):
            return self._order_cancelled(event)
        return []

    # --- contact form ---

    def _form(self, event: ContactFormSubmitted) -> list[Planned]:
        if self.world.has("form_black_hole"):
            log.info("contact form ticket #%d from %s: dropped (form_black_hole)", event.ticket, event.email)
            return []
        a, t = self.addresses, self.timings
        to = event.email.strip()
        subject = form_ack_subject(event.ticket)
        ack_id = make_msgid(domain=a.domain)
        ack_text = (f"Hello {event.name},\n\nWe received your message, ticket #{event.ticket}.\n"
                    "One of our team will answer you within one working day.\n\n"
                    f"-- \n{a.shop_name} customer service\n")
        agent = a.support_agent
        quoted = "\n".join("> " + line for line in event.message.splitlines())
        about = f", about {TOPICS.get(event.topic, event.topic).lower()}" if event.topic else ""
        answer = (f"Hello {event.name},\n\nthank you for your message (ticket #{event.ticket}{about}). "
                  "I have looked into it: everything is in order on our side, and I have noted your request.\n\n"
                  f"Best regards\n{agent.name}\nCustomer service, {a.shop_name}\n\nYou wrote:\n{quoted}\n")
        return [
            Planned("form_ack", to, t.form_ack, lambda when: company_mail(
                sender=a.support, to=to, subject=subject, text=ack_text, when=when,
                auto_submitted="auto-replied", message_id=ack_id)),
            Planned("form_answer", to, t.form_answer, lambda when: company_mail(
                sender=Address(display_name=agent.name, addr_spec=agent.address),
                to=to, subject=f"Re: {subject}", text=answer, when=when, auto_submitted=None,
                in_reply_to=ack_id)),
        ]

    # --- orders ---

    def _order_url(self, order_no: str) -> str:
        return f"{self.world.base_url}/orders/{order_no}"

    def _tracking_url(self, order_no: str) -> str:
        """The 'Track your parcel' link exactly as the order page shows it, made absolute."""
        if self.world.has("dead_courier"):
            return self.world.profile.dead_courier_base + order_no
        return f"{self.world.base_url}/courier/track/{order_no}"

    def _order_placed(self, event: OrderPlaced) -> list[Planned]:
        a = self.addresses
        copies = 2 if self.world.has("duplicate_confirmation") else 1
        order_url, tracking_url = self._order_url(event.order_no), self._tracking_url(event.order_no)
        return [Planned("order_confirmation", event.email, self.timings.order_mail, lambda when: order_confirmation(
            sender=a.sender(a.orders, "Orders"), to=event.email, shop_name=a.shop_name, order_no=event.order_no,
            product=event.product, total=_money(event.total), order_url=order_url, tracking_url=tracking_url,
            when=when)) for _ in range(copies)]

    def _payment_attempt(self, event: PaymentAttempt) -> list[Planned]:
        if event.charged or not event.declined:
            return []  # money taken: OrderPaid follows and says so
        order = self.world.order(event.order_no)
        if order is None:
            log.warning("payment attempt for unknown order %s: no mail", event.order_no)
            return []
        a = self.addresses
        order_url = self._order_url(order.order_no)
        return [Planned("payment_failed", order.email, self.timings.order_mail, lambda when: payment_failed(
            sender=a.sender(a.orders, "Orders"), to=order.email, shop_name=a.shop_name, order_no=order.order_no,
            attempt=event.attempt, order_url=order_url, when=when))]

    def _order_paid(self, event: OrderPaid) -> list[Planned]:
        a = self.addresses
        order_url = self._order_url(event.order_no)
        return [Planned("payment_received", event.email, self.timings.order_mail, lambda when: payment_received(
            sender=a.sender(a.orders, "Orders"), to=event.email, shop_name=a.shop_name, order_no=event.order_no,
            total=_money(event.total), order_url=order_url, when=when))]

    def _order_shipped(self, event: OrderShipped) -> list[Planned]:
        a = self.addresses
        order_url, tracking_url = self._order_url(event.order_no), self._tracking_url(event.order_no)
        return [Planned("order_shipped", event.email, self.timings.order_mail, lambda when: order_shipped(
            sender=a.sender(a.orders, "Orders"), to=event.email, shop_name=a.shop_name, order_no=event.order_no,
            order_url=order_url, tracking_url=tracking_url, when=when))]


    def _order_cancelled(self, event: OrderCancelled) -> list[Planned]:
        """The cancellation notice at once; for a paid order the refund a day later (never, with the defect)."""
        a = self.addresses
        order_url = self._order_url(event.order_no)
        out = [Planned("order_cancelled", event.email, self.timings.order_mail, lambda when: order_cancelled(
            sender=a.sender(a.orders, "Orders"), to=event.email, shop_name=a.shop_name, order_no=event.order_no,
            order_url=order_url, when=when))]
        if event.paid and self.world.has("refund_never_sent"):
            log.info("order %s cancelled: its refund is never sent (refund_never_sent)", event.order_no)
        elif event.paid:
            out.append(Planned("order_refunded", event.email, self.timings.refund, lambda when: order_refunded(
                sender=a.sender(a.orders, "Orders"), to=event.email, shop_name=a.shop_name,
                order_no=event.order_no, total=_money(event.total), order_url=order_url, when=when)))
        return out


def _money(amount: object) -> str:
    return f"EUR {amount}"
