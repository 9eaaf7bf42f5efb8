"""`compare`: do the page, the mails, the status page and the chat tell the customer the same thing?"""
from __future__ import annotations

import re

from .registry import step_kind
from ..page.text import text_matcher


@step_kind("compare", writes="never")
class Compare:
    """Reduce each view's text to a label with `labels` (first pattern that matches wins) and record
    whether they agree; if they do not, a finding of kind `finding` shows every view side by side.

        - compare:
            name: payment
            finding: payment_inconsistent
            views: {page: "${payment_page}", email: "${payment_mail_text}", status: "${order_state}"}
            labels: {failed: "/not|declin|error|fail|wrong/i", paid: "/paid|received|success/i"}
    """

    name: str = "views"
    finding: str = "inconsistent_views"
    views: dict[str, str] | None = None
    labels: dict[str, str] | None = None
    uses_page = False
    finding_check = "inconsistent_views"   # `finding` names one of that check's kinds (checks/consistency.py)

    def problems(self) -> list[str]:
        probs = []
        if not self.views or len(self.views) < 2:
            probs.append("'views' needs at least two named values to compare")
        if not self.labels:
            probs.append("'labels' needs at least one label: pattern")
        return probs

    def run(self, ctx) -> str:
        texts = {name: ctx.value(v) for name, v in (self.views or {}).items()}
        labels = {name: self._label(ctx, text) for name, text in texts.items()}
        consistent = len(set(labels.values())) == 1 and None not in labels.values()
        ctx.record("comparison", {"name": self.name, "finding": self.finding, "consistent": consistent,
                                  "views": {k: v[:1000] for k, v in texts.items()}, "labels": labels})
        return ("agree: " if consistent else "DISAGREE: ") + ", ".join(f"{k}={v}" for k, v in labels.items())

    def _label(self, ctx, text: str) -> str | None:
        for label, pattern in (self.labels or {}).items():
            m = text_matcher(ctx.value(pattern))
            if (m.search(text) if isinstance(m, re.Pattern) else m.lower() in text.lower()):
                return label
        return None
