"""The shop's world: defect switches, in-memory state (orders, subscribers, tickets, chats) and its events."""
from __future__ import annotations

import hashlib
import hmac
import os
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Literal, Union

from demo.shop.defects import DEFECTS, validate_defects
from demo.shop.gateway import card_approved, normalise_card
from demo.shop.profiles import Profile, profile_named

DEFAULT_PASSWORD = "kettle-secret-123"
HOSTILE_NAME = 'Deluxe Kettle <script>window.__pwned=1</script><img src=x onerror="window.__pwned=2">'
INCONSISTENT_ATTEMPT = 4  # with `payment_inconsistent`, this attempt of a declined card is charged

UnsubscribeRoute = Literal["one-click", "form", "mailto", "link"]
PaymentOutcome = Literal["approved", "declined", "error"]


# --- events: what a later mail system (or a test) hears about -------------------------------------

@dataclass(frozen=True)
class NewsletterSubscribed:
    email: str


@dataclass(frozen=True)
class Unsubscribed:
    email: str
    route: UnsubscribeRoute
    honoured: bool


@dataclass(frozen=True)
class ContactFormSubmitted:
    name: str
    email: str
    message: str
    ticket: int
    topic: str = ""


@dataclass(frozen=True)
class OrderPlaced:
    order_no: str
    email: str
    total: Decimal
    product: str = ""


@dataclass(frozen=True)
class PaymentAttempt:
    """One try at paying an order. `outcome` is what the customer was shown; `charged` is the truth."""

    order_no: str
    attempt: int
    declined: bool
    charged: bool
    outcome: PaymentOutcome = "declined"


@dataclass(frozen=True)
class OrderPaid:
    order_no: str
    email: str
    total: Decimal


@dataclass(frozen=True)
class OrderShipped:
    order_no: str
    email: str


@dataclass(frozen=True)
class OrderCancelled:
    order_no: str
    email: str
    total: Decimal
    paid: bool            # the money was taken: a refund is owed


@dataclass(frozen=True)
class ChatAnswered:
    conversation: str
    question: str
    answer: str
    order_no: str | None = None


@dataclass(frozen=True)
class LoginAttempted:
    username: str
    success: bool


ShopEvent = Union[NewsletterSubscribed, Unsubscribed, ContactFormSubmitted, OrderPlaced, PaymentAttempt,
                  OrderPaid, OrderShipped, OrderCancelled, ChatAnswered, LoginAttempted]


# --- values -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Product:
    id: int
    name: str
    price: Decimal
    blurb: str


@dataclass(frozen=True)
class Order:
    order_no: str
    email: str
    product_id: int
    product_name: str
    total: Decimal
    attempts: int = 0
    paid: bool = False
    shipped: bool = False
    cancelled: bool = False

    @property
    def status(self) -> str:
        """What the order page shows: Awaiting payment, Paid, Shipped or Cancelled."""
        if self.cancelled:
            return "Cancelled"
        return "Shipped" if self.shipped else "Paid" if self.paid else "Awaiting payment"

    @property
    def cancellable(self) -> bool:
        """A customer may cancel an order until it ships."""
        return not (self.shipped or self.cancelled)

    @property
    def payment_state(self) -> str:
        if self.paid:
            return "received"
        return f"declined ({self.attempts} attempt{'s' if self.attempts != 1 else ''})" if self.attempts \
            else "not received"


@dataclass(frozen=True)
class ContactSubmission:
    ticket: int
    name: str
    email: str
    topic: str
    message: str


@dataclass(frozen=True)
class ChatLine:
    question: str
    answer: str
    order_no: str | None


def _catalogue(hostile: bool) -> tuple[Product, ...]:
    return (
        Product(1, HOSTILE_NAME if hostile else "Deluxe Kettle", Decimal("89.00"),
                "Brushed steel, 1.7 litres, keeps water warm for an hour."),
        Product(2, "Classic Kettle", Decimal("39.00"), "The one your grandmother had, but quieter."),
        Product(3, "Travel Kettle", Decimal("24.50"), "Half a litre, folds into a coat pocket."),
    )


class ShopWorld:
    """Switches and state of one shop. Thread-safe; every change is announced to subscribers as an event.

    >>> world = ShopWorld(["js_error"])
    >>> world.has("js_error"), world.has("server_error")
    (True, False)
    """

    def __init__(self, defects: Iterable[str] | None = None, *, profile: str | Profile = "a",
                 password: str = DEFAULT_PASSWORD, token_key: bytes | None = None):
        self.defects: frozenset[str] = validate_defects(defects)
        self.profile: Profile = profile if isinstance(profile, Profile) else profile_named(profile)
        self.password = password
        self.base_url = ""  # set by the server once it listens, e.g. http://127.0.0.1:41234
        self.products: tuple[Product, ...] = _catalogue(self.has("hostile_title"))
        self._token_key = token_key if token_key is not None else os.urandom(16)
        self._lock = threading.RLock()
        self._callbacks: list[Callable[[ShopEvent], None]] = []
        self._events: list[ShopEvent] = []
        self._subscribers: set[str] = set()
        self._tokens: dict[str, str] = {}
        self._unsubscribes: list[Unsubscribed] = []
        self._contacts: list[ContactSubmission] = []
        self._orders: dict[str, Order] = {}
        self._attempts: list[PaymentAttempt] = []
        self._chats: dict[str, list[ChatLine]] = {}

    # --- switches and observers ---

    def has(self, defect: str) -> bool:
        """Is this defect switched on? Unknown names raise ValueError (a typo must not read as 'off')."""
        if defect not in DEFECTS:
            raise ValueError(f"unknown shop defect {defect!r}; known: {', '.join(sorted(DEFECTS))}")
        return defect in self.defects

    def subscribe(self, callback: Callable[[ShopEvent], None]) -> Callable[[], None]:
        """Call `callback(event)` for every future event (in the request's thread); returns a remover."""
        with self._lock:
            self._callbacks.append(callback)

        def remove() -> None:
            with self._lock:
                if callback in self._callbacks:
                    self._callbacks.remove(callback)
        return remove

    def events(self) -> tuple[ShopEvent, ...]:
        """Every event so far, oldest first."""
        with self._lock:
            return tuple(self._events)

    def _emit(self, *events: ShopEvent) -> None:
        with self._lock:
            self._events.extend(events)
            callbacks = list(self._callbacks)
        for event in events:  # outside the lock: a callback may read the world
            for callback in callbacks:
                callback(event)

    # --- catalogue ---

    def product(self, product_id: int) -> Product | None:
        return next((p for p in self.products if p.id == product_id), None)

    # --- newsletter ---

    def add_subscriber(self, email: str) -> None:
        email = email.strip().lower()
        with self._lock:
            self._subscribers.add(email)
        self._emit(NewsletterSubscribed(email))

    def is_subscribed(self, email: str) -> bool:
        with self._lock:
            return email.strip().lower() in self._subscribers

    def subscribers(self) -> frozenset[str]:
        with self._lock:
            return frozenset(self._subscribers)

    def unsubscribe_token(self, email: str) -> str:
        """The stable token of `email`'s one-click unsubscribe URL (/u/<token>)."""
        email = email.strip().lower()
        token = hmac.new(self._token_key, email.encode(), hashlib.sha256).hexdigest()[:24]
        with self._lock:
            self._tokens[token] = email
        return token

    def unsubscribe_url(self, email: str) -> str:
        """Absolute one-click URL for a List-Unsubscribe header (needs `base_url`, set by the server)."""
        return f"{self.base_url}/u/{self.unsubscribe_token(email)}"

    def email_for_token(self, token: str) -> str | None:
        with self._lock:
            return self._tokens.get(token)

    def unsubscribe(self, email: str, route: UnsubscribeRoute, honour: bool | None = None) -> bool:
        """Record an unsubscribe request; returns whether it was honoured.

        By default one-click and link requests are ignored when `unsubscribe_ignored` is on; the
        mail system passes `honour` for the mailto route.
        """
        email = email.strip().lower()
        if honour is None:
            honour = not (route in ("one-click", "link") and self.has("unsubscribe_ignored"))
        event = Unsubscribed(email, route, honour)
        with self._lock:
            if honour:
                self._subscribers.discard(email)
            self._unsubscribes.append(event)
        self._emit(event)
        return honour

    def unsubscribe_requests(self) -> tuple[Unsubscribed, ...]:
        with self._lock:
            return tuple(self._unsubscribes)

    # --- contact form ---

    def submit_contact(self, name: str, email: str, topic: str, message: str) -> int:
        """Record a contact-form submission; returns its ticket number."""
        with self._lock:
            ticket = self.profile.first_ticket + len(self._contacts)
            self._contacts.append(ContactSubmission(ticket, name, email, topic, message))
        self._emit(ContactFormSubmitted(name, email, message, ticket, topic))
        return ticket

    def contact_submissions(self) -> tuple[ContactSubmission, ...]:
        with self._lock:
            return tuple(self._contacts)

    # --- orders and payments ---

    def place_order(self, email: str, product_id: int) -> Order:
        product = self.product(product_id)
        if product is None:
            raise KeyError(f"no product {product_id}")
        with self._lock:
            order = Order(self.profile.order_no(len(self._orders)), email.strip(), product.id, product.name,
                          product.price)
            self._orders[order.order_no] = order
        self._emit(OrderPlaced(order.order_no, order.email, order.total, order.product_name))
        return order

    def order(self, order_no: str) -> Order | None:
        with self._lock:
            return self._orders.get(order_no.strip().upper())

    def orders(self) -> tuple[Order, ...]:
        with self._lock:
            return tuple(self._orders.values())

    def pay(self, order_no: str, card_number: str) -> PaymentAttempt:
        """Try to pay an unpaid order with a card; the fake gateway decides, the defect may lie about it."""
        order_no = order_no.strip().upper()
        with self._lock:
            order = self._orders[order_no]
            if order.paid:
                raise ValueError(f"order {order_no} is already paid")
            attempt = order.attempts + 1
            approved = card_approved(normalise_card(card_number))
            if approved:
                result = PaymentAttempt(order_no, attempt, declined=False, charged=True, outcome="approved")
            elif attempt == INCONSISTENT_ATTEMPT and self.has("payment_inconsistent"):
                result = PaymentAttempt(order_no, attempt, declined=True, charged=True, outcome="error")
            else:
                result = PaymentAttempt(order_no, attempt, declined=True, charged=False, outcome="declined")
            order = replace(order, attempts=attempt, paid=result.charged)
            self._orders[order_no] = order
            self._attempts.append(result)
        events: list[ShopEvent] = [result]
        if result.charged:
            events.append(OrderPaid(order.order_no, order.email, order.total))
        self._emit(*events)
        return result

    def payment_attempts(self, order_no: str | None = None) -> tuple[PaymentAttempt, ...]:
        with self._lock:
            return tuple(a for a in self._attempts if order_no is None or a.order_no == order_no)

    def ship(self, order_no: str) -> Order:
        """Mark a paid order as shipped (the warehouse's job; tests and the demo call it)."""
        order_no = order_no.strip().upper()
        with self._lock:
            order = self._orders[order_no]
            if not order.paid:
                raise ValueError(f"order {order_no} is not paid")
            order = replace(order, shipped=True)
            self._orders[order_no] = order
        self._emit(OrderShipped(order.order_no, order.email))
        return order

    def cancel(self, order_no: str) -> Order:
        """The customer cancels an order that has not shipped (the order page's button)."""
        order_no = order_no.strip().upper()
        with self._lock:
            order = self._orders[order_no]
            if not order.cancellable:
                raise ValueError(f"order {order_no} cannot be cancelled ({order.status})")
            order = replace(order, cancelled=True)
            self._orders[order_no] = order
        self._emit(OrderCancelled(order.order_no, order.email, order.total, order.paid))
        return order

    def ship_paid_orders(self) -> list[Order]:
        """The warehouse's day: every paid order not shipped or cancelled leaves (the demo calls it daily)."""
        return [self.ship(o.order_no) for o in self.orders() if o.paid and not o.shipped and not o.cancelled]

    # --- chat ---

    def record_chat(self, conversation: str, question: str, answer: str, order_no: str | None) -> None:
        with self._lock:
            self._chats.setdefault(conversation, []).append(ChatLine(question, answer, order_no))
        self._emit(ChatAnswered(conversation, question, answer, order_no))

    def new_conversation(self) -> str:
        with self._lock:
            conversation = f"c{len(self._chats) + 1}"
            self._chats[conversation] = []
            return conversation

    def knows_conversation(self, conversation: str) -> bool:
        with self._lock:
            return conversation in self._chats

    def chat_transcripts(self) -> dict[str, tuple[ChatLine, ...]]:
        with self._lock:
            return {c: tuple(lines) for c, lines in self._chats.items()}

    # --- accounts ---

    def check_login(self, username: str, password: str) -> bool:
        ok = bool(username.strip()) and hmac.compare_digest(password.encode(), self.password.encode())
        self._emit(LoginAttempted(username.strip(), ok))
        return ok
