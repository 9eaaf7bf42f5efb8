"""What a journey may ask of the shopper's mailbox while it runs: sweep now, find or wait for a message."""
from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from .errors import ProbeError
from .model import Observation
from .probes.imap import ImapMailbox
from .sweep import Sweeper

if TYPE_CHECKING:
    from .store.contract import MailStore


@dataclass(frozen=True)
class MailQuery:
    """Which messages: those matched to `tokens`, of `kind`, from a domain, with a subject or text."""

    tokens: tuple[str, ...]
    kind: str | None = None
    from_domain: str | None = None
    subject: re.Pattern[str] | None = None
    contains: str | None = None
    since: datetime | None = None

    def matches(self, row: dict[str, Any]) -> bool:
        c = row["classification"]
        if row["matched_token"] not in self.tokens:
            return False
        if self.kind and row["kind"] != self.kind:
            return False
        sender = (row["from_addr"] or "").lower()
        if self.from_domain and not (sender.endswith("@" + self.from_domain.lower())
                                     or sender.endswith("." + self.from_domain.lower())):
            return False
        if self.subject and not self.subject.search(row["subject"] or ""):
            return False
        if self.contains and self.contains.lower() not in ((row["subject"] or "") + "\n" + c.get("excerpt", "")).lower():
            return False
        if self.since and datetime.fromisoformat(row["received_at"]) < self.since:
            return False
        return True


@dataclass
class Inbox:
    """Sweeps on demand during journeys; what those sweeps observed is kept for the run's checks."""

    sweeper: Sweeper
    store: MailStore
    collected: list[Observation] = field(default_factory=list)

    def sweep(self) -> None:
        result = self.sweeper.sweep()
        self.collected.extend(result.observations)
        if not result.ok:
            raise ProbeError(result.error or "the mailbox could not be read")

    def find(self, query: MailQuery) -> list[dict[str, Any]]:
        rows = []
        for token in query.tokens:
            rows += [r for r in self.store.messages(token=token, limit=500) if query.matches(r)]
        return sorted(rows, key=lambda r: (r["received_at"], r["uid"]))

    def wait_for(self, query: MailQuery, timeout_s: float, at_least: int = 1) -> list[dict[str, Any]]:
        """Sweep until `at_least` messages match or the time is up; waits with IMAP IDLE, never sleeps."""
        deadline = time.monotonic() + timeout_s
        while True:
            self.sweep()
            rows = self.find(query)
            remaining = deadline - time.monotonic()
            if len(rows) >= at_least or remaining <= 0:
                return rows
            with ImapMailbox(self.sweeper.settings) as box:
                state = self.store.folder_states(self.sweeper.mailbox).get("INBOX")
                if box.fetch_new("INBOX", state, since=self.sweeper.since()).messages:
                    continue    # arrived since our sweep: sweep again at once
                box.wait_for_change(min(remaining, 5.0))
