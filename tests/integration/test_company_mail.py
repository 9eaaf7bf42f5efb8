"""The demo company's mail department end to end: smtplib in, rules and defects, a moved clock, Dovecot out."""
from __future__ import annotations

import re
import smtplib
import threading
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default as default_policy
from random import Random

import pytest

from demo.mailserver.company import CompanyMail
from demo.mailserver.outbox import Timings
from demo.shop import ShopServer
from demo.shop.gateway import APPROVED_CARD, DECLINED_CARD
from shopper.clock import ManualClock
from shopper.mail.classify import Classification, classify
from shopper.mail.match import candidate_tokens
from shopper.mail.outgoing import compose, new_token, plus_address
from tests.fixtures.dovecot import ImapUser
from tests.fixtures.shop import ShopFactory

pytestmark = [pytest.mark.imap, pytest.mark.smtp]

T = Timings()
# INTERNALDATE is the due time, and IMAP servers clamp future dates: the clock starts well in the past.
START = (datetime.now(timezone.utc) - timedelta(days=30)).replace(microsecond=0)


@dataclass(frozen=True)
class Delivered:
    """One message as the shopper's mailbox holds it."""

    uid: int
    internaldate: datetime
    raw: bytes

    @property
    def msg(self) -> EmailMessage:
        return message_from_bytes(self.raw, policy=default_policy)  # type: ignore[return-value]

    @property
    def kind(self) -> Classification:
        return classify(self.raw)

    @property
    def text(self) -> str:
        body = self.msg.get_body(preferencelist=("plain",))
        return body.get_content().replace("\r\n", "\n") if body is not None else ""

    @property
    def header_lines(self) -> list[str]:
        """The raw header lines as written (the parsed From drops comments like '(Mail Delivery System)')."""
        return self.raw.split(b"\r\n\r\n", 1)[0].decode().split("\r\n")


@dataclass
class World:
    """A shop, its mail department, the clock and the shopper's mailbox, with the helpers tests need."""

    shop: ShopServer
    company: CompanyMail
    clock: ManualClock
    user: ImapUser
    rng: Random

    @property
    def domain(self) -> str:
        return self.shop.world.profile.domain

    def send(self, to: str, subject: str = "Where is my order?", *, body: str = "Hello,\n\nwhere is it?\n",
             from_addr: str | None = None, mail_from: str | None = None,
             headers: dict[str, str] | None = None) -> EmailMessage:
        """Send like the shopper does (composed with a token) through the company's SMTP port."""
        msg = compose(from_addr=from_addr or self.user.login, from_name="Alex Shopper", to=to, subject=subject,
                      body=body, token=new_token(self.rng), journey="company mail test", now=self.clock.now(),
                      extra_headers=headers)
        with smtplib.SMTP(self.company.smtp_host, self.company.smtp_port, timeout=10) as smtp:
            envelope = mail_from if mail_from is not None else msg["From"].addresses[0].addr_spec
            refused = smtp.send_message(msg, from_addr=envelope)
        assert refused == {}
        return msg

    def at(self, delta: timedelta) -> int:
        """Move the clock to START + delta and deliver what is due."""
        self.clock.set(START + delta)
        return self.company.deliver_due()

    def inbox(self) -> list[Delivered]:
        with self.user.server.connect(self.user.login) as client:
            client.normalise_times = False
            client.select_folder("INBOX", readonly=True)
            uids = client.search("ALL")
            data = client.fetch(uids, ["INTERNALDATE", "BODY.PEEK[]"]) if uids else {}
        return [Delivered(uid, data[uid][b"INTERNALDATE"], data[uid][b"BODY[]"]) for uid in sorted(data)]

    def page(self, path: str) -> str:
        with urllib.request.urlopen(self.shop.url + path, timeout=10) as response:
            return response.read().decode()

    def post(self, path: str, fields: dict[str, str]) -> str:
        data = urllib.parse.urlencode(fields).encode()
        with urllib.request.urlopen(self.shop.url + path, data=data, timeout=10) as response:
            return response.read().decode()


@pytest.fixture
def world(shop_factory: ShopFactory, imap_user: ImapUser) -> Iterator[Callable[..., World]]:
    """`world(["webmaster_mailbox_full"], profile="b")`: a fresh shop (healthy but for the named defects)
    with its mail department delivering to `imap_user`; stopped at teardown."""
    started: list[CompanyMail] = []

    def make(defects: tuple[str, ...] | list[str] = (), profile: str = "a") -> World:
        shop = shop_factory(defects, profile=profile)
        clock = ManualClock(START)
        company = CompanyMail.start(shop.world, imap_user.server, imap_user.login, clock)
        started.append(company)
        return World(shop, company, clock, imap_user, Random(7))

    yield make
    for company in started:
        company.stop()


def _id(msg: EmailMessage) -> str:
    return str(msg["Message-ID"])


# --- support ---------------------------------------------------------------------------------------

def test_support_acknowledges_within_two_minutes_and_a_person_answers_after_five_hours(world) -> None:
    w = world()
    sent = w.send("support@shop-demo.test")
    assert w.at(T.support_ack - timedelta(seconds=1)) == 0
    assert w.at(T.support_ack) == 1
    [ack] = w.inbox()
    assert ack.internaldate == START + timedelta(minutes=1)
    assert ack.msg["From"] == "support@shop-demo.test"
    assert ack.msg["To"] == f"Alex Shopper <{w.user.login}>"
    assert ack.msg["Subject"] == f"[Ticket #90001] {sent['Subject']}"
    assert ack.msg["Auto-Submitted"] == "auto-replied"
    assert ack.msg["In-Reply-To"] == _id(sent)
    assert "We received your message, ticket #90001." in ack.text
    c = ack.kind
    assert (c.kind, c.from_addr, c.in_reply_to) == ("acknowledgement", "support@shop-demo.test", _id(sent).strip("<>"))

    assert w.at(T.support_answer - timedelta(seconds=1)) == 0
    assert w.at(T.support_answer) == 1
    answer = w.inbox()[1]
    assert answer.internaldate == START + timedelta(hours=5)
    assert answer.msg["From"] == "Maria Keller <maria.keller@shop-demo.test>"
    assert answer.msg["Subject"] == f"Re: {sent['Subject']}"
    assert answer.msg["In-Reply-To"] == _id(sent) and answer.msg["References"] == _id(sent)
    assert answer.msg["Auto-Submitted"] is None
    assert answer.msg["Message-ID"].endswith("@shop-demo.test>")
    assert "ticket #90001" in answer.text and "> Hello," in answer.text
    c = answer.kind
    assert (c.kind, c.from_name, c.from_addr) == ("reply", "Maria Keller", "maria.keller@shop-demo.test")
    token = sent["Message-ID"].strip("<>").split(".")[0]
    assert candidate_tokens(c)[0] == token

    assert w.at(timedelta(days=10)) == 0  # nothing more, nothing twice
    assert len(w.inbox()) == 2


def test_support_tickets_are_numbered_per_mail_and_profile_b_uses_its_own_addresses(world) -> None:
    w = world(profile="b")
    first, second = w.send("help@kettle-b.test", "One"), w.send("HELP@kettle-b.test", "Two")
    assert w.at(T.support_answer) == 4
    got = {(m.msg["From"], m.msg["Subject"]) for m in w.inbox()}
    assert got == {("help@kettle-b.test", f"[Ticket #90001] {first['Subject']}"),
                   ("help@kettle-b.test", f"[Ticket #90002] {second['Subject']}"),
                   ("Maria Keller <maria.keller@kettle-b.test>", f"Re: {first['Subject']}"),
                   ("Maria Keller <maria.keller@kettle-b.test>", f"Re: {second['Subject']}")}


def test_support_autoack_only_acknowledges_and_never_answers(world) -> None:
    w = world(["support_autoack_only"])
    w.send("support@shop-demo.test")
    assert w.at(timedelta(days=10)) == 1
    [ack] = w.inbox()
    assert ack.kind.kind == "acknowledgement" and ack.internaldate == START + T.support_ack
    assert [o.kind for o in w.company.outbox()] == ["support_ack"]


def test_no_automatic_answer_to_automatic_mail_but_a_person_still_answers(world) -> None:
    w = world()
    w.send("support@shop-demo.test", headers={"Precedence": "bulk"})
    assert w.at(T.support_answer) == 1
    [answer] = w.inbox()
    assert answer.kind.kind == "reply" and answer.internaldate == START + T.support_answer


# --- webmaster ---------------------------------------------------------------------------------------

def test_webmaster_answers_after_one_day(world) -> None:
    w = world()
    sent = w.send("webmaster@shop-demo.test", "Broken link on your careers page")
    assert w.at(T.webmaster_answer - timedelta(seconds=1)) == 0
    assert w.at(T.webmaster_answer) == 1
    [answer] = w.inbox()
    assert answer.internaldate == START + timedelta(days=1)
    assert answer.msg["From"] == "Tom Berger <tom.berger@shop-demo.test>"
    assert answer.msg["Subject"] == f"Re: {sent['Subject']}"
    assert answer.msg["In-Reply-To"] == _id(sent)
    assert answer.kind.kind == "reply"


@pytest.mark.parametrize("profile, address", [("a", "webmaster@shop-demo.test"), ("b", "postmaster@kettle-b.test")])
def test_webmaster_mailbox_full_bounces_5_2_2(world, profile: str, address: str) -> None:
    w = world(["webmaster_mailbox_full"], profile=profile)
    sent = w.send(address, "Broken link")
    assert w.at(T.bounce) == 1
    [bounce] = w.inbox()
    assert bounce.internaldate == START + timedelta(seconds=30)
    assert f"From: MAILER-DAEMON@mx.{w.domain} (Mail Delivery System)" in bounce.header_lines
    assert bounce.msg["To"] == w.user.login
    assert bounce.msg["Subject"] == "Undelivered Mail Returned to Sender"
    assert bounce.msg.get_content_type() == "multipart/report"
    c = bounce.kind
    assert (c.kind, c.reason, c.status, c.recipient, c.hard) == ("bounce", "mailboxfull", "5.2.2", address, False)
    assert c.diagnostic == f"552 5.2.2 <{address}>: Recipient address rejected: Mailbox full"
    assert c.deliveries[0].reporting_mta == f"mx.{w.domain}"
    assert c.original_message_id == _id(sent).strip("<>")
    assert c.original_subject == str(sent["Subject"])
    assert w.at(timedelta(days=3)) == 0  # and no answer ever


# --- unknown addresses and other domains ----------------------------------------------------------

@pytest.mark.parametrize("profile, address", [("a", "suport@shop-demo.test"), ("b", "support@kettle-b.test")])
def test_unknown_local_part_bounces_userunknown_within_a_minute(world, profile: str, address: str) -> None:
    w = world(profile=profile)
    sent = w.send(address)
    assert w.at(T.bounce - timedelta(seconds=1)) == 0
    assert w.at(timedelta(minutes=1)) == 1
    [bounce] = w.inbox()
    assert bounce.internaldate == START + T.bounce
    c = bounce.kind
    assert (c.kind, c.reason, c.status, c.recipient, c.hard) == ("bounce", "userunknown", "5.1.1", address, True)
    assert c.diagnostic == (f"550 5.1.1 <{address}>: Recipient address rejected: "
                            "User unknown in virtual mailbox table")
    assert c.original_message_id == _id(sent).strip("<>")
    headers_part = [p for p in bounce.msg.walk() if p.get_content_type() == "text/rfc822-headers"]
    assert len(headers_part) == 1 and f"Message-ID: {_id(sent)}" in headers_part[0].get_content()


def test_bounce_goes_to_the_envelope_sender_and_a_null_sender_gets_none(world) -> None:
    w = world()
    plus = plus_address(w.user.login, "bounces")
    w.send("nobody@shop-demo.test", mail_from=plus)
    w.send("nobody@shop-demo.test", mail_from="")
    assert w.at(timedelta(minutes=5)) == 1
    [bounce] = w.inbox()
    assert bounce.msg["To"] == plus
    assert [(o.kind, o.to) for o in w.company.outbox()] == [("bounce_userunknown", plus)]


def test_mail_to_other_domains_is_accepted_and_dropped(world) -> None:
    w = world()
    w.send("friend@elsewhere.test")
    w.send("orders@shop-demo.test")  # a no-reply sender: exists, answers nothing
    assert w.at(timedelta(days=3)) == 0
    assert w.company.outbox() == ()
    assert [m.rcpt_tos for m in w.company.received()] == [("friend@elsewhere.test",), ("orders@shop-demo.test",)]


def test_one_message_to_several_company_addresses_is_handled_per_recipient(world) -> None:
    w = world()
    msg = compose(from_addr=w.user.login, from_name="Alex Shopper", subject="Two", body="Hi",
                  to=["support@shop-demo.test", "nope@shop-demo.test"], token=new_token(w.rng), journey="multi",
                  now=w.clock.now())
    with smtplib.SMTP(w.company.smtp_host, w.company.smtp_port, timeout=10) as smtp:
        smtp.send_message(msg)
    assert w.at(T.support_answer) == 3
    assert [o.kind for o in sorted(w.company.outbox(), key=lambda o: (o.due, o.seq))] == [
        "bounce_userunknown", "support_ack", "support_answer"]
    assert [m.kind.kind for m in w.inbox()] == ["bounce", "acknowledgement", "reply"]  # delivered in due order


# --- unsubscribe by mail -----------------------------------------------------------------------------

def test_mailto_unsubscribe_unsubscribes_and_confirms_within_five_minutes(world) -> None:
    w = world()
    w.shop.world.add_subscriber(w.user.login)
    sent = w.send("unsubscribe@shop-demo.test", "unsubscribe")
    assert not w.shop.world.is_subscribed(w.user.login)
    [request] = w.shop.world.unsubscribe_requests()
    assert (request.email, request.route, request.honoured) == (w.user.login, "mailto", True)
    assert w.at(T.unsubscribe_confirmation) == 1
    [confirmation] = w.inbox()
    assert confirmation.internaldate == START + timedelta(minutes=2)
    assert confirmation.msg["From"] == "unsubscribe@shop-demo.test"
    assert confirmation.msg["Subject"] == "You have been unsubscribed"
    assert confirmation.msg["Auto-Submitted"] == "auto-replied"
    assert confirmation.msg["In-Reply-To"] == _id(sent)
    assert confirmation.kind.kind == "transactional"
    assert w.company.send_newsletter(2) == 0


def test_mailto_unsubscribe_from_a_plus_address_ends_the_base_address_subscription(world) -> None:
    w = world()
    w.shop.world.add_subscriber(w.user.login)
    w.send("unsubscribe@shop-demo.test", "unsubscribe", from_addr=plus_address(w.user.login, "ms-unsub"))
    assert w.shop.world.subscribers() == frozenset()
    assert w.at(T.unsubscribe_confirmation) == 1


def test_unsubscribe_ignored_keeps_the_subscriber_and_sends_no_confirmation(world) -> None:
    w = world(["unsubscribe_ignored"])
    w.shop.world.add_subscriber(w.user.login)
    w.send("unsubscribe@shop-demo.test", "unsubscribe")
    assert w.shop.world.is_subscribed(w.user.login)
    [request] = w.shop.world.unsubscribe_requests()
    assert (request.route, request.honoured) == ("mailto", False)
    assert w.company.send_newsletter(2) == 1
    assert w.at(timedelta(days=1)) == 1
    assert [m.kind.kind for m in w.inbox()] == ["newsletter"]


def test_unsubscribe_wrong_address_on_the_page_bounces_userunknown(world) -> None:
    w = world(["unsubscribe_wrong_address"])
    w.shop.world.add_subscriber(w.user.login)
    shown = set(re.findall(r"[\w.+-]+@shop-demo\.test", w.page("/unsubscribe")))
    assert shown == {"unsubscibe@shop-demo.test"}
    w.send(shown.pop(), "unsubscribe")
    assert w.shop.world.is_subscribed(w.user.login)
    assert w.at(T.bounce) == 1
    c = w.inbox()[0].kind
    assert (c.kind, c.reason, c.recipient) == ("bounce", "userunknown", "unsubscibe@shop-demo.test")


# --- newsletter ------------------------------------------------------------------------------------

@pytest.mark.parametrize("profile", ["a", "b"])
def test_newsletter_carries_list_headers_and_one_click_unsubscribe(world, profile: str) -> None:
    w = world(profile=profile)
    p = w.shop.world.profile
    w.shop.world.add_subscriber(w.user.login)
    w.shop.world.add_subscriber("someone-else@example.test")  # sent, but not a mailbox of this demo
    assert w.company.send_newsletter(7) == 2
    assert w.company.deliver_due() == 1
    [news] = w.inbox()
    url = w.shop.world.unsubscribe_url(w.user.login)
    assert url.startswith(w.shop.url + "/u/")
    assert news.internaldate == START
    assert news.msg["From"] == f"Kettle & Co News <news@{p.domain}>"
    assert news.msg["To"] == w.user.login
    assert news.msg["Subject"] == "Kettle & Co news #7: the descaling issue"
    assert news.msg["List-Id"] == f"<news.{p.domain}>"
    assert news.msg["List-Unsubscribe"] == f"<{url}>, <mailto:{p.unsubscribe_address}?subject=unsubscribe>"
    assert news.msg["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert news.msg["Precedence"] == "bulk"
    assert f"Unsubscribe: {url}\n" in news.text
    c = news.kind
    assert (c.kind, c.list_id, c.list_unsubscribe_post) == ("newsletter", f"<news.{p.domain}>", True)
    assert c.list_unsubscribe == (url, f"mailto:{p.unsubscribe_address}?subject=unsubscribe")
    # the one-click URL works (RFC 8058 POST) and the next issue does not come
    w.post(url[len(w.shop.url):], {"List-Unsubscribe": "One-Click"})
    assert w.company.send_newsletter(8) == 1 and w.company.deliver_due() == 0


def test_newsletters_keep_coming_when_one_click_unsubscribe_is_ignored(world) -> None:
    w = world(["unsubscribe_ignored"])
    w.shop.world.add_subscriber(w.user.login)
    w.company.send_newsletter(1)
    url = w.shop.world.unsubscribe_url(w.user.login)
    w.post(url[len(w.shop.url):], {"List-Unsubscribe": "One-Click"})
    assert w.company.send_newsletter(2) == 1
    assert w.company.deliver_due() == 2
    assert [m.msg["Subject"] for m in w.inbox()] == ["Kettle & Co news #1: the descaling issue",
                                                     "Kettle & Co news #2: the descaling issue"]


# --- the contact form ------------------------------------------------------------------------------

def test_contact_form_gets_an_acknowledgement_at_the_typed_plus_address_and_an_answer_after_a_day(world) -> None:
    w = world()
    token = new_token(w.rng)
    typed = plus_address(w.user.login, token)
    page = w.post("/contact", {"name": "Alex Shopper", "email": typed, "topic": "delivery",
                               "message": f"Where is my kettle?\nReference: {token}"})
    [ticket] = [s.ticket for s in w.shop.world.contact_submissions()]
    assert str(ticket) in page and ticket == 1001
    assert w.at(T.form_ack - timedelta(seconds=1)) == 0
    assert w.at(T.form_ack) == 1
    [ack] = w.inbox()
    assert ack.internaldate == START + timedelta(minutes=1)
    assert ack.msg["From"] == "support@shop-demo.test"
    assert ack.msg["To"] == typed
    assert ack.msg["Subject"] == "[Ticket #1001] We received your message"
    assert ack.msg["Auto-Submitted"] == "auto-replied"
    assert "We received your message, ticket #1001." in ack.text
    assert ack.kind.kind == "acknowledgement" and candidate_tokens(ack.kind) == [token]

    assert w.at(T.form_answer - timedelta(seconds=1)) == 0
    assert w.at(T.form_answer) == 1
    answer = w.inbox()[1]
    assert answer.internaldate == START + timedelta(days=1)
    assert answer.msg["From"] == "Maria Keller <maria.keller@shop-demo.test>"
    assert answer.msg["To"] == typed
    assert answer.msg["Subject"] == "Re: [Ticket #1001] We received your message"
    assert answer.msg["In-Reply-To"] == ack.msg["Message-ID"]
    assert "about delivery" in answer.text and "> Where is my kettle?" in answer.text
    assert answer.kind.kind == "reply" and candidate_tokens(answer.kind)[0] == token


def test_form_black_hole_sends_nothing_at_all(world) -> None:
    w = world(["form_black_hole"])
    page = w.post("/contact", {"name": "Alex", "email": w.user.login, "topic": "other", "message": "Hello?"})
    assert "1001" in page  # the ticket is on screen...
    assert w.at(timedelta(days=10)) == 0  # ...and nothing ever follows
    assert w.company.outbox() == ()


# --- orders and payments ---------------------------------------------------------------------------

def _tracking_href(w: World, order_no: str) -> str:
    [href] = re.findall(r'href="([^"]+)">(?:Track your parcel|Follow your delivery)', w.page(f"/orders/{order_no}"))
    return urllib.parse.urljoin(w.shop.url + "/", href)


@pytest.mark.parametrize("defects, profile", [((), "a"), (("dead_courier",), "a"), ((), "b")])
def test_order_confirmation_links_to_the_order_and_the_tracking_link_the_page_shows(world, defects, profile) -> None:
    w = world(defects, profile=profile)
    order = w.shop.world.place_order(w.user.login, 2)
    assert w.at(T.order_mail) == 1
    [confirmation] = w.inbox()
    p = w.shop.world.profile
    assert confirmation.internaldate == START + timedelta(minutes=1)
    assert confirmation.msg["From"] == f"Kettle & Co Orders <orders@{p.domain}>"
    assert confirmation.msg["Subject"] == f"Your order {order.order_no} is confirmed"
    assert confirmation.msg["Auto-Submitted"] == "auto-generated"
    tracking = _tracking_href(w, order.order_no)
    expected = (f"http://track.parcel-courier.test/{order.order_no}" if defects
                else f"{w.shop.url}/courier/track/{order.order_no}")
    assert tracking == expected
    assert f"Order status: {w.shop.url}/orders/{order.order_no}\n" in confirmation.text
    assert f"Track your parcel: {tracking}\n" in confirmation.text
    assert "Classic Kettle    EUR 39.00" in confirmation.text
    # a machine-written mail that answers nothing: never a person's reply
    assert confirmation.kind.kind == "transactional" and confirmation.kind.auto_submitted == "auto-generated"


def test_payment_mails_declined_then_received_then_shipped(world) -> None:
    w = world()
    order = w.shop.world.place_order(w.user.login, 1)
    w.shop.world.pay(order.order_no, DECLINED_CARD)
    w.clock.advance(minutes=10)
    w.shop.world.pay(order.order_no, APPROVED_CARD)
    w.clock.advance(hours=1)
    w.shop.world.ship(order.order_no)
    assert w.at(timedelta(hours=2)) == 4
    got = [(m.internaldate - START, m.msg["Subject"]) for m in w.inbox()]
    no = order.order_no
    assert got == [(timedelta(minutes=1), f"Your order {no} is confirmed"),
                   (timedelta(minutes=1), f"Payment declined for order {no}"),
                   (timedelta(minutes=11), f"Payment received for order {no}"),
                   (timedelta(minutes=71), f"Your order {no} is on its way")]
    declined, received, shipped = (m.text for m in w.inbox()[1:])
    assert "your card was declined for order KC-10001 (attempt 1)" in declined
    assert "payment of EUR 89.00 for order KC-10001" in received
    assert f"Track your parcel: {w.shop.url}/courier/track/{no}\n" in shipped


def test_duplicate_confirmation_sends_every_confirmation_twice(world) -> None:
    w = world(["duplicate_confirmation"])
    order = w.shop.world.place_order(w.user.login, 3)
    assert w.at(T.order_mail) == 2
    first, second = w.inbox()
    assert first.msg["Subject"] == second.msg["Subject"] == f"Your order {order.order_no} is confirmed"
    assert first.msg["Message-ID"] != second.msg["Message-ID"]
    assert first.internaldate == second.internaldate == START + T.order_mail


@pytest.mark.parametrize("defects, subjects", [
    ((), ["declined"] * 4),
    (("payment_inconsistent",), ["declined"] * 3 + ["received"]),
])
def test_payment_inconsistent_mails_payment_received_after_the_page_showed_an_error(world, defects, subjects) -> None:
    w = world(defects)
    order = w.shop.world.place_order(w.user.login, 2)
    attempts = [w.shop.world.pay(order.order_no, DECLINED_CARD) for _ in range(4)]
    assert [a.outcome for a in attempts][-1] == ("error" if defects else "declined")
    w.at(T.order_mail)
    mails = [m.msg["Subject"] for m in w.inbox()][1:]
    assert mails == [f"Payment {s} for order {order.order_no}" for s in subjects]


def test_order_mail_to_someone_else_is_sent_but_not_delivered_here(world) -> None:
    w = world()
    w.shop.world.place_order("stranger@example.test", 1)
    assert w.at(T.order_mail) == 0
    assert [(o.kind, o.to, o.mailbox) for o in w.company.outbox()] == [
        ("order_confirmation", "stranger@example.test", None)]
    assert w.company.pending() == ()


# --- the outbox ------------------------------------------------------------------------------------

def test_concurrent_deliveries_deliver_each_message_once(world) -> None:
    w = world()
    w.shop.world.add_subscriber(w.user.login)
    for issue in range(1, 6):
        w.company.send_newsletter(issue)
    counts: list[int] = []
    threads = [threading.Thread(target=lambda: counts.append(w.company.deliver_due())) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(counts) == [0, 0, 5]
    assert [m.msg["Subject"].split(":")[0] for m in w.inbox()] == [f"Kettle & Co news #{n}" for n in range(1, 6)]


def test_start_needs_a_serving_shop(imap_user: ImapUser) -> None:
    from demo.shop import ShopWorld
    with pytest.raises(ValueError, match="start the shop"):
        CompanyMail.start(ShopWorld(()), imap_user.server, imap_user.login, ManualClock(START))
