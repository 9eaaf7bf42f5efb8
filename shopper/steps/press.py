"""`press`: press a key, in an element or on the page."""
from __future__ import annotations

from .registry import step_kind
from ..page.targets import Targeted


@step_kind("press", shorthand="key")
class Press(Targeted):
    """Press a key (Playwright key names: Enter, Tab, Escape, Control+A...).

        - press: Enter
        - press: {key: Enter, label: Search}
    """

    acts = True   # the page reacts: the runner waits for it to settle (shopper.probes.settle)

    key: str = "Enter"

    def problems(self) -> list[str]:
        return self.target_problems(required=False)

    def run(self, ctx) -> str:
        key = ctx.value(self.key)
        if self.has_target():
            self.locate(ctx).press(key, timeout=ctx.timeout_ms)
        else:
            ctx.page.keyboard.press(key)
        return f"pressed {key}"
