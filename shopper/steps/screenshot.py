"""`screenshot`: keep a picture of the page (or one element) as evidence."""
from __future__ import annotations

from .registry import step_kind
from ..page.targets import Targeted


@step_kind("screenshot", shorthand="name", writes="never")
class Screenshot(Targeted):
    """Take a screenshot; fields filled with secrets are masked.

        - screenshot: order-status
        - screenshot: {name: basket, full_page: true}
    """

    name: str = "screenshot"
    full_page: bool = False

    def problems(self) -> list[str]:
        return self.target_problems(required=False)

    def run(self, ctx) -> str:
        loc = self.locate(ctx) if self.has_target() else None
        path = ctx.screenshot(ctx.value(self.name), full_page=self.full_page, locator=loc)
        ctx.record("screenshot", {"name": ctx.display(self.name), "url": ctx.page.url}, evidence=(path,))
        return path
