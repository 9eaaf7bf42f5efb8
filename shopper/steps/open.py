"""`open`: go to a URL (absolute, or relative to the site's base URL)."""
from __future__ import annotations

from ..errors import StepError
from .registry import step_kind


@step_kind("open", shorthand="url", writes="never")
class Open:
    """Open a page. An HTTP error does not fail the step (checks report it as `page_error`) unless
    `expect_status` is given.

        - open: /contact
        - open: {url: "${base_url}/orders/${order_no}", expect_status: 200}
    """

    acts = True   # the page reacts: the runner waits for it to settle (shopper.probes.settle)

    url: str
    expect_status: int | None = None

    def run(self, ctx) -> str:
        url = ctx.url(self.url)
        # a page written into the journey itself (`data:text/html,...`) is the author's, not content
        authored = "${" not in self.url and url.lower().startswith("data:")
        if not authored and not ctx.may_follow(url, "open"):
            raise StepError(f"{ctx.display(self.url)} was not opened: the reach policy refused it (an address "
                            "outside the audited site: allow it in network.allow, docs/security.md)")
        try:
            response = ctx.page.goto(url, timeout=ctx.timeout_ms, wait_until="load")
        except Exception as e:  # Playwright raises its own Error/TimeoutError types
            raise StepError(f"could not open {ctx.display(self.url)}: {str(e).splitlines()[0]}") from e
        status = response.status if response is not None else None
        ctx.state.last_status = status
        if self.expect_status is not None and status != self.expect_status:
            raise StepError(f"{ctx.page.url} answered {status}, expected {self.expect_status}")
        return f"{ctx.page.url} → {status}"
