"""What to put in each field of a form: persona values by kind, explicit `fields:` first (pure logic)."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Mapping

from .classify import (JOURNEY_KINDS, KINDS, PERSONA_KINDS, SKIP_KINDS, FieldInfo, classify_form, month_option,
                       select_option, words)
from . import payment as payments
from .persona import CONFIG_KEYS, Persona


@dataclass(frozen=True)
class Action:
    """Fill `value` into field `index` (select: the option's value; checkbox/radio: check it)."""

    index: int
    op: str                 # fill | select | check | choose (open a combobox, pick an option)
    value: str
    kind: str | None
    source: str             # explicit | autocomplete | type | name | label | ... | required
    title: str
    choices: tuple[str, ...] = ()   # choose (an ARIA combobox): option texts/values wanted, in order


    def shown(self) -> str:
        return Persona.shown(self.kind or "", self.value) if self.source != "explicit" or self.kind in (
            "cc_number", "cc_csc", "password") else self.value


@dataclass
class Plan:
    actions: list[Action] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)   # each names the field and what would fill it
    unknown: list[str] = field(default_factory=list)    # optional fields left empty
    payment_offered: list[str] = field(default_factory=list)   # methods a payment choice on the form offers
    payment: str | None = None                                  # the one picked (a preference entry)


@dataclass(frozen=True)
class Control:
    """The planner's view of a page control."""

    index: int
    info: FieldInfo
    value: str = ""
    checked: bool = False
    readonly: bool = False


def _matches(matcher: str | re.Pattern[str], f: FieldInfo) -> bool:
    texts = [f.title, f.label, f.aria_label, f.placeholder, f.name, f.id, words(f.name)]   # title: nearby text when unlabelled
    if isinstance(matcher, re.Pattern):
        return any(matcher.search(t) for t in texts if t)
    return any(matcher.lower() in t.lower() for t in texts if t)


def _exp_value(kind: str, f: FieldInfo, persona: Persona) -> str:
    month, _, year = persona.value("cc_exp").partition("/")
    month, year = month.strip().zfill(2), year.strip()
    long_year = year if len(year) == 4 else f"20{year}"
    hint = f"{f.placeholder} {f.label}".lower()
    if kind == "cc_exp_month":
        return month
    if kind == "cc_exp_year":
        return long_year if (f.maxlength or 4) >= 4 and not re.search(r"\byy\b|\baa\b|\bjj\b", hint) else year[-2:]
    if re.search(r"yyyy|aaaa|jjjj", hint) or (f.maxlength or 0) >= 7:
        return f"{month}/{long_year}"
    return f"{month}/{year[-2:]}"


def _value_for(kind: str, f: FieldInfo, persona: Persona) -> str:
    if kind in ("cc_exp", "cc_exp_month", "cc_exp_year"):
        return _exp_value(kind, f, persona) if persona.value("cc_exp") else ""
    return persona.value(kind)


def _select_choice(kind: str | None, c: Control, persona: Persona, given: str | None) -> str | None:
    f = c.info
    if given is not None:
        return select_option(f, [given, re.escape(given)])
    if kind == "country":
        return select_option(f, persona.country_choices())
    if kind == "cc_exp":   # one select of a month/year pair: its options tell which
        nums = [int(t) for _, t in f.options if t.strip().isdigit()]
        kind = "cc_exp_year" if nums and max(nums) > 12 else "cc_exp_month"
    if kind in ("cc_exp_month", "cc_exp_year"):
        v = _exp_value(kind, f, persona)
        shown = month_option(f, int(v)) if kind == "cc_exp_month" and v.isdigit() and 1 <= int(v) <= 12 else None
        return f.options[shown][0] if shown is not None else select_option(f, [v, v.lstrip("0"), v[-2:]])
    if kind and persona.value(kind):
        return select_option(f, [persona.value(kind), re.escape(persona.value(kind))])
    return None


def plan_form(controls: list[Control], persona: Persona, explicit: Mapping[str, str] | None = None,
              *, skip_kinds: tuple[str, ...] = (), choose_radios: bool = False, payment: str | list[str] = "card") -> Plan:
    """Decide a value for every control; required ones nobody can fill become problems."""
    from ..page.text import text_matcher   # `/regex/i` as in every step

    plan = Plan()
    explicit = dict(explicit or {})
    used: set[str] = set()
    radios_done: set[str] = set()
    classes = classify_form([c.info for c in controls])
    for c, cl in zip(controls, classes):
        f = c.info
        kind = cl.kind
        given: str | None = None
        for key, value in explicit.items():
            if (key in KINDS and kind == key) or (key not in KINDS and _matches(text_matcher(key), f)):
                given = value
                used.add(key)
                break
        if c.readonly and given is None:
            continue
        if f.type in ("checkbox", "radio"):
            _plan_choice(c, given, plan, radios_done, controls, choose_radios, payment)
            continue
        if kind in skip_kinds and given is None:
            continue
        if f.tag == "combobox":
            _plan_combobox(c, kind, cl.source, persona, given, plan)
            continue
        if f.tag == "select":
            choice = _select_choice(kind, c, persona, given)
            if choice is None and f.required and not c.value:
                choice = next((v for v, _ in f.options if v.strip()), None)
                if choice is not None:
                    plan.actions.append(Action(c.index, "select", choice, kind, "required", f.title))
                continue
            if choice is not None and choice != c.value:
                plan.actions.append(Action(c.index, "select", choice, kind, "explicit" if given is not None
                                           else cl.source, f.title))
            elif choice is None and given is not None:
                plan.problems.append(f"field '{f.title}' has no option {given!r} (options: "
                                     f"{', '.join(t for _, t in f.options[:12])})")
            continue
        if given is not None:
            plan.actions.append(Action(c.index, "fill", given, kind, "explicit", f.title))
            continue
        if c.value.strip():
            continue        # prefilled by the site: a browser's autofill leaves it too
        value = _value_for(kind, f, persona) if kind in PERSONA_KINDS else ""
        if value:
            plan.actions.append(Action(c.index, "fill", value, kind, cl.source, f.title))
        elif f.required:
            plan.problems.append(_why_unfilled(f, kind))
        elif kind not in SKIP_KINDS:
            plan.unknown.append(f.title)
    for key in explicit:
        if key not in used and key not in KINDS:   # by kind: "when the form has one"; by label: it must
            seen = ", ".join(sorted({c.info.title for c in controls if c.info.type not in ("hidden",)})[:15])
            what = f"{key} field" if key in KINDS else f"field labelled {key!r}"
            plan.problems.append(f"the form has no {what} (fields: {seen or 'none'})")
    return plan


def _combobox_wanted(kind: str | None, persona: Persona, given: str | None) -> list[str]:
    if given is not None:
        return [given, re.escape(given)]
    if kind == "country":
        return persona.country_choices()
    if kind in PERSONA_KINDS and persona.value(kind):
        return [persona.value(kind), re.escape(persona.value(kind))]
    return []


def _plan_combobox(c: Control, kind: str | None, source: str, persona: Persona, given: str | None,
                   plan: Plan) -> None:
    """An ARIA combobox (its options show only once opened): choose what the persona or the step wants;
    a required one nobody can fill gets its first real option, as with a required select."""
    f = c.info
    wanted = _combobox_wanted(kind, persona, given)
    shown = c.value.strip()
    placeholder = not shown or shown.rstrip(" *").lower() in {t.rstrip(" *").lower() for t in
                                                             (f.label, f.placeholder, f.aria_label) if t}
    if wanted and not placeholder and select_option(FieldInfo(options=(("", shown),)), wanted) is not None:
        return   # it shows the wanted value already
    if wanted:
        plan.actions.append(Action(c.index, "choose", wanted[0], kind, "explicit" if given is not None else source,
                                   f.title, choices=tuple(wanted)))
    elif placeholder and (f.required or kind in ("country", "region")):
        # a shop that asks for a region the persona has none for: its first real option, as a customer
        # would rather than be stopped; country/region comboboxes rarely say aria-required
        plan.actions.append(Action(c.index, "choose", "", kind, "required", f.title))


PAYMENT_GROUP = payments.PAYMENT_GROUP


def _plan_choice(c: Control, given: str | None, plan: Plan, radios_done: set[str], controls: list[Control],
                 choose: bool = False, payment: str | list[str] = "card") -> None:
    f = c.info
    if f.type == "checkbox":
        if (f.required or given is not None) and not c.checked:
            plan.actions.append(Action(c.index, "check", "on", None, "explicit" if given is not None else "required",
                                       f.title))
        return
    group = f.name or f"#{c.index}"
    if group in radios_done:
        return
    members = [m for m in controls if m.info.type == "radio" and (m.info.name or f"#{m.index}") == group]
    if given is not None:
        radios_done.add(group)
        plan.actions.append(Action(c.index, "check", "on", None, "explicit", f.title))
        return
    radios_done.add(group)
    pick = members[0]
    titles = [m.info.title for m in members]
    if choose and any(PAYMENT_GROUP.search(f"{t} {m.info.name}") for t, m in zip(titles, members)):
        plan.payment_offered = payments.offered(titles)
        hit = payments.pick(titles, payments.preference(payment))
        if hit is None:
            return   # none the shopper accepts: the checkout decides (not applicable, or blocked)
        pick, plan.payment = members[hit[0]], hit[1]
        if pick.checked:
            return
    elif any(m.checked for m in members) or not (choose or any(m.info.required for m in members)):
        return
    plan.actions.append(Action(pick.index, "check", "on", None, "required" if not choose else "choice",
                               pick.info.title))


def _why_unfilled(f: FieldInfo, kind: str | None) -> str:
    if kind in PERSONA_KINDS:
        return f"required field '{f.title}' is empty: set {CONFIG_KEYS[kind]} in config.yaml (persona key " \
               f"'{kind}')" + (" and export the password" if kind == "password" else "")
    if kind in JOURNEY_KINDS:
        return f"required field '{f.title}' needs a value from the journey: {CONFIG_KEYS[kind]}"
    return f"required field '{f.title}' is not one autofill knows (name={f.name or '?'}): give it in the step's " \
           f"`fields:` (e.g. fields: {{\"{f.title}\": \"...\"}})"
