"""`submit_form`: fill a form as autofill would (explicit fields win) and press its button, as often as a customer would."""
from __future__ import annotations

import re

from ..autofill.fill import autofill, press
from ..autofill.page import read_forms
from ..errors import StepError
from .registry import step_kind
from ..page.text import text_matcher

DEFAULT_SUBMIT = "/submit|send|pay|continue/i"


@step_kind("submit_form", writes="always")
class SubmitForm:
    """Fill the form with the shopper's persona (autofill: name, email, phone, address, test card...),
    then the `fields` given (by field kind such as `message` or `order_number`, or by label, `/regex/i`
    allowed), and click the button named `submit` (default: the form's submit button). `times` repeats
    it while the form is still there (a customer retrying a declined payment). A required field
    nobody can fill fails the step at once, naming the field and the setting that would fill it; a
    field given by label must exist, one given by kind is filled when the form has one.

        - submit_form:
            fields: {message: "My kettle arrived with a dent.", "/card number/i": "${declined_card}"}
            submit: "/^pay/i"
            times: 4
    """

    acts = True   # the page reacts: the runner waits for it to settle (shopper.probes.settle)

    fields: dict[str, str] | None = None
    submit: str = DEFAULT_SUBMIT
    times: int | str = 1       # a number, or a ${variable} holding one (e.g. the site's retry count)
    form: str | None = None    # a selector for the form, when the page has several and the button does not tell
    optional: bool = False     # a page with no form to fill (the status is shown at once) passes

    def problems(self) -> list[str]:
        if isinstance(self.times, int) and self.times < 1:
            return ["'times' must be at least 1"]
        return []

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
        button = text_matcher(ctx.value(self.submit))
        scope = ctx.value(self.form) if self.form else None
        done = 0
        for attempt in range(self._times(ctx)):
            if attempt and not _has_button(page, button, scope):
                break   # the form is gone: nothing more to retry
            if not attempt and self.optional and not _has_form(page, scope):
                ctx.record("form_absent", {"url": page.url})
                return f"no form on {page.url}: nothing to submit"
            filled = autofill(ctx, self.fields or {}, button=button, scope=scope)
            press(ctx, filled, button)
            page.wait_for_load_state("load", timeout=t)
            done += 1
            ctx.record("form_submitted", {"url": page.url, "attempt": done})
        if not done:
            raise StepError("the form was not submitted")
        return f"submitted {done} time(s)"


def _has_button(page, button, scope) -> bool:
    for form in read_forms(page, scope):
        for b in form.buttons:
            if (button.search(b["text"]) if isinstance(button, re.Pattern) else button.lower() in b["text"].lower()):
                return True
    return False


def _has_form(page, scope) -> bool:
    from ..autofill.classify import classify

    return any(any(classify(f.info).kind not in ("search", "skip", None) for f in form.fields)
               for form in read_forms(page, scope))
