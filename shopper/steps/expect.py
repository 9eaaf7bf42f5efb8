"""`expect`: assert what a customer should see: text, an element, the URL, the title, the HTTP status."""
from __future__ import annotations

import re

from ..errors import StepError
from .registry import step_kind
from .soft import Soft, within_region
from ..page.targets import Targeted
from ..page.text import text_matcher
from .wait import url_matches


def _contains(pattern: str) -> re.Pattern[str]:
    m = text_matcher(pattern)
    return m if isinstance(m, re.Pattern) else re.compile(re.escape(m))


@step_kind("expect", shorthand="text", writes="never")
class Expect(Soft, Targeted):
    """Assert one or more things about the page; retries until the step timeout.

        - expect: "Thank you"                       # the page shows this text
        - expect: {text: "/thank you|merci/i"}
        - expect: {role: heading, named: Contact}   # the element is visible
        - expect: {selector: ".error", hidden: true}
        - expect: {url: "**/orders/*", title: "/Order/", status: 200}
        - expect: {text: "/phone|call us/i", finding: expectation_unmet, severity: minor}
    `text` here is text on the page (not a target); use `within` to look in one region only
    (`within: main`), or give it a duration (`within: 2s`) to give up after that long.
    With `finding:` and/or `severity:` it is a soft check: when it does not hold, a finding of that
    kind (default `expectation_unmet`, or one the journey declares under `findings:`) is recorded and
    the journey goes on, after `within:` / `timeout:`, else `browser.soft_timeout` (5s), not the step timeout.
    """

    within: str | None = None
    hidden: bool = False
    url: str | None = None
    title: str | None = None
    status: int | None = None

    def problems(self) -> list[str]:
        if not (self.has_target() or self.url or self.title or self.status is not None):
            return ["nothing to expect: give text, an element (selector/label/role), url, title or status"]
        probs = [p for p in self.target_problems(required=False)]
        return probs

    def run(self, ctx) -> str:
        from playwright.sync_api import expect as pw_expect   # here: loading the step kinds needs no browser

        t = ctx.timeout_ms
        page = ctx.page
        checked = []
        if self.text is not None:
            within = within_region(self)
            region = page.locator(ctx.value(within)).first if within else page.locator("body")
            want = ctx.value(self.text)
            try:
                if self.hidden:
                    pw_expect(region).not_to_contain_text(_contains(want), timeout=t)
                else:
                    pw_expect(region).to_contain_text(_contains(want), timeout=t)
            except AssertionError:
                verb = "still shows" if self.hidden else "does not show"
                raise StepError(f"{page.url} {verb} the text {ctx.display(self.text)!r}") from None
            checked.append(f"text {ctx.display(self.text)!r}")
        elif self.has_target():
            loc = self.locate(ctx)
            try:
                if self.hidden:
                    pw_expect(loc).to_be_hidden(timeout=t)
                else:
                    pw_expect(loc).to_be_visible(timeout=t)
            except AssertionError:
                raise StepError(f"{self.describe_target(ctx)} is {'visible' if self.hidden else 'not visible'}"
                                f" on {page.url}") from None
            checked.append(f"{self.describe_target(ctx)} {'hidden' if self.hidden else 'visible'}")
        if self.url is not None:
            pattern = ctx.value(self.url)
            try:
                page.wait_for_url(lambda u: url_matches(pattern, u), timeout=t)
            except Exception:
                raise StepError(f"the URL is {page.url}, expected {pattern!r}") from None
            checked.append(f"url {pattern!r}")
        if self.title is not None:
            try:
                pw_expect(page).to_have_title(_contains(ctx.value(self.title)), timeout=t)
            except AssertionError:
                raise StepError(f"the title is {page.title()!r}, expected {ctx.display(self.title)!r}") from None
            checked.append(f"title {ctx.display(self.title)!r}")
        if self.status is not None:
            if ctx.state.last_status != self.status:
                raise StepError(f"the last page answered {ctx.state.last_status}, expected {self.status}")
            checked.append(f"status {self.status}")
        return "saw " + ", ".join(checked)
