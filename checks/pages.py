"""page_error: an audited page or XHR answered 4xx/5xx, or the page threw an uncaught JavaScript error."""
from __future__ import annotations

from typing import Iterator
from urllib.parse import urlsplit

from shopper.model import Finding

from . import Observations, check
from .registry import FindingKind

PAGE_ERROR = FindingKind("page_error", "major", "website",
                         fix="Look at the server log (HTTP errors) or the browser console (script errors) for this page.",
                         summary="An audited page or request answered 4xx/5xx, or the page threw a JavaScript error.")


def _page_key(url: str) -> str:
    p = urlsplit(url)
    return f"{p.scheme}://{p.netloc}{p.path}"


def _screenshots(obs: Observations) -> dict[tuple[str, int | None], tuple[str, ...]]:
    return {(o.journey, o.step): o.evidence for o in obs.of_kind("error_screenshot")}


@check("page_error", kinds=[PAGE_ERROR])
def page_error(obs: Observations) -> Iterator[Finding]:
    shots = _screenshots(obs)
    # a step that found the site down (its home page 5xx) is said once, by site_unreachable
    down = {(o.journey, o.step) for o in obs.of_kind("site_unreachable")}
    for o in obs.of_kind("response"):
        d = o.data
        if (o.journey, o.step) in down:
            continue
        if d.get("audited") and d["status"] >= 400 and (d["type"] != "document" or d.get("main_frame", True)):
            what = "Page" if d["type"] == "document" else "Request"
            yield Finding.of("page_error", severity="major" if d["status"] >= 500 else "minor", journey=o.journey,
                             step=o.step, subject=f"http:{d['status']}:{obs.site_relative(o.journey, _page_key(d['url']))}",
                             title=f"{what} {d['url']} answered HTTP {d['status']}",
                             detail=f"{d['method']} {d['url']} ({d['type']}) → {d['status']}", data=dict(d),
                             evidence=shots.get((o.journey, o.step), ()))
    for o in obs.of_kind("js_error"):
        d = o.data
        first = (d.get("message") or "").splitlines()[0] if d.get("message") else "error"
        yield Finding.of("page_error", severity="major", journey=o.journey, step=o.step,
                         subject=f"js:{obs.site_relative(o.journey, _page_key(d['url']))}:{first[:200]}",
                         title=f"Uncaught JavaScript error on {d['url']}: {first[:160]}",
                         detail=(d.get("stack") or d.get("message") or ""), data=dict(d),
                         evidence=shots.get((o.journey, o.step), ()))
