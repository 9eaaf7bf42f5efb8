"""broken_link: a link a customer can click that leads nowhere (HTTP error, DNS failure, no connection)."""
from __future__ import annotations

from typing import Iterator

from shopper.model import Finding

from . import Observations, check
from .registry import FindingKind

BROKEN_LINK = FindingKind("broken_link", "minor", "website",
                          fix="Fix or remove the link; if the target moved, redirect the old URL.",
                          summary="A link a customer can click leads nowhere (major when its host does not answer).")


@check("broken_link", kinds=[BROKEN_LINK])
def broken_link(obs: Observations) -> Iterator[Finding]:
    for o in obs.of_kind("link"):
        d = o.data
        if d["ok"] or d.get("purpose"):   # links with a purpose have their own check (e.g. tracking)
            continue
        why = f"HTTP {d['status']}" if d.get("status") else (d.get("error") or "unreachable")
        yield Finding.of("broken_link", severity="major" if d.get("error") else "minor", journey=o.journey,
                         step=o.step, subject=obs.site_relative(o.journey, d["url"]), title=f"Broken link to {d['url']} ({why})",
                         detail=f"Link “{d.get('text') or d['url']}” on {d['page']}: {why}", data=dict(d))
