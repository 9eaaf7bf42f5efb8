"""site_unreachable: the audited site is not there (no DNS, refused, TLS, 5xx home page) — one finding per site."""
from __future__ import annotations

import dataclasses
from typing import Iterator

from shopper.model import Finding, fingerprint

from . import Observations, check
from .registry import FindingKind

SITE_UNREACHABLE = FindingKind(
    "site_unreachable", "critical", "website",
    fix="Customers cannot reach the site at all: fix what the finding names (DNS record, web server or load "
        "balancer, TLS certificate, the home page's server error), then run the journeys again.",
    summary="The site could not be reached (its name does not resolve, it refuses connections, TLS fails, or its "
            "home page answers 5xx); the journeys that needed it could not start.")


@check("site_unreachable", kinds=[SITE_UNREACHABLE])
def site_unreachable(obs: Observations) -> Iterator[Finding]:
    by_site: dict[str, list] = {}
    for o in obs.of_kind("site_unreachable"):
        by_site.setdefault(o.data.get("origin") or o.data["host"], []).append(o)
    for site, seen in sorted(by_site.items()):
        host = seen[0].data["host"]
        first = seen[0]
        journeys = sorted({o.journey for o in seen})
        evidence = [e for j in obs.journeys if j.name in journeys for s in j.steps for e in s.evidence]
        f = Finding.of("site_unreachable", severity="critical", journey=first.journey, step=first.step,
                       subject=site, title=f"Site unreachable: {first.data['cause']}",
                       detail=first.data.get("error") or first.data["cause"], evidence=evidence[:3],
                       data={"host": host, "origin": site, "cause": first.data["cause"], "journeys": journeys})
        yield dataclasses.replace(f, fingerprint=fingerprint("site_unreachable", "*", site))   # one per site


def unreachable_journeys(obs: Observations) -> set[str]:
    """Journeys that stopped because their site could not be reached (their steps are not each a finding)."""
    return {o.journey for o in obs.of_kind("site_unreachable")}
