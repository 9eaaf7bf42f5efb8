"""The demo shop over HTTP: every defect on and off, in both profiles, and the events the world emits."""
from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from html.parser import HTMLParser

import httpx
import pytest

from demo.shop import DEFECTS, ShopServer, ShopWorld, start_shop
from demo.shop.__main__ import parse_args
from demo.shop.world import (HOSTILE_NAME, ChatAnswered, ContactFormSubmitted, LoginAttempted,
                             NewsletterSubscribed, OrderPaid, OrderPlaced, PaymentAttempt, Unsubscribed)
from tests.fixtures.shop import ShopFactory

APPROVED = "4242 4242 4242 4242"
DECLINED = "4000 0000 0000 0002"
MAIL_ONLY = ["support_autoack_only", "form_black_hole", "webmaster_mailbox_full", "duplicate_confirmation"]


@dataclass(frozen=True)
class Expected:
    """What a customer reads in each profile."""

    support: str
    unsubscribe: str
    wrong_unsubscribe: str
    webmaster: str
    first_order: str
    second_order: str
    first_ticket: int
    dead_social: str
    nav: tuple[str, ...]
    footer_careers: str
    subscribed: str
    unsubscribed: str
    contact_done: str  # {ticket}
    paid: str  # {order}
    declined: str
    error: str
    track: str


EXPECTED = {
    "a": Expected(
        support="support@shop-demo.test", unsubscribe="unsubscribe@shop-demo.test",
        wrong_unsubscribe="unsubscibe@shop-demo.test", webmaster="webmaster@shop-demo.test",
        first_order="KC-10001", second_order="KC-10002", first_ticket=1001,
        dead_social="http://social.shop-demo.test/kettleco",
        nav=("Shop", "Contact", "Order status", "Newsletter", "Log in"), footer_careers="Careers",
        subscribed="You are subscribed", unsubscribed="You have been unsubscribed",
        contact_done="Thank you! We answer within 2 working days. Ticket #{ticket}",
        paid="Payment successful, order #{order}", declined="Payment declined — please try again",
        error="An error occurred while processing your payment", track="Track your parcel"),
    "b": Expected(
        support="help@kettle-b.test", unsubscribe="newsletter-off@kettle-b.test",
        wrong_unsubscribe="newsletter-of@kettle-b.test", webmaster="postmaster@kettle-b.test",
        first_order="B-2001", second_order="B-2002", first_ticket=5001,
        dead_social="http://social.kettle-b.test/kettleco",
        nav=("Track my order", "Newsletter", "Kettles", "Sign in", "Help & contact"), footer_careers="Jobs",
        subscribed="Thanks! You are subscribed to our newsletter", unsubscribed="Done: you are unsubscribed",
        contact_done="Message received. We will get back to you within 2 working days. Ticket #{ticket}",
        paid="Thank you, payment received. Your order number is {order}.",
        declined="Your card was declined. Please try again",
        error="Sorry, something went wrong while processing your payment.", track="Follow your delivery"),
}


@dataclass
class Page(HTMLParser):
    """What a customer sees of an HTML page: visible text, links, title, h1, scripts."""

    status: int = 0
    html: str = ""
    title: str = ""
    h1: str = ""
    text: str = ""
    links: list[tuple[str, str]] = field(default_factory=list)  # (href, visible text)
    scripts: list[str] = field(default_factory=list)
    _stack: list[str] = field(default_factory=list)
    _href: str | None = None
    _link_text: str = ""

    def __post_init__(self) -> None:
        HTMLParser.__init__(self)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._stack.append(tag)
        if tag == "a":
            self._href, self._link_text = dict(attrs).get("href") or "", ""
        if tag == "script":
            self.scripts.append("")

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self._href is not None:
            self.links.append((self._href, " ".join(self._link_text.split())))
            self._href = None
        if self._stack and self._stack[-1] == tag:
            self._stack.pop()

    def handle_data(self, data: str) -> None:
        where = self._stack[-1] if self._stack else ""
        if where == "title":
            self.title += data
        elif where == "script":
            self.scripts[-1] += data
        elif where != "style":
            self.text += data
            if "h1" in self._stack:
                self.h1 += data
            if self._href is not None:
                self._link_text += data

    @property
    def visible(self) -> str:
        return " ".join(self.text.split())

    def href(self, text: str) -> str:
        hrefs = [h for h, t in self.links if t == text]
        assert len(hrefs) == 1, f"expected one link {text!r}, got {self.links}"
        return hrefs[0]

    def mailtos(self) -> list[str]:
        return [h for h, _ in self.links if h.startswith("mailto:")]


def page(response: httpx.Response) -> Page:
    parsed = Page(status=response.status_code, html=response.text)
    parsed.feed(response.text)
    parsed.close()
    return parsed


@pytest.fixture(params=["a", "b"])
def profile(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture
def expected(profile: str) -> Expected:
    return EXPECTED[profile]


def client(shop: ShopServer) -> httpx.Client:
    return httpx.Client(base_url=shop.url, follow_redirects=False, timeout=10)


@pytest.fixture
def broken(shop_factory: ShopFactory, profile: str) -> Iterator[httpx.Client]:
    with client(shop_factory(None, profile=profile)) as c:
        yield c


@pytest.fixture
def healthy(shop_factory: ShopFactory, profile: str) -> Iterator[httpx.Client]:
    with client(shop_factory((), profile=profile)) as c:
        yield c


# --- server and registry --------------------------------------------------------------------------

def test_unknown_defect_is_refused_with_the_known_names() -> None:
    with pytest.raises(ValueError) as error:
        start_shop(["broken_link", "brokn_link"])
    assert str(error.value) == f"unknown shop defect(s): brokn_link; known: {', '.join(sorted(DEFECTS))}"


def test_unknown_profile_is_refused() -> None:
    with pytest.raises(ValueError, match=r"unknown shop profile 'd'; known: a, b, c"):
        start_shop((), profile="d")


def test_none_switches_every_defect_on_and_empty_none(shop_broken: ShopServer, shop_healthy: ShopServer) -> None:
    assert shop_broken.world.defects == frozenset(DEFECTS)
    assert shop_healthy.world.defects == frozenset()
    assert len(DEFECTS) == 14


def test_server_answers_on_loopback_and_stops(shop_factory: ShopFactory) -> None:
    shop = shop_factory(())
    assert shop.url.startswith("http://127.0.0.1:") and shop.world.base_url == shop.url
    assert httpx.get(shop.url + "/").status_code == 200
    shop.stop()
    shop.stop()  # twice is fine
    with pytest.raises(httpx.ConnectError):
        httpx.get(shop.url + "/")


def test_context_manager_and_given_world() -> None:
    world = ShopWorld(["js_error"], profile="b", password="pw-1")
    with start_shop(world=world) as shop:
        assert shop.world is world
        assert "window.stockApi.lookup" in httpx.get(shop.url + "/product/2").text


def test_delay_ms_delays_every_response(shop_factory: ShopFactory) -> None:
    shop = shop_factory((), delay_ms=150)
    started = time.monotonic()
    assert httpx.get(shop.url + "/terms").status_code == 200
    assert time.monotonic() - started >= 0.15


def test_mail_only_switches_are_readable_by_the_mail_system(shop_factory: ShopFactory) -> None:
    on, off = shop_factory(MAIL_ONLY).world, shop_factory(()).world
    assert [on.has(name) for name in MAIL_ONLY] == [True] * 4
    assert [off.has(name) for name in MAIL_ONLY] == [False] * 4
    with pytest.raises(ValueError, match="unknown shop defect 'form_blackhole'"):
        on.has("form_blackhole")


def test_cli_help_lists_every_defect(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as done:
        parse_args(["--help"])
    assert done.value.code == 0
    out = capsys.readouterr().out
    for name, text in DEFECTS.items():
        assert name in out and text.split(";")[0] in " ".join(out.split())


def test_cli_rejects_unknown_defect(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as done:
        parse_args(["--defect", "nope"])
    assert done.value.code == 2
    assert "invalid choice: 'nope'" in capsys.readouterr().err
    assert parse_args(["--healthy", "--profile", "b", "--port", "0"]).profile == "b"


# --- home page links ------------------------------------------------------------------------------

def test_home_links_all_work_in_the_healthy_shop(healthy: httpx.Client, expected: Expected) -> None:
    home = page(healthy.get("/"))
    assert home.status == 200
    nav = [t for h, t in home.links][1:6]  # after the brand link
    assert tuple(nav) == expected.nav
    hrefs = {h for h, _ in home.links}
    assert hrefs == {"/", "/contact", "/order-status", "/newsletter", "/login", "/product/1", "/product/2",
                     "/product/3", "/privacy", "/terms", "/careers", "/social"}
    assert {h: healthy.get(h).status_code for h in sorted(hrefs)} == {h: 200 for h in sorted(hrefs)}


def test_home_links_in_the_broken_shop(broken: httpx.Client, expected: Expected) -> None:
    home = page(broken.get("/"))
    internal = sorted({h for h, _ in home.links if h.startswith("/")})
    statuses = {h: broken.get(h).status_code for h in internal}
    assert statuses == {h: 404 if h == "/careers" else 200 for h in internal}
    assert home.href("Follow us") == expected.dead_social
    assert home.href(expected.footer_careers) == "/careers"
    assert "/reviews" not in {h for h, _ in home.links}


@pytest.mark.parametrize("on", [True, False])
def test_broken_link(shop_factory: ShopFactory, profile: str, on: bool) -> None:
    with client(shop_factory(["broken_link"] if on else [], profile=profile)) as c:
        careers = page(c.get("/careers"))
        assert careers.status == (404 if on else 200)
        assert careers.h1 == ("Page not found" if on else "Careers")
        assert page(c.get("/")).href("Follow us") == "/social"  # the other link defect stays off


@pytest.mark.parametrize("on", [True, False])
def test_dead_host_link(shop_factory: ShopFactory, expected: Expected, profile: str, on: bool) -> None:
    with client(shop_factory(["dead_host_link"] if on else [], profile=profile)) as c:
        assert page(c.get("/")).href("Follow us") == (expected.dead_social if on else "/social")
        assert c.get("/careers").status_code == 200


# --- product, reviews -----------------------------------------------------------------------------

@pytest.mark.parametrize("on", [True, False])
def test_server_error_on_reviews(shop_factory: ShopFactory, profile: str, on: bool) -> None:
    with client(shop_factory(["server_error"] if on else [], profile=profile)) as c:
        reviews = page(c.get("/reviews"))
        assert (reviews.status, reviews.h1) == ((500, "Something went wrong") if on else (200, "Reviews"))
        assert page(c.get("/product/2")).href("Read reviews" if profile == "a" else "What customers say") \
            == "/reviews"


JS_ERROR_CALL = {"a": "window.kcStock.refresh(", "b": "window.stockApi.lookup("}


@pytest.mark.parametrize("on", [True, False])
def test_js_error_on_product_pages(shop_factory: ShopFactory, profile: str, on: bool) -> None:
    with client(shop_factory(["js_error"] if on else [], profile=profile)) as c:
        for product_id in (1, 2, 3):
            product = page(c.get(f"/product/{product_id}"))
            assert product.status == 200
            assert len(product.scripts) == 1
            # the defect calls an object that is never defined: a TypeError in any browser
            assert (JS_ERROR_CALL[profile] in product.scripts[0]) is on
            assert ("window.kcStock" not in product.scripts[0] and "window.stockApi" not in product.scripts[0]) \
                is not on


@pytest.mark.parametrize("on", [True, False])
def test_hostile_title_is_escaped_by_the_shop(shop_factory: ShopFactory, profile: str, on: bool) -> None:
    with client(shop_factory(["hostile_title"] if on else [], profile=profile)) as c:
        response = c.get("/product/1")
        product = page(response)
        name = HOSTILE_NAME if on else "Deluxe Kettle"
        assert (product.title, product.h1) == (name, name)
        assert len(product.scripts) == 1  # the markup in the name is text, not a script element
        assert "<script>window.__pwned" not in response.text
        assert ("&lt;script&gt;window.__pwned=1&lt;/script&gt;" in response.text) is on
        assert page(c.get("/product/2")).title == "Classic Kettle"


def test_unknown_product_is_a_404(healthy: httpx.Client) -> None:
    assert page(healthy.get("/product/99")).h1 == "Product not found"
    assert healthy.get("/product/99").status_code == 404
    assert healthy.get("/checkout?product=99").status_code == 404


# --- newsletter and unsubscribe --------------------------------------------------------------------

def _events(shop: ShopServer) -> list[object]:
    heard: list[object] = []
    shop.world.subscribe(heard.append)
    return heard


def test_newsletter_subscribe(shop_factory: ShopFactory, profile: str, expected: Expected) -> None:
    shop = shop_factory((), profile=profile)
    heard = _events(shop)
    with client(shop) as c:
        done = page(c.post("/newsletter", data={"email": "Ana@Example.test"}))
        assert done.status == 200 and expected.subscribed in done.visible
        bad = page(c.post("/newsletter", data={"email": "not-an-address"}))
        assert "Please enter a valid email address." in bad.visible
    assert heard == [NewsletterSubscribed("ana@example.test")]
    assert shop.world.subscribers() == {"ana@example.test"}


@pytest.mark.parametrize("on", [True, False])
def test_unsubscribe_form_and_its_address(shop_factory: ShopFactory, profile: str, expected: Expected,
                                          on: bool) -> None:
    shop = shop_factory(["unsubscribe_wrong_address", "unsubscribe_ignored"] if on else [], profile=profile)
    shop.world.add_subscriber("ana@example.test")
    heard = _events(shop)
    address = expected.wrong_unsubscribe if on else expected.unsubscribe
    with client(shop) as c:
        assert page(c.get("/unsubscribe")).mailtos() == [f"mailto:{address}"]
        done = page(c.post("/unsubscribe", data={"email": "ana@example.test"}))
    assert done.status == 200 and expected.unsubscribed in done.visible
    assert done.mailtos() == [f"mailto:{address}"]
    # the form route is honoured even when one-click is ignored: each defect has one symptom
    assert heard == [Unsubscribed("ana@example.test", "form", True)]
    assert shop.world.subscribers() == frozenset()


@pytest.mark.parametrize("on", [True, False])
def test_one_click_unsubscribe(shop_factory: ShopFactory, profile: str, expected: Expected, on: bool) -> None:
    shop = shop_factory(["unsubscribe_ignored"] if on else [], profile=profile)
    shop.world.add_subscriber("ana@example.test")
    url = shop.world.unsubscribe_url("ana@example.test")
    token = shop.world.unsubscribe_token("ana@example.test")
    assert url == f"{shop.url}/u/{token}" and len(token) == 24
    heard = _events(shop)
    with client(shop) as c:
        assert c.get(f"/u/{token}").status_code == 200  # a GET only shows the confirm button
        assert heard == [] and shop.world.is_subscribed("ana@example.test")
        response = c.post(url, content="List-Unsubscribe=One-Click",
                          headers={"Content-Type": "application/x-www-form-urlencoded"})
        assert response.status_code == 200 and expected.unsubscribed in page(response).visible
    assert heard == [Unsubscribed("ana@example.test", "one-click", not on)]
    assert shop.world.is_subscribed("ana@example.test") is on
    assert shop.world.unsubscribe_requests() == (Unsubscribed("ana@example.test", "one-click", not on),)


@pytest.mark.parametrize("on", [True, False])
def test_link_unsubscribe_confirm_button(shop_factory: ShopFactory, profile: str, on: bool) -> None:
    shop = shop_factory(["unsubscribe_ignored"] if on else [], profile=profile)
    shop.world.add_subscriber("bo@example.test")
    token = shop.world.unsubscribe_token("bo@example.test")
    with client(shop) as c:
        confirm = c.get(f"/u/{token}")
        assert '<input type="hidden" name="confirm" value="1">' in confirm.text
        assert c.post(f"/u/{token}", data={"confirm": "1"}).status_code == 200
        assert c.post("/u/0123456789abcdef01234567", data={"confirm": "1"}).status_code == 404
    assert shop.world.unsubscribe_requests() == (Unsubscribed("bo@example.test", "link", not on),)


def test_mailto_unsubscribe_is_recorded_for_the_mail_system(shop_factory: ShopFactory) -> None:
    world = shop_factory(["unsubscribe_ignored"]).world
    world.add_subscriber("cy@example.test")
    assert world.unsubscribe("cy@example.test", "mailto") is True
    assert world.subscribers() == frozenset()


# --- contact --------------------------------------------------------------------------------------

def test_contact_page_addresses_and_form(shop_factory: ShopFactory, profile: str, expected: Expected) -> None:
    shop = shop_factory(None, profile=profile)
    heard = _events(shop)
    with client(shop) as c:
        form = page(c.get("/contact"))
        assert sorted(form.mailtos()) == sorted([f"mailto:{expected.support}", f"mailto:{expected.webmaster}"])
        fields = {"name": "Ana", "email": "ana@example.test", "topic": "payment", "message": "Was I charged?"}
        first = page(c.post("/contact", data=fields))
        second = page(c.post("/contact", data=fields | {"message": "Hello again"}))
        missing = page(c.post("/contact", data=fields | {"name": ""}))
    t = expected.first_ticket
    assert expected.contact_done.format(ticket=t) in first.visible
    assert expected.contact_done.format(ticket=t + 1) in second.visible
    assert "Please tell us your name." in missing.visible
    assert heard == [ContactFormSubmitted("Ana", "ana@example.test", "Was I charged?", t, "payment"),
                     ContactFormSubmitted("Ana", "ana@example.test", "Hello again", t + 1, "payment")]
    assert [s.ticket for s in shop.world.contact_submissions()] == [t, t + 1]


# --- checkout and payments ------------------------------------------------------------------------

def _pay(c: httpx.Client, card: str, order: str = "", email: str = "ana@example.test") -> Page:
    form = {"product": "2", "card": card, "expiry": "12/30", "cvc": "123"}
    form |= {"order": order} if order else {"email": email}
    return page(c.post("/checkout", data=form))


def test_approved_card_pays_the_order(shop_factory: ShopFactory, profile: str, expected: Expected) -> None:
    shop = shop_factory(None, profile=profile)
    heard = _events(shop)
    with client(shop) as c:
        done = _pay(c, APPROVED)
        assert expected.paid.format(order=expected.first_order) in done.visible
        again = _pay(c, APPROVED, order=expected.first_order)
        assert "already" in again.visible and expected.first_order in again.visible
    order = shop.world.order(expected.first_order)
    assert order is not None and (order.status, order.paid, order.attempts) == ("Paid", True, 1)
    assert heard == [OrderPlaced(expected.first_order, "ana@example.test", Decimal("39.00"), "Classic Kettle"),
                     PaymentAttempt(expected.first_order, 1, False, True, "approved"),
                     OrderPaid(expected.first_order, "ana@example.test", Decimal("39.00"))]


@pytest.mark.parametrize("on", [True, False])
def test_declined_card_four_times(shop_factory: ShopFactory, profile: str, expected: Expected, on: bool) -> None:
    shop = shop_factory(["payment_inconsistent"] if on else [], profile=profile)
    heard = _events(shop)
    no = expected.first_order
    with client(shop) as c:
        shown = [_pay(c, DECLINED)] + [_pay(c, DECLINED, order=no) for _ in range(3)]
    for attempt in shown[:3]:
        assert expected.declined in attempt.visible and expected.error not in attempt.visible
    assert (expected.error in shown[3].visible) is on
    assert (expected.declined in shown[3].visible) is not on
    assert all(f'name="order" value="{no}"' in p.html for p in shown)  # retry keeps the order
    order = shop.world.order(no)
    assert order is not None and (order.paid, order.attempts) == (on, 4)
    assert order.status == ("Paid" if on else "Awaiting payment")
    attempts = [PaymentAttempt(no, n, True, False, "declined") for n in (1, 2, 3)]
    attempts.append(PaymentAttempt(no, 4, True, True, "error") if on else PaymentAttempt(no, 4, True, False))
    assert shop.world.payment_attempts(no) == tuple(attempts)
    paid = [OrderPaid(no, "ana@example.test", Decimal("39.00"))] if on else []
    assert heard == [OrderPlaced(no, "ana@example.test", Decimal("39.00"), "Classic Kettle"), *attempts, *paid]


def test_checkout_form_errors_keep_the_customer_on_the_form(healthy: httpx.Client) -> None:
    bad = page(healthy.post("/checkout", data={"product": "2", "email": "x", "card": "12", "expiry": "",
                                               "cvc": ""}))
    assert bad.status == 200
    assert "Please enter a valid email address." in bad.visible and "Please enter your card number." in bad.visible
    assert healthy.post("/checkout", data={"product": "2", "order": "KC-99999", "card": APPROVED,
                                           "expiry": "1/30", "cvc": "123"}).status_code == 404


# --- order status, courier ------------------------------------------------------------------------

@pytest.mark.parametrize("on", [True, False])
def test_order_status_and_courier(shop_factory: ShopFactory, profile: str, expected: Expected, on: bool) -> None:
    shop = shop_factory(["dead_courier"] if on else [], profile=profile)
    order = shop.world.place_order("ana@example.test", 3)
    no = order.order_no
    assert no == expected.first_order
    with client(shop) as c:
        found = c.post("/order-status", data={"order": no.lower(), "email": "ANA@example.test"})
        assert (found.status_code, found.headers["location"]) == (303, f"/orders/{no}")
        wrong = page(c.post("/order-status", data={"order": no, "email": "eve@example.test"}))
        assert (wrong.status, wrong.h1) == (404, "Order not found")
        unknown = page(c.get(f"/orders/{expected.second_order}"))
        assert (unknown.status, unknown.h1) == (404, "Order not found")
        awaiting = page(c.get(f"/orders/{no}"))
        assert "Awaiting payment" in awaiting.visible and "€24.50" in awaiting.visible
        assert "not received" in awaiting.visible
        track = awaiting.href(expected.track)
        assert track == (f"http://track.parcel-courier.test/{no}" if on else f"/courier/track/{no}")
        shop.world.pay(no, APPROVED)
        shop.world.ship(no)
        shipped = page(c.get(f"/orders/{no}"))
        assert "Shipped" in shipped.visible and "received" in shipped.visible
        courier = page(c.get(f"/courier/track/{no}"))
        assert courier.status == 200 and "In transit to the local depot" in courier.visible
        lost = page(c.get(f"/courier/track/{expected.second_order}"))
        assert (lost.status, lost.h1) == (404, "Unknown parcel")


# --- chat -----------------------------------------------------------------------------------------

CHAT_LOG = {"a": 'role="log" aria-label="Chat messages"', "b": 'role="log" aria-label="Conversation"'}


def test_chat_widget_is_on_order_and_checkout_pages(healthy: httpx.Client, profile: str,
                                                    expected: Expected) -> None:
    assert CHAT_LOG[profile] in healthy.get("/checkout?product=1").text
    _pay(healthy, DECLINED)
    order_page = healthy.get(f"/orders/{expected.first_order}").text
    assert CHAT_LOG[profile] in order_page and f'var order = "{expected.first_order}";' in order_page
    assert CHAT_LOG[profile] not in healthy.get("/").text


@pytest.mark.parametrize("on", [True, False])
def test_chat_about_a_declined_payment(shop_factory: ShopFactory, profile: str, expected: Expected,
                                       on: bool) -> None:
    shop = shop_factory(["payment_inconsistent"] if on else [], profile=profile)
    no = expected.first_order
    heard = _events(shop)
    with client(shop) as c:
        _pay(c, DECLINED)
        first = c.post("/chat", json={"message": "Did my payment go through?", "order": no}).json()
        conversation = first["conversation"]
        second = c.post("/chat", json={"message": f"And what about my card for {no}?",
                                       "conversation": conversation}).json()
        status = c.post("/chat", json={"message": "Where is my parcel?", "order": no,
                                       "conversation": conversation}).json()
        assert c.post("/chat", json={"nothing": 1}).status_code == 400
    lie = "Your transaction was successful."
    truth = f"Your payment for {no} did not go through. You have not been charged."
    assert (first["answer"], second["answer"]) == ((lie, lie) if on else (truth, truth))
    assert status["answer"] == f"Order {no}: Awaiting payment."
    assert second["conversation"] == conversation
    lines = shop.world.chat_transcripts()[conversation]
    assert [line.question for line in lines] == ["Did my payment go through?", f"And what about my card for {no}?",
                                                 "Where is my parcel?"]
    assert [e for e in heard if isinstance(e, ChatAnswered)][0] == \
        ChatAnswered(conversation, "Did my payment go through?", first["answer"], no)


def test_chat_knows_a_paid_order(healthy: httpx.Client, expected: Expected) -> None:
    _pay(healthy, APPROVED)
    answer = healthy.post("/chat", json={"message": f"was {expected.first_order} paid?"}).json()["answer"]
    assert answer == f"Your payment for {expected.first_order} was received."
    unknown = healthy.post("/chat", json={"message": "payment?"}).json()["answer"]
    assert unknown == f"Which order is it about? Please tell me the order number (it looks like {expected.first_order})."


# --- login ----------------------------------------------------------------------------------------

def test_login(shop_factory: ShopFactory, profile: str) -> None:
    shop = shop_factory((), profile=profile, password="tea-time-42")
    heard = _events(shop)
    with client(shop) as c:
        assert c.get("/account").headers["location"] == "/login"
        wrong = page(c.post("/login", data={"username": "alex", "password": "kettle-secret-123"}))
        assert (wrong.status, "Wrong password" in wrong.visible) == (200, True)
        right = c.post("/login", data={"username": "alex", "password": "tea-time-42"})
        assert (right.status_code, right.headers["location"]) == (303, "/account")
        assert page(c.get("/account")).h1 == "Welcome back, alex"
    assert 'type="password"' in httpx.get(shop.url + "/login").text
    assert heard == [LoginAttempted("alex", False), LoginAttempted("alex", True)]


# --- observers ------------------------------------------------------------------------------------

def test_subscribe_returns_a_remover(shop_factory: ShopFactory) -> None:
    world = shop_factory(()).world
    heard: list[object] = []
    remove = world.subscribe(heard.append)
    world.add_subscriber("a@example.test")
    remove()
    world.add_subscriber("b@example.test")
    assert heard == [NewsletterSubscribed("a@example.test")]
    assert world.events() == (NewsletterSubscribed("a@example.test"), NewsletterSubscribed("b@example.test"))
