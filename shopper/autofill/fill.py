"""Autofill in the browser: pick the form, plan its values, type them in, and press its button."""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Mapping

from ..errors import StepError
from .classify import PERSONA_KINDS, classify
from .page import PageForm, read_forms
from .persona import Persona, persona_from
from .plan import Control, Plan, plan_form

ACT_TIMEOUT_MS = 5000   # the field is on the page already: no long waits


@dataclass
class Filled:
    form: PageForm
    plan: Plan

    def record(self) -> dict[str, Any]:
        return {"form": self.form.describe(),
                "fields": [{"field": a.title, "kind": a.kind, "value": a.shown(), "source": a.source}
                           for a in self.plan.actions],
                "left_empty": self.plan.unknown}


def persona_of(ctx: Any) -> Persona:
    """The journey's persona: its `${shopper_*}` variables, the site password from the environment."""
    env = ctx.state.variables.get("shopper_password_env") or "SHOPPER_SITE_PASSWORD"
    password = ctx.state.environ.get(env, "")
    if password:
        ctx.state.redactor.add(password)
    return persona_from(ctx.state.variables, password, ctx.state.variables.get("shopper_payment", "card"))


def _score(form: PageForm, explicit: Mapping[str, str], button: Any) -> tuple:
    kinds = [classify(f.info).kind for f in form.fields]
    useful = sum(k in PERSONA_KINDS or k in ("message", "order_number", "subject") for k in kinds)
    has_button = any(_button_matches(b, button) for b in form.buttons) if button is not None else bool(form.buttons)
    only_search = bool(kinds) and all(k in ("search", "skip", None) for k in kinds)
    return (has_button, not only_search, useful, len(form.fields))


def _button_matches(b: dict, matcher: Any) -> bool:
    if matcher is None:
        return b["submit"]
    if isinstance(matcher, re.Pattern):
        return bool(matcher.search(b["text"]))
    return matcher.lower() in b["text"].lower()


def choose_form(page: Any, explicit: Mapping[str, str], button: Any, scope: str | None = None) -> PageForm:
    """The form a customer would fill: one with the wanted button, then the most fields autofill knows."""
    forms = [f for f in read_forms(page, scope) if f.fields or f.buttons]
    if not forms:
        where = f" matching {scope!r}" if scope else ""
        raise StepError(f"no form{where} on {page.url}: the page shows no fields to fill")
    return max(forms, key=lambda f: _score(f, explicit, button))


def apply(ctx: Any, form: PageForm, plan: Plan) -> None:
    """Type the planned values in; fields holding secrets or card data are masked in screenshots."""
    page = ctx.page
    by_index = {f.index: f for f in form.fields}
    for a in plan.actions:
        loc = by_index[a.index].locator(page)
        if a.kind in ("cc_number", "cc_csc", "password") or ctx.state.redactor.contains_secret(a.value.encode()):
            ctx.state.secret_selectors.append(loc)
        try:
            if a.op == "select":
                loc.select_option(value=a.value, timeout=ACT_TIMEOUT_MS)
            elif a.op == "check":
                loc.check(timeout=ACT_TIMEOUT_MS, force=True)
            else:
                loc.fill(a.value, timeout=ACT_TIMEOUT_MS)
        except Exception as e:  # Playwright: the field went away or does not take input
            raise StepError(f"could not fill field '{a.title}' on {page.url}: {str(e).splitlines()[0]}") from None


def autofill(ctx: Any, explicit: Mapping[str, str], *, button: Any = None, scope: str | None = None,
             skip_kinds: tuple[str, ...] = (), fail_on_problems: bool = True, form_index: int | None = None,
             choose_radios: bool = False, payment: str = "card") -> Filled:
    """Fill the form a customer would fill on the current page; StepError naming every field it cannot.
    `choose_radios`: a checkout customer picks the first option of every group left open (shipping
    method) and the `payment` method (card, or text/`/regex/` naming an offline one)."""
    values = {k: ctx.value(v) for k, v in explicit.items()}
    keys = {ctx.value(k): v for k, v in values.items()}
    if form_index is None:
        form = choose_form(ctx.page, keys, button, scope)
    else:
        form = next(f for f in read_forms(ctx.page, scope) if f.index == form_index)
    controls = [Control(f.index, f.info, f.value, f.checked, f.readonly) for f in form.fields]
    plan = plan_form(controls, persona_of(ctx), keys, skip_kinds=skip_kinds, choose_radios=choose_radios,
                     payment=payment)
    if plan.problems and fail_on_problems:
        raise StepError(f"form {form.describe()} on {ctx.page.url}: " + "; ".join(plan.problems))
    apply(ctx, form, plan)
    filled = Filled(form, plan)
    ctx.record("form_filled", {"url": ctx.page.url, **filled.record()})
    return filled


def press(ctx: Any, filled: Filled, button: Any) -> str:
    """Click the form's button matching `button` (None: its submit button); the text clicked."""
    buttons = [b for b in filled.form.buttons if _button_matches(b, button)]
    if not buttons and button is not None:
        buttons = [b for b in filled.form.buttons if b["submit"]][:1]
    if not buttons:
        seen = ", ".join(repr(b["text"]) for b in filled.form.buttons) or "none"
        want = f"button named {button.pattern if isinstance(button, re.Pattern) else button!r}" if button else \
            "submit button"   # "has no {want}": a noun without its article ("has no a button" was the bug)
        raise StepError(f"form {filled.form.describe()} on {ctx.page.url} has no {want} (buttons: {seen})")
    b = buttons[0]
    filled.form.button(ctx.page, b).click(timeout=ACT_TIMEOUT_MS)
    return b["text"]
