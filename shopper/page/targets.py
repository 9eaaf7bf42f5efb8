"""How a step names an element: a CSS/Playwright selector, visible text, a label, a placeholder or an ARIA role."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..errors import StepError
from .text import text_matcher


@dataclass(frozen=True)
class Targeted:
    """Mixin for steps that act on one element. Give exactly one of selector/text/label/placeholder/role.

    `text`, `label`, `placeholder` and `named` accept `/regex/i` for sites whose wording varies.
    """

    selector: str | None = None
    text: str | None = None
    label: str | None = None
    placeholder: str | None = None
    role: str | None = None
    named: str | None = None
    nth: int | None = None

    TARGET_KEYS = ("selector", "text", "label", "placeholder", "role")

    def target_problems(self, required: bool = True) -> list[str]:
        given = [k for k in self.TARGET_KEYS if getattr(self, k) is not None]
        if len(given) > 1:
            return [f"give only one of {', '.join(self.TARGET_KEYS)} (got {', '.join(given)})"]
        if required and not given:
            return [f"missing the element: give one of {', '.join(self.TARGET_KEYS)}"]
        if self.named is not None and self.role is None:
            return ["'named' goes with 'role' (e.g. role: button, named: Send)"]
        return []

    def problems(self) -> list[str]:
        """Checked by the loader; kinds whose element is optional override this."""
        return self.target_problems(required=True)

    def has_target(self) -> bool:
        return any(getattr(self, k) is not None for k in self.TARGET_KEYS)

    def describe_target(self, ctx: Any) -> str:
        """'role 'button' named 'Send'', with `${...}` values as shown (secrets masked): a message never
        prints a variable's name where the customer-facing value belongs."""
        def shown(v: str) -> str:
            try:
                return ctx.display(v)
            except StepError:  # an undefined value: the text as written still says what was meant
                return v
        for k in self.TARGET_KEYS:
            v = getattr(self, k)
            if v is not None:
                extra = f" named {shown(self.named)!r}" if k == "role" and self.named else ""
                return f"{k} {shown(v)!r}{extra}"
        return "the page"

    def locate(self, ctx: Any) -> Any:
        """A Playwright locator for the target (values resolved through the context)."""
        page = ctx.page
        if self.selector is not None:
            loc = page.locator(ctx.value(self.selector))
        elif self.text is not None:
            loc = page.get_by_text(text_matcher(ctx.value(self.text)))
        elif self.label is not None:
            loc = page.get_by_label(text_matcher(ctx.value(self.label)))
        elif self.placeholder is not None:
            loc = page.get_by_placeholder(text_matcher(ctx.value(self.placeholder)))
        elif self.role is not None:
            kw = {"name": text_matcher(ctx.value(self.named))} if self.named else {}
            loc = page.get_by_role(ctx.value(self.role), **kw)
        else:
            loc = page.locator("body")
        return loc.nth(self.nth) if self.nth is not None else loc.first
