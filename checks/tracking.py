"""tracking_broken: a customer cannot follow their parcel: dead courier link, error page, or no order shown."""
from __future__ import annotations

from typing import Iterator

from shopper.model import Finding

from . import Observations, check
from .registry import FindingKind

TRACKING_BROKEN = FindingKind("tracking_broken", "major", "tracking",
                              fix="Fix the courier integration: tracking links must open and show the order.",
                              summary="A customer cannot follow their parcel: dead courier link, error page, "
                                      "or no order shown.")


@check("tracking_broken", kinds=[TRACKING_BROKEN])
def tracking_broken(obs: Observations) -> Iterator[Finding]:
    for o in obs.of_kind("tracking"):
        d = o.data
        if not d["ok"]:
            yield Finding.of("tracking_broken", severity="major", journey=o.journey, step=o.step,
                             subject=obs.site_relative(o.journey, d["url"]) if d["url"] else "(no link)",
                             title=f"Order tracking does not work: {d['url'] or 'no link'} ({d['error']})",
                             detail=f"Tracking link {d['url']} from {d.get('page') or 'the journey'}: {d['error']}",
                             evidence=o.evidence, data=dict(d))
    for o in obs.of_kind("link"):
        d = o.data
        if d.get("purpose") == "tracking" and not d["ok"]:
            why = f"HTTP {d['status']}" if d.get("status") else (d.get("error") or "unreachable")
            yield Finding.of("tracking_broken", severity="major", journey=o.journey, step=o.step,
                             subject=obs.site_relative(o.journey, d["url"]),
                             title=f"Order tracking does not work: {d['url']} ({why})",
                             detail=f"Link “{d.get('text') or d['url']}” in {d['page']}: {why}", data=dict(d))
