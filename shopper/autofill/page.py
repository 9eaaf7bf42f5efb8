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
([mark, scopeSel, everything]) => {
  const visible = el => {
    if (everything) return el.type !== 'hidden';   // a benchmark reads every control, shown or not
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
  const ownText = el => {   // the text right before the control in its parent (a bare text node)
    let t = '';
    for (let n = el.previousSibling; n && !t; n = n.previousSibling)
      if (n.nodeType === 3) t = n.textContent.replace(/\s+/g, ' ').trim();
    return t;
  };
  const nearbyOf = el => {
    let p = el.previousElementSibling;
    for (let i = 0; p && i < 3; i++, p = p.previousElementSibling) {
      if (p.matches && p.matches('input, select, textarea, button')) break;
      const t = text(p); if (t) return t.slice(0, 120);
    }
    const own = ownText(el); if (own) return own.slice(0, 120);
    // the parent's text, unless the parent holds other controls (its text is their labels too)
    const parent = el.parentElement;
    if (parent && parent.querySelectorAll('input:not([type=hidden]), select, textarea').length <= 1) {
      const t = text(parent); if (t && t.length < 120) return t;
    }
    // as Chromium infers labels: the cell before a table cell, the element before a wrapping div
    for (let a = el.parentElement, i = 0; a && i < 3; a = a.parentElement, i++) {
      if (a.tagName === 'TD' || a.tagName === 'TH') {
        const prev = a.previousElementSibling; const t = text(prev);
        if (t) return t.slice(0, 120);
        break;
      }
      if (a.querySelectorAll('input, select, textarea').length > 1) break;
      const prev = a.previousElementSibling;
      if (prev && !prev.querySelector('input, select, textarea')) { const t = text(prev); if (t) return t.slice(0, 120); }
    }
    return '';
  };
  let nb = 0;
  const buttonsOf = (root, looseOnly) => [...root.querySelectorAll(
      'button, input[type=submit], input[type=button], input[type=image], a[role=button], [role=button]')]
    .filter(b => visible(b) && !/^(combobox|radio|checkbox|switch|option|tab|menuitem)/.test(b.getAttribute('role') || '')
                 && !(looseOnly && b.closest('form')))
    .map(b => { const i = nb++; b.setAttribute(mark.replace('field', 'button'), String(i));
                                return {index: i, text: (text(b) || b.value || b.getAttribute('aria-label') || b.title || '').slice(0, 80),
                                submit: b.tagName === 'BUTTON' ? (b.type || 'submit') === 'submit'
                                        : b.tagName === 'INPUT' && (b.type === 'submit' || b.type === 'image')}; });
  let roots = scopeSel ? [...document.querySelectorAll(scopeSel)] : [...document.forms];
  if (!scopeSel && !roots.length) roots = [document.body];
  // single-page checkouts keep some sections outside any <form> (a shipping method list): those
  // controls are one more "form", the page's loose controls
  const CTRL = 'input, select, textarea, [role=combobox], [role=radio], [role=checkbox], [role=switch]';
  const loose = !scopeSel && document.forms.length && document.body
    ? [...document.body.querySelectorAll(CTRL)].filter(el => !el.closest('form') && visible(el)) : [];
  if (loose.length) roots.push(document.body);
  let n = 0;
  const forms = [];
  const groupOf = el => {   // an ARIA radio's group: its radiogroup, named by id or label
    const g = el.closest('[role=radiogroup]');
    if (!g) return '';
    // numbered once per document (never reused: a group rendered later must not share an old name)
    if (!g.dataset.shopperGroup) g.dataset.shopperGroup = g.id || ('radiogroup-' + (window.__shopperGroups = (window.__shopperGroups || 0) + 1));
    return g.dataset.shopperGroup;
  };
  const nameOf = el => labelOf(el) || el.getAttribute('aria-label') || text(el).slice(0, 120);
  roots.forEach((root, fi) => {
    const isLoose = loose.length && root === document.body && document.forms.length;
    const ctrls = isLoose ? [...root.querySelectorAll(CTRL)].filter(el => !el.closest('form'))
                          : [...root.querySelectorAll(CTRL)];
    const fields = [];
    for (const el of ctrls) {
      const role = (el.getAttribute('role') || '').toLowerCase();
      const native = ['INPUT', 'SELECT', 'TEXTAREA'].includes(el.tagName);
      // the native twin an ARIA widget keeps for form posting: a customer never reaches it
      if (native && !role && el.getAttribute('aria-hidden') === 'true') continue;
      if (el.getAttribute('aria-disabled') === 'true') continue;
      if (role === 'combobox') {
        if (!visible(el)) continue;
        const idx = n++;
        el.setAttribute(mark, String(idx));
        fields.push({index: idx, tag: 'combobox', type: el.tagName === 'INPUT' ? 'editable' : 'combobox',
          name: el.name || el.getAttribute('name') || '', id: el.id || '', autocomplete: el.getAttribute('autocomplete') || '',
          label: labelOf(el), placeholder: el.getAttribute('placeholder') || '', aria_label: el.getAttribute('aria-label') || '',
          nearby: nearbyOf(el), required: el.required || el.getAttribute('aria-required') === 'true',
          options: [], maxlength: null, value: el.tagName === 'INPUT' ? (el.value || '') : text(el).slice(0, 120),
          checked: false, readonly: !!el.readOnly});
        continue;
      }
      if (!native && (role === 'radio' || role === 'checkbox' || role === 'switch')) {
        if (!visible(el)) continue;
        const idx = n++;
        el.setAttribute(mark, String(idx));
        fields.push({index: idx, tag: 'input', type: role === 'radio' ? 'radio' : 'checkbox',
          name: role === 'radio' ? groupOf(el) : '', id: el.id || '', autocomplete: '',
          label: nameOf(el), placeholder: '', aria_label: el.getAttribute('aria-label') || '',
          nearby: nearbyOf(el), required: el.getAttribute('aria-required') === 'true',
          options: [], maxlength: null, value: '', checked: el.getAttribute('aria-checked') === 'true', readonly: false,
          aria: true});
        continue;
      }
      if (!native) continue;
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
    forms.push({index: fi, loose: !!isLoose, id: root.id || '', action: root.getAttribute('action') || '', fields,
                buttons: buttonsOf(root, isLoose), heading: heading ? text(heading).slice(0, 80) : '',
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
    aria: bool = False      # an ARIA widget (role=radio/checkbox/switch), not a native control

    def locator(self, page: Any) -> Any:
        """The control as it is now: by its id or name when it has one (a re-render that replaced the
        element keeps those), else by the mark the last read put on it."""
        if self.info.id:
            return page.locator(f"[id={_quoted(self.info.id)}]").first
        if self.info.name and self.info.type not in ("radio", "checkbox") and self.info.tag != "combobox":
            return page.locator(f"{self.info.tag}[name={_quoted(self.info.name)}]").first
        return page.locator(f"[{MARK}='{self.index}']")

    @property
    def identity(self) -> str:
        """What names the field across re-renders (its mark number may change)."""
        i = self.info
        return "|".join((i.tag, i.type, i.name, i.id, i.label if not (i.name or i.id) or i.type == "radio" else ""))


@dataclass
class PageForm:
    index: int
    id: str
    action: str
    fields: list[PageField]
    buttons: list[dict]
    heading: str
    text: str
    loose: bool = False     # the page's controls outside any <form> (a single-page checkout's sections)

    def button(self, page: Any, button: dict) -> Any:
        return page.locator(f"[{BUTTON_MARK}='{button['index']}']")

    def describe(self) -> str:
        if self.loose:
            return f"the page's controls outside forms ({len(self.fields)} fields)"
        name = f"#{self.id}" if self.id else (f"“{self.heading}”" if self.heading else f"form {self.index + 1}")
        return f"{name} ({len(self.fields)} fields)"


def _quoted(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def read_forms(page: Any, scope: str | None = None, *, include_hidden: bool = False) -> list[PageForm]:
    """Every form on the page (or the elements matching `scope`), with their visible controls
    (`include_hidden`: all controls but `type=hidden` ones, as autofill's regression data lists them)."""
    raw = page.evaluate(_COLLECT, [MARK, scope, include_hidden])
    forms = []
    for f in raw:
        fields = [PageField(d["index"], FieldInfo(tag=d["tag"], type=d["type"], name=d["name"], id=d["id"],
                                                  autocomplete=d["autocomplete"], label=d["label"],
                                                  placeholder=d["placeholder"], aria_label=d["aria_label"],
                                                  nearby=d["nearby"], required=bool(d["required"]),
                                                  options=tuple((o[0], o[1]) for o in d["options"]),
                                                  maxlength=d["maxlength"]),
                            d["value"], d["checked"], d["readonly"], bool(d.get("aria"))) for d in f["fields"]]
        forms.append(PageForm(f["index"], f["id"], f["action"], fields, f["buttons"], f["heading"], f["text"],
                              bool(f.get("loose"))))
    return forms
