"""`cancel_order`: cancel an order as its customer would, through the shop's own cancel route."""
from __future__ import annotations

import logging
import re
from typing import Any

from ..errors import JourneyBlocked, NotApplicable, StepError
from ..mail.order_notice import mentions_order
from .registry import step_kind
from ..page.text import text_matcher

log = logging.getLogger(__name__)
CANCEL = ("/cancel|stornier|annul|anular|cancelar|annulla|annuleer/i")
CONFIRM = (r"/\b(yes|confirm|cancel (the |my |this )?order|ja|best[äa]tig\w*|oui|confirmer|s[ií]|confirmar|conferma|"
           r"bevestig\w*)\b/i")
ORDER_PAGE = re.compile(r"order|status|account|bestellung|commande|pedido|ordine|bestelling", re.I)
LOOKED_FOR = ("a cancel link in the order's mails, a cancel button or link on the order page (the mail's order "
              "status link, or the profile's order_page_path) and in the account (account_path)")
TRUE = ("yes", "true", "1", "on")


@step_kind("cancel_order")
class CancelOrder:
    """Cancel the order `order` (default `${order_no}`) through the shop's own route, as a customer finds it:
    a cancel link in the mail `wait_for_mail` found, a cancel button or link on the order's page (the
    mail's order status links, or `order_page`, default the profile's `order_page_path`), then the account
    page (`account_path`). An "are you sure?" page or dialog is confirmed. When the shop offers a customer
    no way to cancel, the journey is `not_applicable` with that reason — or, with `required: true` (the site
    profile says the shop should let customers cancel), a `no_cancel_route` finding.

        - cancel_order: {required: "${cancel_required}"}
    """

    order: str = "${order_no}"
    named: str = CANCEL
    confirm: str = CONFIRM
    order_page: str | None = None
    required: str = "no"
    max_pages: int = 4

    def run(self, ctx) -> str:
        order_no = ctx.value(self.order).strip()
        if not order_no:
            raise StepError(f"no order number in {self.order!r}: put cancel_order after the step that places it")
        named = text_matcher(ctx.value(self.named))
        pages: list[str] = []
        for route, url in self._candidates(ctx, order_no, named)[: self.max_pages]:
            pages.append(url)
            if self._visit(ctx, url) and (route == "mail link" and self._confirm(ctx) or self._cancel_on(ctx, named)):
                return self._cancelled(ctx, order_no, route, url)
        reason = (f"the shop offers a customer no way to cancel order {order_no}: no cancel link in its mails, no "
                  f"cancel button on the order page{' or in the account' if self._account(ctx) else ''}")
        if ctx.value(self.required).strip().lower() in TRUE:
            ctx.record("route_missing", {"route": "cancel", "looked_for": LOOKED_FOR, "pages": pages,
                                         "order_no": order_no})
            raise JourneyBlocked(f"no cancel route for order {order_no}: looked for {LOOKED_FOR}")
        raise NotApplicable(reason)

    def _account(self, ctx) -> str | None:
        return ctx.state.variables.get("account_path")

    def _candidates(self, ctx, order_no: str, named: Any) -> list[tuple[str, str]]:
        """(route, url) in the order a customer tries them: the mail's cancel links, the order page, the account."""
        out: list[tuple[str, str]] = []
        links = [(u, t or "") for u, t in ((ctx.state.last_mail or {}).get("classification") or {}).get("links", [])]
        for url, text in links:
            if _matches(named, text) or _matches(named, url):
                out.append(("mail link", url))
        for url, text in links:
            if mentions_order(url, order_no) or ORDER_PAGE.search(url) or ORDER_PAGE.search(text):
                out.append(("order page", url))
        page = self.order_page or ctx.state.variables.get("order_page_path")
        if page:
            out.append(("order page", ctx.url(page)))
        if self._account(ctx):
            out.append(("account", ctx.url(self._account(ctx))))
        seen: set[str] = set()
        return [(r, u) for r, u in out if u.startswith(("http://", "https://")) and not (u in seen or seen.add(u))]

    def _visit(self, ctx, url: str) -> bool:
        try:
            response = ctx.page.goto(url, timeout=ctx.timeout_ms, wait_until="load")
        except Exception as e:  # a dead link: the next route is tried
            log.debug("cancel route %s did not open: %s", url, str(e).splitlines()[0] if str(e) else e)
            return False
        return response is None or response.status < 400

    def _cancel_on(self, ctx, named: Any) -> bool:
        """Click the page's cancel button or link (then confirm); False when it has none."""
        for role in ("button", "link"):
            control = ctx.page.get_by_role(role, name=named)
            if control.count():
                ctx.page.once("dialog", lambda d: d.accept())   # "Really cancel?" as a browser dialog
                control.first.click(timeout=ctx.timeout_ms)
                ctx.page.wait_for_load_state("load", timeout=ctx.timeout_ms)
                self._confirm(ctx)
                return True
        return False

    def _confirm(self, ctx) -> bool:
        """An "are you sure?" page: click its confirming button. True (cancelled) either way: the mail decides."""
        confirm = text_matcher(ctx.value(self.confirm))
        button = ctx.page.get_by_role("button", name=confirm)
        if button.count():
            ctx.page.once("dialog", lambda d: d.accept())
            button.first.click(timeout=ctx.timeout_ms)
            ctx.page.wait_for_load_state("load", timeout=ctx.timeout_ms)
        return True

    def _cancelled(self, ctx, order_no: str, route: str, url: str) -> str:
        said = ""
        try:
            said = " ".join(ctx.page.locator("body").inner_text(timeout=ctx.timeout_ms).split())[:300]
        except Exception as e:  # the page may be navigating; the cancellation notice decides
            log.debug("no page text after cancelling %s: %s", order_no, e)
        ctx.record("order_cancelled", {"order_no": order_no, "route": route, "url": url, "page": ctx.page.url,
                                       "page_says": said})
        return f"order {order_no} cancelled through the {route} ({url})"


def _matches(pattern: Any, text: str) -> bool:
    return bool(pattern.search(text)) if isinstance(pattern, re.Pattern) else pattern.lower() in text.lower()
