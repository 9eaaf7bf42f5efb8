"""`check_tracking`: does a tracking link work for a real order (the courier's page included)?"""
from __future__ import annotations

import logging
from urllib.parse import urljoin

from .registry import step_kind
from ..page.targets import Targeted

log = logging.getLogger(__name__)


@step_kind("check_tracking", writes="never")
class CheckTracking(Targeted):
    """Follow a tracking link — `url` (a value), or the `href` of an element on the page — fetch it,
    open it in the browser, and expect it to show `shows` (e.g. the order number). A dead link, an
    error page or a page that does not show the order becomes a `tracking_broken` finding.

        - check_tracking: {role: link, named: "/track|follow/i", shows: "${order_no}"}
        - check_tracking: {url: "${tracking_url}", shows: "${order_no}"}
    With `if_present: true` a page without the element (an order not shipped yet) passes and is noted.
    """

    url: str | None = None
    shows: str | None = None
    if_present: bool = False   # no such element on the page (an order not shipped yet): recorded, not a failure

    @property
    def uses_page(self) -> bool:
        return True

    def problems(self) -> list[str]:
        if (self.url is None) == (not self.has_target()):
            return ["give either 'url' or an element (selector/text/label/role) whose link to follow"]
        return self.target_problems(required=False)

    def run(self, ctx) -> str:
        if self.if_present and not self.url and not self.locate(ctx).count():
            ctx.record("tracking_absent", {"page": ctx.page.url, "looked_for": self.describe_target(ctx)})
            return f"no tracking link on {ctx.page.url} ({self.describe_target(ctx)})"
        url = ctx.value(self.url) if self.url else self.locate(ctx).get_attribute("href", timeout=ctx.timeout_ms)
        if not url:
            return self._record(ctx, "", False, None, "the tracking element has no link")
        url = urljoin(ctx.page.url, url) if ctx.page is not None else url
        if not ctx.may_follow(url, "check_tracking"):   # recorded as link_refused: not the courier's fault
            return f"tracking {url}: not followed (the reach policy refused it)"
        link = ctx.probes.links.check(url, ctx.state.reach)
        if link.refused:   # a redirect to where the policy does not let us go
            ctx.record("link_refused", {"url": link.final_url or url, "reason": link.refused, "via": "check_tracking"})
            return f"tracking {url}: not followed ({link.refused})"
        if not link.ok:
            why = f"HTTP {link.status}" if link.status else (link.error or "unreachable")
            self._visit(ctx, url)   # the screenshot shows what the customer got: the error page
            return self._record(ctx, url, False, link.status, why)
        try:
            response = ctx.page.goto(url, timeout=ctx.timeout_ms, wait_until="load")
        except Exception as e:  # Playwright navigation errors: the customer sees no page
            return self._record(ctx, url, False, None, str(e).splitlines()[0])
        status = response.status if response is not None else None
        if status is not None and status >= 400:
            return self._record(ctx, url, False, status, f"the tracking page answered HTTP {status}")
        if self.shows:
            want = ctx.value(self.shows)
            body = ctx.page.locator("body")
            try:
                body.filter(has_text=want).wait_for(timeout=ctx.timeout_ms)
            except Exception:  # the page never showed it: that is the finding
                return self._record(ctx, url, False, status, f"the tracking page does not show {ctx.display(self.shows)!r}")
        return self._record(ctx, url, True, status, None)

    @staticmethod
    def _visit(ctx, url: str) -> None:
        """Open the dead link as a customer would; the browser then shows its own error page."""
        if ctx.page is None:
            return
        try:
            ctx.page.goto(url, timeout=ctx.timeout_ms, wait_until="load")
        except Exception as e:  # a dead link fails to load: the browser's error page is the evidence
            log.debug("tracking link %s did not load: %s", url, str(e).splitlines()[0] if str(e) else e)

    def _record(self, ctx, url: str, ok: bool, status: int | None, error: str | None) -> str:
        evidence = ()
        if not ok and ctx.page is not None:
            evidence = (ctx.screenshot("tracking"),)
        ctx.record("tracking", {"url": url, "ok": ok, "status": status, "error": error, "page": ctx.state.last_url},
                   evidence=evidence)
        return f"tracking {url}: ok" if ok else f"tracking {url}: {error}"
