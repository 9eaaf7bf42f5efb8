"""Choosing an option of an ARIA combobox as a customer does (WAI-ARIA APG combobox pattern).

The combobox (`role=combobox`: a button or a text box) opens a popup `role=listbox` (named by its
`aria-controls`/`aria-owns`, else the listbox that became visible) whose `role=option`s show only
once open. We open it, read the options (a disabled placeholder is skipped), pick by value or text,
type to filter when the box is editable and the option is not in the first view, and click it.
"""
from __future__ import annotations

import re
from typing import Any

from ..errors import StepError
from .classify import FieldInfo, option_index

ACT_TIMEOUT_MS = 5000

_OPTIONS = r"""els => els.map(o => [o.getAttribute('data-value') || o.getAttribute('value') || o.id || '',
  (o.innerText || o.textContent || '').replace(/\s+/g, ' ').trim(),
  o.getAttribute('aria-disabled') === 'true' || o.hasAttribute('data-disabled') || o.hasAttribute('disabled')])"""


def _listbox(page: Any, combo: Any) -> Any:
    for attr in ("aria-controls", "aria-owns"):
        ids = (combo.get_attribute(attr, timeout=ACT_TIMEOUT_MS) or "").split()
        if ids:
            sel = ", ".join(f'[id="{i}"]' for i in ids)
            lb = page.locator(sel).locator("xpath=descendant-or-self::*[@role='listbox']").first
            try:
                lb.wait_for(state="visible", timeout=ACT_TIMEOUT_MS)
                return lb
            except Exception:  # the id named no listbox (some widgets point at a wrapper): look for it
                break
    lb = page.locator("[role=listbox]:visible").last
    lb.wait_for(state="visible", timeout=ACT_TIMEOUT_MS)
    return lb


def _read(listbox: Any) -> list[tuple[str, str, bool]]:
    return [tuple(o) for o in listbox.locator("[role=option]").evaluate_all(_OPTIONS)]


def choose_option(ctx: Any, combo: Any, action: Any, editable: bool = False) -> str:
    """Open the combobox, pick the option `action.choices` names (none: the first real option) and
    return its text; StepError naming the options when none fits."""
    page = ctx.page
    combo.click(timeout=ACT_TIMEOUT_MS)
    try:
        listbox = _listbox(page, combo)
    except Exception as e:  # Playwright: nothing opened
        raise StepError(f"field '{action.title}' on {page.url} opened no list of options: "
                        f"{str(e).splitlines()[0]}") from None
    options = _read(listbox)
    index = _pick(options, list(action.choices))
    if index is None and editable and action.choices:
        typed = _typeable(action.choices)
        if typed:   # type to filter, as a customer does with a long list
            combo.fill(typed, timeout=ACT_TIMEOUT_MS)
            ctx.settle()
            listbox = _listbox(page, combo)
            options = _read(listbox)
            index = _pick(options, list(action.choices))
    if index is None:
        page.keyboard.press("Escape")
        shown = ", ".join(t for _, t, _ in options[:12]) or "none"
        want = " / ".join(action.choices[:1]) or "a choice"
        raise StepError(f"field '{action.title}' on {page.url} offers no option for {want} (options: {shown})")
    listbox.locator("[role=option]").nth(index).click(timeout=ACT_TIMEOUT_MS)
    return options[index][1]


def _pick(options: list[tuple[str, str, bool]], wanted: list[str]) -> int | None:
    usable = [i for i, (_, _, disabled) in enumerate(options) if not disabled]
    if not usable:
        return None
    if not wanted:   # a required choice nobody named: the first real option
        return usable[0]
    found = option_index(FieldInfo(tag="select", options=tuple((options[i][0], options[i][1]) for i in usable)),
                         wanted)
    return usable[found] if found is not None else None


def _typeable(choices: tuple[str, ...]) -> str:
    """Text to type into an editable combobox: the first wanted value that is plain words."""
    for c in choices:
        if c and re.fullmatch(r"[\w .,'-]+", c) and len(c) > 1:
            return c
        first = re.split(r"\|", c)[0]
        if re.fullmatch(r"[a-zà-ÿ .'-]+", first, re.I) and len(first) > 2:
            return first
    return ""
