"""`find_route`: reach a process's page as a customer would; no route is a finding, and the journey stops there."""
from __future__ import annotations

from typing import Literal

from ..errors import JourneyBlocked, StepError
from ..routes.find import LOOKED_FOR, SHOWS, Search, candidate_urls, mail_candidates
from .registry import step_kind

@step_kind("find_route", shorthand="route", writes="never")
class FindRoute:
    """Open the page of a route: `contact`, `newsletter`, `unsubscribe` or `order_status`. A path in the
    site profile (`contact_path`, `newsletter_path`, ...) or `path` wins; otherwise the route is found
    as a customer finds it: links in the mail the journey got (List-Unsubscribe, the confirmation's
    status link), then links and buttons on the site in six languages, main content first, navigation
    and footer included. Where no route exists that is a finding (`no_contact_route`, ...) naming what
    was looked for and where, and the rest of the journey is skipped.

        - find_route: contact
        - find_route: {route: order_status, path: "/orders/${order_no}"}
    """

    route: Literal["contact", "newsletter", "unsubscribe", "order_status"] = "contact"
    path: str | None = None
    max_pages: int = 6

    def run(self, ctx) -> str:
        given = self.path or ctx.state.variables.get(f"{self.route}_path")
        if given:
            return self._open(ctx, ctx.url(given), "profile" if not self.path else "path")
        search = Search(self.route)
        order_no = ctx.state.variables.get("order_no", "")
        for url in mail_candidates(self.route, ctx.state.last_mail, order_no)[: self.max_pages]:
            if ctx.may_follow(url, "find_route") and self._visit(ctx, url, search, from_mail=True):
                return self._found(ctx, "mail", search)
        base = ctx.state.base_url.rstrip("/")
        if not (base and ctx.page.url.startswith(base)) or search.pages:
            self._goto(ctx, ctx.url("/"))    # a customer starts from the shop's home page
        search.seen(ctx.page.url)
        if SHOWS[self.route](ctx.page) and self.route in ("contact", "newsletter"):
            return self._found(ctx, "page", search)
        home = ctx.page.url
        tried = 0
        for url in candidate_urls(self.route, ctx.page):
            if tried >= self.max_pages:
                break
            if url == home or not ctx.may_follow(url, "find_route"):
                continue
            tried += 1
            if self._visit(ctx, url, search):
                return self._found(ctx, "link", search)
        ctx.record("route_missing", {"route": self.route, "looked_for": LOOKED_FOR[self.route],
                                     "pages": search.pages})
        raise JourneyBlocked(f"no {self.route.replace('_', ' ')} route: looked for {LOOKED_FOR[self.route]} "
                             f"on {', '.join(search.pages) or 'no page'}")

    def _goto(self, ctx, url: str) -> int | None:
        try:
            response = ctx.page.goto(url, timeout=ctx.timeout_ms, wait_until="load")
        except Exception as e:  # Playwright navigation errors
            raise StepError(f"could not open {url}: {str(e).splitlines()[0]}") from None
        status = response.status if response is not None else None
        ctx.state.last_status = status
        return status

    def _visit(self, ctx, url: str, search: Search, from_mail: bool = False) -> bool:
        status = self._goto(ctx, url)
        search.seen(ctx.page.url)
        if status is not None and status >= 400:
            return False
        if self.route == "order_status":
            return bool(SHOWS[self.route](ctx.page, ctx.state.variables.get("order_no", ""), from_mail))
        return bool(SHOWS[self.route](ctx.page))

    def _open(self, ctx, url: str, via: str) -> str:
        status = self._goto(ctx, url)
        ctx.record("route_found", {"route": self.route, "via": via, "url": ctx.page.url, "status": status})
        return f"{self.route} route ({via}): {ctx.page.url} → {status}"

    def _found(self, ctx, via: str, search: Search) -> str:
        ctx.record("route_found", {"route": self.route, "via": via, "url": ctx.page.url, "pages": search.pages})
        return f"{self.route} route found ({via}): {ctx.page.url}"
