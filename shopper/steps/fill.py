"""`fill`: type a value into a field; secret values are masked in screenshots and never traced."""
from __future__ import annotations

from .registry import step_kind
from ..page.targets import Targeted


@step_kind("fill")
class Fill(Targeted):
    """Fill a text field.

        - fill: {label: Email, value: "${shopper_email}"}
        - fill: {selector: "input[type=password]", value: "${secret:SHOP_PASSWORD}"}
    """

    acts = True   # the page reacts: the runner waits for it to settle (shopper.probes.settle)

    value: str | None = None

    def problems(self) -> list[str]:
        return self.target_problems() + ([] if self.value is not None else ["missing 'value': the text to type"])

    def run(self, ctx) -> str:
        loc = self.locate(ctx)
        secret = ctx.has_secret(self.value)
        if secret:
            ctx.state.secret_selectors.append(loc)
        value = ctx.value(self.value)
        if secret and ctx.withhold_secret(value, self.describe_target(ctx)):
            return f"left {self.describe_target(ctx)} empty"   # the run adds why (secret_withheld)
        loc.fill(value, timeout=ctx.timeout_ms)
        return f"filled {self.describe_target(ctx)} with {ctx.display(self.value)!r}"
