"""`extract`: save text, an attribute or a regex group from the page into a variable."""
from __future__ import annotations

import re

from ..errors import StepError
from .registry import step_kind
from .soft import Soft
from ..page.targets import Targeted


def for_browser(pattern: re.Pattern[str]) -> re.Pattern[str]:
    """The browser's regex engine has no inline flags: `(?i)abc` becomes `abc` with re.I."""
    m = re.match(r"\(\?([aiLmsux]+)\)", pattern.pattern)
    if not m:
        return pattern
    flags = pattern.flags
    for f in m.group(1):
        flags |= {"i": re.I, "m": re.M, "s": re.S, "x": re.X}.get(f, 0)
    return re.compile(pattern.pattern[m.end():], flags)


@step_kind("extract", writes="never")
class Extract(Soft, Targeted):
    """Save a value for later steps (`${into}`). Without an element it reads the page's text.

        - extract: {selector: "#order-number", into: order_no}
        - extract: {regex: 'Order #?([A-Z]+-\\d+)', into: order_no}
        - extract: {selector: "a.track", attribute: href, into: tracking_url}
    With `regex`, the first group (or the whole match) is kept; it waits until the page matches.
    With `finding:`/`severity:` a value not found is a finding (the variable stays empty), not a failure.
    """

    into: str | None = None
    attribute: str | None = None
    regex: str | None = None

    def problems(self) -> list[str]:
        probs = self.target_problems(required=False)
        if self.into is None:
            probs.append("missing 'into': the variable to save the value in")
        elif not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", self.into):
            probs.append(f"'into' must name a variable (letters, digits, _), got {self.into!r}")
        if self.regex is not None:
            try:
                re.compile(self.regex)
            except re.error as e:
                probs.append(f"'regex' does not compile: {e}")
        return probs

    def defines(self) -> list[str]:
        return [self.into]

    def run(self, ctx) -> str:
        loc = self.locate(ctx)
        pattern = re.compile(ctx.value(self.regex)) if self.regex else None
        if self.attribute:
            value = loc.get_attribute(self.attribute, timeout=ctx.timeout_ms)
            if value is None:
                raise StepError(f"{self.describe_target(ctx)} has no attribute {self.attribute!r}")
        elif pattern is not None and not self.has_target():
            # wait until the page text matches, then read it once
            ctx.page.locator("body").filter(has_text=for_browser(pattern)).wait_for(timeout=ctx.timeout_ms)
            value = loc.inner_text(timeout=ctx.timeout_ms)
        else:
            value = loc.inner_text(timeout=ctx.timeout_ms)
        if pattern is not None:
            m = pattern.search(value)
            if not m:
                raise StepError(f"no match for {ctx.display(self.regex)!r} in {self.describe_target(ctx)}")
            value = m.group(1) if m.groups() else m.group(0)
        value = value.strip()
        ctx.set_var(self.into, value)
        ctx.record("extracted", {"name": self.into, "value": value[:500]})
        return f"{self.into} = {value[:80]!r}"
