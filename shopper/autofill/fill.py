"""Autofill in the browser: pick the form, plan its values, type them in, and press its button."""
from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from typing import Any, Mapping

from ..errors import StepError
from .classify import PERSONA_KINDS, classify
from .combobox import choose_option
from .page import PageField, PageForm, read_forms
from .persona import Persona, persona_from
from .plan import Action, Control, Plan, plan_form

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


MAX_ACTIONS = 80   # a form that keeps growing (a re-render loop) is not filled for ever


def apply_action(ctx: Any, field: PageField, a: Action) -> str | None:
    """Put one planned value into the field as it is on the page now; the text shown afterwards
    (a combobox: the option chosen), None when a secret is withheld from this origin (the field stays empty).
    StepError when the field does not take it."""
    page = ctx.page
    if ctx.withhold_secret(a.value, a.title):   # a secret goes only to its own origin: left empty
        return None
    loc = field.locator(page)
    if a.kind in ("cc_number", "cc_csc", "password") or ctx.state.redactor.contains_secret(a.value.encode()):
        ctx.state.secret_selectors.append(loc)
    try:
        if a.op == "select":
            loc.select_option(value=a.value, timeout=ACT_TIMEOUT_MS)
        elif a.op == "check":
            if field.aria:
                loc.click(timeout=ACT_TIMEOUT_MS)   # an ARIA radio/checkbox: it flips when the page says so
            else:
                loc.check(timeout=ACT_TIMEOUT_MS, force=True)
        elif a.op == "choose":
            return choose_option(ctx, loc, a, editable=field.info.type == "editable")
        else:
            loc.fill(a.value, timeout=ACT_TIMEOUT_MS)
    except StepError:
        raise
    except Exception as e:  # Playwright: the field went away or does not take input
        raise StepError(f"could not fill field '{a.title}' on {page.url}: {str(e).splitlines()[0]}") from None
    return a.value


def apply(ctx: Any, form: PageForm, plan: Plan) -> None:
    """Type the planned values in (a plan made from one reading of the form)."""
    by_index = {f.index: f for f in form.fields}
    for a in plan.actions:
        apply_action(ctx, by_index[a.index], a)


def autofill(ctx: Any, explicit: Mapping[str, str], *, button: Any = None, scope: str | None = None,
             skip_kinds: tuple[str, ...] = (), fail_on_problems: bool = True, form_index: int | None = None,
             choose_radios: bool = False, payment: str | list[str] = "card") -> Filled:
    """Fill the form a customer would fill on the current page; StepError naming every field it cannot.
    `choose_radios`: a checkout customer picks the first option of every group left open (shipping
    method) and the `payment` method (card, or text/`/regex/` naming an offline one)."""
    values = {k: ctx.value(v) for k, v in explicit.items()}
    keys = {ctx.value(k): v for k, v in values.items()}
    if form_index is None:
        form = choose_form(ctx.page, keys, button, scope)
    else:
        form = next(f for f in read_forms(ctx.page, scope) if f.index == form_index)
    persona = persona_of(ctx)
    done: list[Action] = []
    seen: set[str] = set()
    plan = Plan()
    looked_again = False
    for _ in range(MAX_ACTIONS):
        # plan again after every value: a re-render may have replaced, added or removed fields
        # (a province list after the country, a card form after the payment choice)
        controls = [Control(f.index, f.info, f.value, f.checked, f.readonly) for f in form.fields]
        plan = plan_form(controls, persona, keys, skip_kinds=skip_kinds, choose_radios=choose_radios,
                         payment=payment)
        by_index = {f.index: f for f in form.fields}
        todo = [a for a in plan.actions if by_index[a.index].identity + a.op not in seen]
        if todo and plan.problems and fail_on_problems and not done \
                and not any(a.op in ("select", "choose", "check") for a in todo):
            break   # a required field nobody can fill: said before anything is typed
        if not todo:
            if not done or looked_again:
                break
            # a customer moves on from the last field: its blur may validate or fetch (shipping methods
            # once the address is complete); look at the form once more when that has settled
            looked_again = True
            ctx.page.evaluate("() => document.activeElement && document.activeElement.blur && "
                              "document.activeElement.blur()")
            ctx.settle()
            form = reread(ctx.page, scope, form)
            continue
        a = todo[0]
        field = by_index[a.index]
        seen.add(field.identity + a.op)
        shown = apply_action(ctx, field, a)
        if shown is None:   # withheld (recorded as secret_withheld): nothing typed
            continue
        done.append(dataclasses.replace(a, value=shown) if a.op == "choose" else a)
        if a.op != "fill":
            ctx.settle()   # a choice often changes the form (XHR, re-render)
        form = reread(ctx.page, scope, form)
    final = dataclasses.replace(plan, actions=done)
    if final.problems and fail_on_problems:
        raise StepError(f"form {form.describe()} on {ctx.page.url}: " + "; ".join(final.problems))
    filled = Filled(form, final)
    record = filled.record()
    if final.payment_offered:
        record["payment"] = {"offered": final.payment_offered, "chosen": final.payment}
    ctx.record("form_filled", {"url": ctx.page.url, **record})
    return filled


def reread(page: Any, scope: str | None, form: PageForm) -> PageForm:
    """The same form read again: by its id, else by its place among the page's forms."""
    forms = read_forms(page, scope)
    for f in forms:
        if form.id and f.id == form.id:
            return f
    return next((f for f in forms if f.index == form.index), form)


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
