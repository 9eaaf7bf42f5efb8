"""`fill_form`: fill every visible field of a form with the shopper's persona, as a browser's autofill does."""
from __future__ import annotations

from ..autofill.fill import autofill
from .registry import step_kind


@step_kind("fill_form", shorthand="form")
class FillForm:
    """Fill the form a customer would fill on this page (or the one matching `form`) from the persona in
    `config.yaml` `shopper:`: the WHATWG `autocomplete` tokens first, then the input type, name/id,
    label, placeholder and nearby text (English, German, French, Spanish, Italian, Dutch). Selects
    (country) are chosen by option value or text. `fields` override by kind (`message`, `email`, ...)
    or by label. What was filled is recorded, card data masked. Nothing is submitted.

        - fill_form
        - fill_form: {fields: {message: "Where is my order ${order_no}?"}}
    """

    acts = True   # the page reacts: the runner waits for it to settle (shopper.probes.settle)

    form: str | None = None
    fields: dict[str, str] | None = None

    def run(self, ctx) -> str:
        filled = autofill(ctx, self.fields or {}, scope=ctx.value(self.form) if self.form else None)
        return f"filled {len(filled.plan.actions)} field(s) of {filled.form.describe()}"
