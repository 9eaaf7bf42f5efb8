"""The demo company's mail department: SMTP in, its rules, an outbox on the injected clock, delivery into Dovecot.

    clock = ManualClock(datetime.now(timezone.utc) - timedelta(days=3))  # IMAP clamps future dates
    with CompanyMail.start(shop.world, dovecot, login, clock) as company:
        ... the shopper sends through 127.0.0.1:company.smtp_port (no TLS, no AUTH) ...
        clock.advance(hours=5)
        company.deliver_due()          # everything due by now lands in login's INBOX, dated when due
        company.send_newsletter(1)     # queued for every subscriber, due at once

Who answers what, and when, is in mail_rules.py (mail to the company), event_rules.py (the shop's
events: contact form, orders, payments) and newsletter.py; delays in outbox.Timings.
"""
from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from types import TracebackType

from demo.mailserver.addresses import CompanyAddresses, mailbox_for
from demo.mailserver.dovecot import DovecotServer
from demo.mailserver.event_rules import EventRules
from demo.mailserver.mail_rules import MailRules
from demo.mailserver.newsletter import plan_newsletter
from demo.mailserver.outbox import Outbox, Outgoing, Planned, Timings
from demo.mailserver.smtp_sink import ReceivedMessage, RecordingSmtpServer
from demo.shop.world import NewsletterSubscribed, ShopEvent, ShopWorld
from shopper.clock import Clock

log = logging.getLogger(__name__)

SMTP_HOSTNAME = "smtp.mail.test"  # the shopper's outgoing server, as it names itself in its greeting
FOLDER = "INBOX"


class _CompanySmtp(RecordingSmtpServer):
    """The recording server, handing every accepted message on (in the SMTP thread, before 250 is sent)."""

    def __init__(self, on_mail: Callable[[ReceivedMessage], None]):
        super().__init__(hostname=SMTP_HOSTNAME)
        self._on_mail = on_mail

    def accept(self, received: ReceivedMessage) -> None:
        super().accept(received)
        self._on_mail(received)


class CompanyMail:
    """The company's mail system for one shop world, delivering to one shopper's Dovecot mailbox. Thread-safe.

    Mail to `shopper_login` and its plus-addresses (user+tag@mail.test) is delivered there; mail the
    company sends to anyone else is kept in the outbox and dropped at delivery (logged).
    """

    def __init__(self, world: ShopWorld, dovecot: DovecotServer, shopper_login: str, clock: Clock,
                 timings: Timings | None = None, immediate: timedelta | None = None, welcome_issue: bool = False):
        self.world = world
        self.welcome_issue = welcome_issue   # a new subscriber gets issue 0 of the newsletter at once
        self.immediate = immediate   # deliver what is due within this at once (None: only by deliver_due)
        self.addresses = CompanyAddresses.of(world.profile)
        self.timings = timings or Timings()
        self._dovecot = dovecot
        self._login = shopper_login.lower()
        self._clock = clock
        self._outbox = Outbox()
        self._mail_rules = MailRules(world, self.addresses, self.timings)
        self._event_rules = EventRules(world, self.addresses, self.timings)
        self._smtp = _CompanySmtp(self._on_mail)
        self._delivering = threading.Lock()
        self._unsubscribe_events: Callable[[], None] | None = None

    # --- lifecycle ---

    @classmethod
    def start(cls, world: ShopWorld, dovecot: DovecotServer, shopper_login: str, clock: Clock, *,
              timings: Timings | None = None, immediate: timedelta | None = None,
              welcome_issue: bool = False) -> "CompanyMail":
        """Listen for SMTP on a free loopback port and follow the shop's events; the shop must be serving."""
        if not world.base_url:
            raise ValueError("the shop world has no base_url: start the shop (demo.shop.start_shop) before "
                             "its mail system, whose mails link to the shop's pages")
        mail = cls(world, dovecot, shopper_login, clock, timings, immediate, welcome_issue)
        mail._smtp.start()
        mail._unsubscribe_events = world.subscribe(mail._on_event)
        log.info("company mail for %s: SMTP on 127.0.0.1:%d, delivering to %s", mail.addresses.domain,
                 mail.smtp_port, mail._login)
        return mail

    def stop(self) -> None:
        """Stop listening and following the shop; undelivered mail stays in the outbox. Safe to call twice."""
        if self._unsubscribe_events is not None:
            self._unsubscribe_events()
            self._unsubscribe_events = None
        self._smtp.stop()

    def __enter__(self) -> "CompanyMail":
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()

    @property
    def smtp_port(self) -> int:
        return self._smtp.port

    @property
    def smtp_host(self) -> str:
        return self._smtp.host

    # --- what the caller drives ---

    def deliver_due(self, until: datetime | None = None) -> int:
        """Deliver every queued message due by `until` (default: the clock's now), oldest first, each once;
        returns how many landed in the shopper's mailbox (INTERNALDATE = the due time)."""
        delivered = 0
        with self._delivering:  # one delivery run at a time: nothing is appended twice
            for item in self._outbox.due(until or self._clock.now()):
                if item.mailbox is None:
                    log.info("dropped %s to %s: not a mailbox of this demo", item.kind, item.to)
                else:
                    self._dovecot.append(item.mailbox, FOLDER, item.raw, when=item.due)
                    delivered += 1
                self._outbox.mark_done(item.seq)
        return delivered

    def send_newsletter(self, issue_no: int) -> int:
        """Queue newsletter `issue_no` for every current subscriber (due now); returns how many were sent."""
        return len(self._queue(plan_newsletter(self.world, self.addresses, self.timings, issue_no)))

    # --- what can be inspected ---

    def outbox(self) -> tuple[Outgoing, ...]:
        """Everything the company has sent or will send, in the order it was queued."""
        return self._outbox.items()

    def pending(self) -> tuple[Outgoing, ...]:
        """Queued and not delivered yet, by due time."""
        return self._outbox.pending()

    def received(self) -> list[ReceivedMessage]:
        """Every message the company's SMTP server accepted."""
        return self._smtp.messages

    # --- inputs ---

    def _on_mail(self, received: ReceivedMessage) -> None:
        now = self._clock.now()
        for rcpt in received.rcpt_tos:
            self._queue(self._mail_rules.plan(received.mail_from, rcpt, received.data), now)

    def _on_event(self, event: ShopEvent) -> None:
        self._queue(self._event_rules.plan(event))
        if self.welcome_issue and isinstance(event, NewsletterSubscribed):   # the welcome issue, with the list's unsubscribe headers
            self._queue(plan_newsletter(self.world, self.addresses, self.timings, 0, only=event.email))

    def _queue(self, plans: Iterable[Planned], now: datetime | None = None) -> list[Outgoing]:
        now = now or self._clock.now()
        queued = []
        for plan in plans:
            due = now + plan.delay
            item = self._outbox.put(plan.kind, plan.to, mailbox_for(plan.to, self._login), due, plan.build(due))
            log.info("queued %s to %s, due %s", item.kind, item.to, due.isoformat())
            queued.append(item)
        if self.immediate is not None and queued:
            # what a mail system sends within minutes is in the mailbox before the customer's next click
            self.deliver_due(until=now + self.immediate)
        return queued
