"""`click`: click an element, named by selector, text, label, placeholder or role."""
from __future__ import annotations

from .registry import step_kind
from ..page.targets import Targeted


@step_kind("click", shorthand="selector")
class Click(Targeted):
    """Click an element; waits until it is visible and enabled.

        - click: "#subscribe"
        - click: {role: button, named: "/send|submit/i"}
        - click: {text: "Track your parcel"}
    """

    acts = True   # the page reacts: the runner waits for it to settle (shopper.probes.settle)

    def run(self, ctx) -> str:
        self.locate(ctx).click(timeout=ctx.timeout_ms)
        return f"clicked {self.describe_target(ctx)}"
