"""`submit_form`: fill fields by their labels and press the submit button, as often as a customer would."""
from __future__ import annotations

from ..errors import StepError
from .registry import step_kind
from .targets import text_matcher


@step_kind("submit_form")
class SubmitForm:
    """Fill each field (found by its label; `/regex/i` allowed) and click the button named `submit`;
    `times` repeats it while the form is still there (a customer retrying a declined payment).
    Values may use `${variables}` and `${secret:ENV}`.

        - submit_form:
            fields: {"/card number/i": "${declined_card}", "/expiry/i": "12/30", "/cvc/i": "123"}
            submit: "/^pay/i"
            times: 4
    """

    fields: dict[str, str] | None = None
    submit: str = "/submit|send|pay|continue/i"
    times: int | str = 1       # a number, or a ${variable} holding one (e.g. the site's retry count)

    def problems(self) -> list[str]:
        probs = [] if self.fields else ["'fields' needs at least one label: value"]
        if isinstance(self.times, int) and self.times < 1:
            probs.append("'times' must be at least 1")
        return probs

    def _times(self, ctx) -> int:
        try:
            n = int(ctx.value(str(self.times)))
        except ValueError:
            raise StepError(f"'times' must be a whole number, got {ctx.display(str(self.times))!r}") from None
        if n < 1:
            raise StepError(f"'times' must be at least 1, got {n}")
        return n

    def run(self, ctx) -> str:
        page, t = ctx.page, ctx.timeout_ms
        done = 0
        for attempt in range(self._times(ctx)):
            button = page.get_by_role("button", name=text_matcher(ctx.value(self.submit)))
            if attempt and not button.count():
                break   # the form is gone: nothing more to retry
            for label, value in (self.fields or {}).items():
                field = page.get_by_label(text_matcher(ctx.value(label))).first
                if ctx.has_secret(value):
                    ctx.state.secret_selectors.append(field)
                field.fill(ctx.value(value), timeout=t)
            button.first.click(timeout=t)
            page.wait_for_load_state("load", timeout=t)
            done += 1
            ctx.record("form_submitted", {"url": page.url, "attempt": done})
        if not done:
            raise StepError("the form was not submitted")
        return f"submitted {done} time(s)"
