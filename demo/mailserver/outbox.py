"""The company's outbox: what it will send and when; due messages come out in order, each exactly once."""
from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from email import message_from_bytes
from email.policy import default as default_policy


@dataclass(frozen=True)
class Timings:
    """How long after the cause (a received mail, a shop event) each kind of message goes out."""

    bounce: timedelta = timedelta(seconds=30)                  # "within 1 minute"
    support_ack: timedelta = timedelta(minutes=1)              # "within 2 minutes"
    support_answer: timedelta = timedelta(hours=5)
    webmaster_answer: timedelta = timedelta(days=1)
    unsubscribe_confirmation: timedelta = timedelta(minutes=2)  # "within 5 minutes"
    form_ack: timedelta = timedelta(minutes=1)                 # "within 2 minutes"
    form_answer: timedelta = timedelta(days=1)
    order_mail: timedelta = timedelta(minutes=1)               # confirmation, payment, shipping, cancellation notices
    refund: timedelta = timedelta(days=1)                      # the refund of a cancelled, paid order
    newsletter: timedelta = timedelta(0)


@dataclass(frozen=True)
class Planned:
    """A rule's decision: send a message of `kind` to `to`, `delay` after the cause; `build(when)` writes it."""

    kind: str
    to: str
    delay: timedelta
    build: Callable[[datetime], bytes]


@dataclass(frozen=True)
class Outgoing:
    """One message in the outbox. `mailbox` is the Dovecot login it lands in; None: not ours, dropped."""

    seq: int
    kind: str
    to: str
    mailbox: str | None
    due: datetime
    raw: bytes

    @property
    def subject(self) -> str:
        return str(message_from_bytes(self.raw, policy=default_policy)["Subject"] or "")

    @property
    def message_id(self) -> str:
        return str(message_from_bytes(self.raw, policy=default_policy)["Message-ID"] or "")


class Outbox:
    """Thread-safe queue of `Outgoing`, ordered by (due, seq); `due` lists what is ready, `mark_done` retires it."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._items: list[Outgoing] = []
        self._done: set[int] = set()

    def put(self, kind: str, to: str, mailbox: str | None, due: datetime, raw: bytes) -> Outgoing:
        with self._lock:
            item = Outgoing(len(self._items) + 1, kind, to, mailbox, due, raw)
            self._items.append(item)
            return item

    def due(self, now: datetime) -> list[Outgoing]:
        """Items whose time has come and that were not delivered yet, oldest due first."""
        with self._lock:
            ready = [i for i in self._items if i.due <= now and i.seq not in self._done]
        return sorted(ready, key=lambda i: (i.due, i.seq))

    def mark_done(self, seq: int) -> None:
        with self._lock:
            self._done.add(seq)

    def items(self) -> tuple[Outgoing, ...]:
        """Everything ever queued, in the order it was queued."""
        with self._lock:
            return tuple(self._items)

    def pending(self) -> tuple[Outgoing, ...]:
        """Queued and not delivered yet, by due time."""
        with self._lock:
            return tuple(sorted((i for i in self._items if i.seq not in self._done), key=lambda i: (i.due, i.seq)))
