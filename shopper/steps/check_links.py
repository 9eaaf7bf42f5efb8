"""`check_links`: fetch every link of the page (or a region) and record which ones are broken."""
from __future__ import annotations

from urllib.parse import urldefrag

from ..errors import StepError
from .registry import step_kind
from .wait import url_matches

LOCAL_SCHEMES = ("file", "javascript", "data", "blob", "chrome", "chrome-extension", "about", "filesystem",
                 "view-source")
_COLLECT = """els => els.map(e => [e.href || '', (e.innerText || e.textContent || '').trim().slice(0, 120)])"""


@step_kind("check_links", shorthand="within", writes="never")
class CheckLinks:
    """Resolve and fetch every link in the page or in `within` (a selector); broken ones become
    `broken_link` findings with the status or DNS/connection error. `mailto:` addresses are recorded.

        - check_links                       # the whole page
        - check_links: footer
        - check_links: {within: main, exclude: ["**/logout*"], max_links: 100}
    """

    within: str | None = None
    exclude: list[str] | None = None
    max_links: int = 200
    from_mail: bool = False        # the links of the mail `wait_for_mail` found, not the page's
    match: str | None = None       # only links whose URL or text matches (`/track/i`)
    purpose: str | None = None     # e.g. `tracking`: broken ones are `tracking_broken`, not `broken_link`
    network_bound = True           # its time goes to fetching links: the watchdog holds it to the journey deadline

    @property
    def uses_page(self) -> bool:
        return not self.from_mail

    def run(self, ctx) -> str:
        if self.from_mail:
            mail = ctx.state.last_mail
            if mail is None:
                raise StepError("no mail to take links from: put `wait_for_mail` before `check_links: {from_mail: true}`")
            anchors = [[u, t] for u, t in mail["classification"].get("links", [])]
            page_url = f"mail: {mail['subject']}"
        else:
            within = ctx.value(self.within) if self.within else ""
            # a region is a preference: a page without it (no <footer>, no <main>) is searched whole
            scope = within + " " if within and ctx.page.locator(within).count() else ""
            anchors = ctx.page.locator(f"{scope}a[href]").evaluate_all(_COLLECT)
            page_url = ctx.page.url
        wanted = ctx.value(self.match) if self.match else None
        seen: dict[str, str] = {}
        for href, text in anchors:
            if href.startswith("mailto:"):
                ctx.record("address_seen", {"address": href[7:].split("?")[0], "page": page_url, "text": text})
                continue
            if not href.lower().startswith(("http://", "https://")):
                if href.split(":", 1)[0].lower() in LOCAL_SCHEMES:   # recorded, never opened
                    ctx.record("link_refused", {"url": href[:500], "reason": "link to a local resource "
                               f"({href.split(':', 1)[0].lower()}:), not followed", "via": "check_links",
                                                "page": page_url, "text": text})
                continue
            url = urldefrag(href)[0]
            if any(url_matches(p, url) for p in self.exclude or []):
                continue
            if wanted and not (url_matches(wanted, url) or url_matches(wanted, text)):
                continue
            seen.setdefault(url, text)
        urls = list(seen)[: self.max_links]
        results = ctx.probes.links.check_all(urls, ctx.state.reach)
        broken = refused = 0
        for r in results:
            if r.refused:   # the reach policy's: an observation, not a broken link
                refused += 1
                ctx.record("link_refused", {"url": r.final_url or r.url, "reason": r.refused, "via": "check_links",
                                            "page": page_url, "text": seen[r.url], "link": r.url})
                continue
            broken += not r.ok
            ctx.record("link", {"url": r.url, "page": page_url, "text": seen[r.url], "ok": r.ok,
                                "status": r.status, "error": r.error, "final_url": r.final_url,
                                "purpose": self.purpose})
        skipped = len(seen) - len(urls)
        return (f"{len(urls) - refused} links checked, {broken} broken"
                + (f", {refused} not followed (private address or port)" if refused else "")
                + (f", {skipped} over max_links" if skipped else ""))
