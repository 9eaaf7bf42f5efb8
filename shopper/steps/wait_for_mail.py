"""`wait_for_mail`: sweep the shopper's mailbox until a message for this journey arrives."""
from __future__ import annotations

from typing import Literal

from ..errors import ProbeError, SetupError, StepError
from .mail_query import build_query, inbox
from .registry import step_kind
from .soft import Soft


@step_kind("wait_for_mail", writes="never")
class WaitForMail(Soft):
    """Wait (sweeping, with IMAP IDLE in between) for a message that answers this journey: sent to its
    `${shopper_email}` or in reply to its mail. It becomes the journey's current mail: `unsubscribe`,
    `check_links: {from_mail: true}` and `count_mail` use it, and `into` saves its subject and text.
    With `finding:`/`severity:`, no such message is a finding and the journey goes on.

        - wait_for_mail: {kind: newsletter}
          timeout: 2m
        - wait_for_mail: {subject: "/order confirm/i", contains: "${order_no}", into: confirmation}
    """

    kind: Literal["reply", "acknowledgement", "helpdesk_status", "autoreply", "transactional", "newsletter",
                  "bounce", "delay", "other"] | None = None
    from_domain: str | None = None
    subject: str | None = None
    contains: str | None = None
    into: str | None = None
    uses_page = False
    needs = ("imap",)

    def defines(self) -> list[str]:
        return [f"{self.into}_subject", f"{self.into}_text", f"{self.into}_from"] if self.into else []

    def run(self, ctx) -> str:
        query = build_query(ctx, self.kind, self.from_domain, self.subject, self.contains)
        try:
            rows = inbox(ctx).wait_for(query, ctx.timeout_ms / 1000)
        except ProbeError as e:   # the shopper's own mailbox
            raise SetupError(str(e)) from None
        if not rows:
            what = " ".join(x for x in (self.kind or "message",
                                        self.subject and f"subject {ctx.display(self.subject)!r}",
                                        self.contains and f"containing {ctx.display(self.contains)!r}") if x)
            raise StepError(f"no {what} arrived for this journey within {ctx.timeout_ms / 1000:g}s")
        row = rows[-1]
        ctx.state.last_mail = row
        c = row["classification"]
        if self.into:
            ctx.set_var(f"{self.into}_subject", row["subject"] or "")
            ctx.set_var(f"{self.into}_text", c.get("excerpt", ""))
            ctx.set_var(f"{self.into}_from", row["from_addr"] or "")
        ctx.record("mail_seen", {"kind": row["kind"], "from": row["from_addr"], "subject": row["subject"],
                                 "received_at": row["received_at"], "list_id": c.get("list_id"),
                                 "links": len(c.get("links", []))})
        return f"{row['kind']} from {row['from_addr']}: {row['subject']!r}"
