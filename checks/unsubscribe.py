"""unsubscribe_ignored: newsletters keep coming after the customer unsubscribed and the grace period passed."""
from __future__ import annotations

from datetime import datetime
from typing import Iterator

from shopper.model import Finding

from . import Observations, check
from .registry import FindingKind

UNSUBSCRIBE_IGNORED = FindingKind(
    "unsubscribe_ignored", "major", "unsubscribe", breach=True,
    fix="Honour unsubscribe requests from every route (one-click, mail, link) within 2 days.",
    summary="Newsletters keep coming after the customer unsubscribed and the grace period passed.")


@check("unsubscribe_ignored", kinds=[UNSUBSCRIBE_IGNORED])
def unsubscribe_ignored(obs: Observations) -> Iterator[Finding]:
    for o in obs.of_kind("expectation"):
        d = o.data
        if d.get("kind") == "silence" and "violated" in d["changes"]:
            n = len(d["evidence"])
            since = datetime.fromisoformat(d["created_at"]).strftime("%Y-%m-%d %H:%M UTC")
            yield Finding.of("unsubscribe_ignored", severity="major", journey=o.journey, step=o.step,
                             subject=d["target"],
                             title=f"Unsubscribed from {d['target']} on {since}, yet {n} newsletter(s) came after "
                                   f"the grace period",
                             detail="\n".join(f"{m['received_at']}  {m.get('from')}  {m.get('subject')}"
                                              for m in d["evidence"]), data=dict(d))
