"""tracking_broken: a customer cannot follow their parcel: dead courier link, error page, or no order shown."""
from __future__ import annotations

import re
from typing import Iterator
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from shopper.model import Finding

from . import Observations, check
from .registry import FindingKind

TRACKING_BROKEN = FindingKind("tracking_broken", "major", "tracking",
                              fix="Fix the courier integration: tracking links must open and show the order.",
                              summary="A customer cannot follow their parcel: dead courier link, error page, "
                                      "or no order shown.")


_PER_ORDER = re.compile(r"\d")   # a path segment or query value with a digit: an order, parcel or tracking number


def link_shape(url: str) -> str:
    """A tracking link without what differs per order, so that the same broken courier link keeps its
    fingerprint from order to order (each run places a new one).

    >>> link_shape("http://track.courier.test/KC-10003?id=77&lang=en#top")
    'http://track.courier.test/*?id=*&lang=en'
    """
    parts = urlsplit(url)
    path = "/".join("*" if _PER_ORDER.search(seg) else seg for seg in parts.path.split("/"))
    pairs = parse_qsl(parts.query, keep_blank_values=True)
    query = urlencode([(k, "*" if _PER_ORDER.search(v) else v) for k, v in pairs], safe="*")
    return urlunsplit((parts.scheme, parts.netloc, path, query, ""))


@check("tracking_broken", kinds=[TRACKING_BROKEN])
def tracking_broken(obs: Observations) -> Iterator[Finding]:
    for o in obs.of_kind("tracking"):
        d = o.data
        if not d["ok"]:
            yield Finding.of("tracking_broken", severity="major", journey=o.journey, step=o.step,
                             subject=link_shape(obs.site_relative(o.journey, d["url"])) if d["url"] else "(no link)",
                             title=f"Order tracking does not work: {d['url'] or 'no link'} ({d['error']})",
                             detail=f"Tracking link {d['url']} from {d.get('page') or 'the journey'}: {d['error']}",
                             evidence=o.evidence, data=dict(d))
    for o in obs.of_kind("link"):
        d = o.data
        if d.get("purpose") == "tracking" and not d["ok"]:
            why = f"HTTP {d['status']}" if d.get("status") else (d.get("error") or "unreachable")
            yield Finding.of("tracking_broken", severity="major", journey=o.journey, step=o.step,
                             subject=link_shape(obs.site_relative(o.journey, d["url"])),
                             title=f"Order tracking does not work: {d['url']} ({why})",
                             detail=f"Link “{d.get('text') or d['url']}” in {d['page']}: {why}", data=dict(d))
