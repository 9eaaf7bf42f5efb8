"""`count_mail`: how many messages of a kind this journey got (e.g. confirmations of one order)."""
from __future__ import annotations

from typing import Literal

from ..errors import ProbeError, SetupError
from .mail_query import build_query, inbox
from .registry import step_kind


@step_kind("count_mail", writes="never")
class CountMail:
    """Count this journey's messages matching `subject`/`contains` (after a sweep); more than
    `at_most` becomes a finding of kind `finding` (e.g. `duplicate_confirmation`).

        - count_mail: {subject: "/confirm/i", contains: "${order_no}", at_most: 1, finding: duplicate_confirmation}
    """

    finding: str = "duplicate_mail"
    at_most: int = 1
    kind: Literal["reply", "acknowledgement", "helpdesk_status", "autoreply", "transactional", "newsletter",
                  "bounce", "delay", "other"] | None = None
    from_domain: str | None = None
    subject: str | None = None
    contains: str | None = None
    uses_page = False
    needs = ("imap",)
    finding_check = "too_many_mails"   # `finding` names one of that check's kinds (checks/consistency.py)

    def run(self, ctx) -> str:
        box = inbox(ctx)
        try:
            box.sweep()
        except ProbeError as e:   # the shopper's own mailbox
            raise SetupError(str(e)) from None
        rows = box.find(build_query(ctx, self.kind, self.from_domain, self.subject, self.contains))
        ctx.record("mail_count", {"finding": self.finding, "count": len(rows), "at_most": self.at_most,
                                  "subject": self.subject and ctx.display(self.subject),
                                  "contains": self.contains and ctx.display(self.contains),
                                  "messages": [{"subject": r["subject"], "from": r["from_addr"],
                                                "received_at": r["received_at"]} for r in rows]})
        return f"{len(rows)} message(s) (at most {self.at_most} expected)"
