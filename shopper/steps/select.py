"""`select`: choose an option of a <select> by its value or visible label."""
from __future__ import annotations

from .registry import step_kind
from ..page.targets import Targeted


@step_kind("select")
class Select(Targeted):
    """Choose an option.

        - select: {label: Topic, option: Billing}
    """

    acts = True   # the page reacts: the runner waits for it to settle (shopper.probes.settle)

    option: str | None = None

    def problems(self) -> list[str]:
        return self.target_problems() + ([] if self.option is not None else ["missing 'option': the value or label to choose"])

    def run(self, ctx) -> str:
        loc = self.locate(ctx)
        option = ctx.value(self.option)
        is_value = loc.evaluate("(el, v) => [...(el.options || [])].some(o => o.value === v)", option,
                                timeout=ctx.timeout_ms)
        if is_value:
            loc.select_option(value=option, timeout=ctx.timeout_ms)
        else:
            loc.select_option(label=option, timeout=ctx.timeout_ms)
        return f"selected {ctx.display(self.option)!r} in {self.describe_target(ctx)}"
