"""Reading forms off a page: every visible control with its label, placeholder and nearby text, in one round trip."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .classify import FieldInfo

MARK = "data-shopper-field"
BUTTON_MARK = "data-shopper-button"

# Runs in the page. Marks each visible control with data-shopper-field=N so the filler can find it
# again, and describes it the way autofill sees it. Forms are scored so the caller can pick one.
_COLLECT = r"""
([mark, scopeSel]) => {
  const visible = el => {
    if (el.disabled) return false;
    const s = getComputedStyle(el);
    if (s.visibility === 'hidden' || s.display === 'none') return false;
    return el.getClientRects().length > 0;
  };
  const text = el => (el ? (el.innerText || el.textContent || '') : '').replace(/\s+/g, ' ').trim();
  const labelOf = el => {
    const parts = [];
    if (el.labels) for (const l of el.labels) parts.push(text(l));
    const by = el.getAttribute('aria-labelledby');
    if (by) for (const id of by.split(/\s+/)) parts.push(text(document.getElementById(id)));
    return parts.filter(Boolean).join(' ').slice(0, 200);
  };
  const nearbyOf = el => {
    let p = el.previousElementSibling;
    for (let i = 0; p && i < 3; i++, p = p.previousElementSibling) {
      const t = text(p); if (t) return t.slice(0, 120);
    }
    const parent = el.parentElement;
    if (parent) { const t = text(parent); if (t && t.length < 120) return t; }
    return '';
  };
  let nb = 0;
  const buttonsOf = root => [...root.querySelectorAll(
      'button, input[type=submit], input[type=button], input[type=image], a[role=button], [role=button]')]
    .filter(visible).map(b => { const i = nb++; b.setAttribute(mark.replace('field', 'button'), String(i));
                                return {index: i, text: (text(b) || b.value || b.getAttribute('aria-label') || b.title || '').slice(0, 80),
                                submit: b.tagName === 'BUTTON' ? (b.type || 'submit') === 'submit'
                                        : b.tagName === 'INPUT' && (b.type === 'submit' || b.type === 'image')}; });
  let roots = scopeSel ? [...document.querySelectorAll(scopeSel)] : [...document.forms];
  if (!scopeSel && !roots.length) roots = [document.body];
  let n = 0;
  const forms = [];
  roots.forEach((root, fi) => {
    const ctrls = [...root.querySelectorAll('input, select, textarea')];
    const fields = [];
    for (const el of ctrls) {
      if (!visible(el) && !(el.type === 'radio' || el.type === 'checkbox')) continue;
      if ((el.type === 'radio' || el.type === 'checkbox') && !visible(el) && !(el.labels && [...el.labels].some(visible))) continue;
      const idx = n++;
      el.setAttribute(mark, String(idx));
      fields.push({
        index: idx, tag: el.tagName.toLowerCase(), type: (el.getAttribute('type') || (el.tagName === 'INPUT' ? 'text' : el.tagName.toLowerCase())).toLowerCase(),
        name: el.name || '', id: el.id || '', autocomplete: el.getAttribute('autocomplete') || '',
        label: labelOf(el), placeholder: el.getAttribute('placeholder') || '', aria_label: el.getAttribute('aria-label') || '',
        nearby: nearbyOf(el), required: el.required || el.getAttribute('aria-required') === 'true',
        options: el.tagName === 'SELECT' ? [...el.options].map(o => [o.value, text(o) || o.label]) : [],
        maxlength: el.maxLength > 0 ? el.maxLength : null, value: el.type === 'password' ? '' : (el.value || ''),
        checked: !!el.checked, readonly: !!el.readOnly,
      });
    }
    const heading = root.querySelector('legend, h1, h2, h3, h4');
    forms.push({index: fi, id: root.id || '', action: root.getAttribute('action') || '', fields,
                buttons: buttonsOf(root), heading: heading ? text(heading).slice(0, 80) : '',
                text: text(root).slice(0, 300)});
  });
  return forms;
}
"""


@dataclass
class PageField:
    """A control on the page: what autofill reads (`info`) and its current state."""

    index: int
    info: FieldInfo
    value: str
    checked: bool
    readonly: bool

    def locator(self, page: Any) -> Any:
        return page.locator(f"[{MARK}='{self.index}']")


@dataclass
class PageForm:
    index: int
    id: str
    action: str
    fields: list[PageField]
    buttons: list[dict]
    heading: str
    text: str

    def button(self, page: Any, button: dict) -> Any:
        return page.locator(f"[{BUTTON_MARK}='{button['index']}']")

    def describe(self) -> str:
        name = f"#{self.id}" if self.id else (f"“{self.heading}”" if self.heading else f"form {self.index + 1}")
        return f"{name} ({len(self.fields)} fields)"


def read_forms(page: Any, scope: str | None = None) -> list[PageForm]:
    """Every form on the page (or the elements matching `scope`), with their visible controls."""
    raw = page.evaluate(_COLLECT, [MARK, scope])
    forms = []
    for f in raw:
        fields = [PageField(d["index"], FieldInfo(tag=d["tag"], type=d["type"], name=d["name"], id=d["id"],
                                                  autocomplete=d["autocomplete"], label=d["label"],
                                                  placeholder=d["placeholder"], aria_label=d["aria_label"],
                                                  nearby=d["nearby"], required=bool(d["required"]),
                                                  options=tuple((o[0], o[1]) for o in d["options"]),
                                                  maxlength=d["maxlength"]),
                            d["value"], d["checked"], d["readonly"]) for d in f["fields"]]
        forms.append(PageForm(f["index"], f["id"], f["action"], fields, f["buttons"], f["heading"], f["text"]))
    return forms
