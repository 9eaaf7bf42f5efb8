"""Which persona value a form field wants, decided as a browser's autofill does (pure logic, no browser).

Order of evidence: the WHATWG `autocomplete` token, then the input type, then the field's
name/id, its label, placeholder and ARIA label, and last the text next to it.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from .patterns import AUTOCOMPLETE, INPUT_TYPES, PATTERNS

# kinds a persona fills; the others are the journey's to give (`fields:`) or never filled
PERSONA_KINDS = ("email", "name", "given_name", "family_name", "tel", "company", "street", "line2", "city",
                 "postcode", "region", "country", "cc_name", "cc_number", "cc_exp", "cc_exp_month", "cc_exp_year",
                 "cc_csc", "password")
JOURNEY_KINDS = ("message", "subject", "order_number")
SKIP_KINDS = ("search", "coupon", "skip")
ALIASES = {"email_confirm": "email", "username": "skip", "phone_part": "skip", "cc_type": "skip",
           "name_full": "name", "house_number": "skip", "not_held": "skip"}
KINDS = PERSONA_KINDS + JOURNEY_KINDS
_NOT_TEXT = {"hidden", "submit", "button", "reset", "image", "file", "checkbox", "radio", "range", "color"}


@dataclass(frozen=True)
class FieldInfo:
    """What the page says about one form control (collected in the browser)."""

    tag: str = "input"               # input | select | textarea
    type: str = "text"
    name: str = ""
    id: str = ""
    autocomplete: str = ""
    label: str = ""
    placeholder: str = ""
    aria_label: str = ""
    nearby: str = ""
    required: bool = False
    options: tuple[tuple[str, str], ...] = field(default_factory=tuple)   # (value, text) of a select
    maxlength: int | None = None

    @property
    def title(self) -> str:
        """How a person would name the field in a message."""
        for text in (self.label, self.aria_label, self.placeholder, self.nearby):
            if text.strip():
                return " ".join(text.split())[:80]
        return f"{self.tag} name={self.name or '?'}" + (f" id={self.id}" if self.id else "")


@dataclass(frozen=True)
class Classification:
    kind: str | None                 # a KINDS entry, a SKIP_KINDS entry, or None (unknown)
    source: str                      # autocomplete | type | name | label | placeholder | aria | nearby | tag


def words(text: str) -> str:
    """Attribute text as words: `billingFirstName` / `first_name[0]` -> `billing first name 0`."""
    text = re.sub(r"([a-z])([A-Z])", r"\1 \2", text or "")
    text = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1 \2", text)    # USStates -> US States
    text = re.sub(r"(?<=[A-Za-z])(?=\d)|(?<=\d)(?=[A-Za-z])", " ", text)   # phone1ext -> phone 1 ext
    return " ".join(re.sub(r"[_\-\[\]\.:/]+", " ", text).lower().split())


# a section prefix in a name (`shippingAddress.full_name`, `billing_addr_city`) names the form's part,
# not the field: `address` there must not make every field a street
_SECTION = re.compile(r"^(?:(?:shipping|billing|delivery|invoice|postal|mailing|ship|bill)\s+)+"
                      r"(?:(?:address|addr|adr|adresse|details)\b\s*)?(?=\S)")


def without_section(text: str) -> str:
    """Name words without a leading section prefix: `shipping address full name` -> `full name`."""
    return _SECTION.sub("", text, count=1) or text


def from_autocomplete(token: str) -> str | None:
    """The kind a WHATWG autocomplete attribute names: `shipping given-name` -> given_name."""
    parts = [p for p in token.lower().split() if not p.startswith("section-")]
    parts = [p for p in parts if p not in ("shipping", "billing", "home", "work", "mobile", "fax", "pager", "webauthn")]
    if not parts or parts[-1] in ("on", "off"):
        return None
    kind = AUTOCOMPLETE.get(parts[-1])
    return ALIASES.get(kind, kind) if kind else None


def from_text(text: str) -> str | None:
    """The first kind whose pattern matches `text` (lower-cased words)."""
    kind = _raw_kind(text)
    return ALIASES.get(kind, kind) if kind else None


def _raw_kind(text: str) -> str | None:
    """The first pattern's kind that matches `text`, before aliases (`username`, `phone_part` stay apart)."""
    text = text.strip()
    if not text:
        return None
    for kind, pattern in PATTERNS:
        if pattern.search(text):
            return kind
    return None


# what a label says the field is NOT for us: a search, a code, a value the persona does not hold
_NOT_OURS = ("search", "coupon", "not_held", "skip", "username", "cc_type")
# a value the persona holds as free text: no option of a <select> can be it
_FREE_TEXT = ("email", "name", "given_name", "family_name", "tel", "company", "street", "line2", "postcode",
              "cc_name", "cc_number", "cc_csc")
_MARKS = re.compile(r"^[\s*•·:(]+|[\s*:•]+$")


def head(text: str) -> str:
    """What in a shown text names the field, without required marks: a long text's first sentence, at most
    eight words (`City Please enter a city. Please double-check the city, state and ZIP code.` -> `city please
    enter a city`): the help and error text after a label names other fields."""
    text = _MARKS.sub("", " ".join((text or "").split()).lower())
    if len(text.split()) <= 8 and len(text) <= 60:
        return text
    text = re.split(r"(?<=[a-z\u00e0-\u024f)])[.!?](?:\s|$)|[(\uff08\uff0c\u3002]", text, maxsplit=1)[0]
    return " ".join(text.split()[:8])[:60]


_GENERIC = ("name", "street", "message")


def _name_words(name: str) -> str:
    """A name/id as words: the last part of a path-like name alone (its earlier parts name sections:
    `ctl00$MainRegion$txtCity`), else the name without a leading section prefix."""
    last = last_part(name)
    return words(last) if last else without_section(words(name))


def last_part(name: str) -> str:
    """The last part of a framework's path-like name: `billing.USStates_Selected` -> `USStates_Selected`,
    `ctl00$main$txtCity` -> `txtCity` (the earlier parts name the section, not the field)."""
    parts = [p for p in re.split(r"[.$:/]|\]\[|\[|\]", name or "") if p and not p.isdigit()]
    return parts[-1] if len(parts) > 1 else ""


def classify(f: FieldInfo) -> Classification:
    """The kind of value `f` wants and what gave it away."""
    if f.tag == "input" and f.type in _NOT_TEXT:
        return Classification("skip", "type")
    kind = from_autocomplete(f.autocomplete)
    if kind:
        return Classification(kind, "autocomplete")
    typed = INPUT_TYPES.get(f.type) if f.tag == "input" else None
    # type=tel is also the numeric keypad of mobile pages (card numbers, codes, postcodes), type=search a
    # styling choice, type=password a hidden security code: words first
    found: list[tuple[str, str]] = []      # (raw kind, source), in the order of evidence
    for source, text in (("name", _name_words(f.name)), ("name", _name_words(f.id)),
                         ("label", head(f.label)), ("placeholder", head(f.placeholder)),
                         ("aria", head(f.aria_label)), ("nearby", head(f.nearby[:120]))):
        kind = _raw_kind(text)
        if kind:
            found.append((kind, source))
    # a word the customer reads or the page's own name for the field that says "not yours" (a search, a code,
    # another state, a user name, a price) outweighs any other word: a wrong value is worse than none
    veto = next(((k, s) for k, s in found if k in _NOT_OURS and s != "nearby"), None)
    if typed == "email":
        # a type=email box is an e-mail even when the page calls it `username` (a login or guest form's e-mail):
        # only words the customer reads ("Username or email") make it a user name
        shown = next((s for k, s in found if k == "username" and s in ("label", "placeholder", "aria")), None)
        return Classification("skip", shown) if shown else Classification(typed, "type")
    found = [(ALIASES.get(k, k), s) for k, s in found]
    if typed == "password":
        if veto is not None and veto[0] in ("coupon", "not_held"):
            return Classification("skip", veto[1])     # a gift card's PIN, a card on file's code
        hidden = next((k for k, _ in found if k in ("cc_csc", "cc_number")), None)
        return Classification(hidden or "password", "label" if hidden else "type")
    if found:
        kind, source = found[0]
        if source == "name" and kind in _GENERIC:
            # `name`, `address` in an attribute are often a section's words (CardPersonName,
            # BillingAddressEntry.State): what the customer reads says more
            shown = next(((k, s) for k, s in found if s in ("label", "placeholder", "aria") and k != kind), None)
            if shown is not None:
                kind, source = shown
        if veto is not None and kind in PERSONA_KINDS:
            return Classification(ALIASES.get(veto[0], veto[0]), veto[1])
        kind = _refine(kind, f)
        if f.tag == "select" and kind in _FREE_TEXT:
            return Classification(None, source)     # a list of choices holds no free-text value of ours
        return Classification(kind, source)
    if typed:
        return Classification(_refine(typed, f), "type")
    if f.tag == "textarea":
        return Classification("message", "tag")
    return Classification(None, "none")


def _is_house_number(f: FieldInfo) -> bool:
    from .patterns import HOUSE_NUMBER

    return any(HOUSE_NUMBER.search(t) for t in (_name_words(f.name), _name_words(f.id), head(f.label),
                                                head(f.placeholder)) if t)


def classify_form(fields: list[FieldInfo]) -> list[Classification]:
    """`classify` for every field of a form, with what only neighbours tell: two expiry boxes in a row
    with the same words are its month, then its year (a select of years after the month is the year); a
    street beside a house-number box is left empty, so is a second line 2; a bare `Name` beside one part of
    the name is the other part."""
    out = [classify(f) for f in fields]
    if any(_is_house_number(f) for f in fields):
        # the street and its number in two boxes: the persona's street line fits neither alone
        out = [Classification("skip", c.source) if c.kind == "street" else c for c in out]
    for i in range(len(out) - 1):
        if out[i].kind == "cc_exp" and out[i + 1].kind == "cc_exp" and fields[i].tag == fields[i + 1].tag:
            out[i] = Classification("cc_exp_month", out[i].source)
            out[i + 1] = Classification("cc_exp_year", out[i + 1].source)
    # a select of years right after an expiry month, with no words of its own, is the expiry's year
    for i in range(len(out) - 1):
        nxt = fields[i + 1]
        if out[i].kind == "cc_exp_month" and out[i + 1].kind is None and nxt.tag == "select" and _year_options(nxt):
            out[i + 1] = Classification("cc_exp_year", "tag")
    # a second "line 2" after the street (Apt/Suite, then Street address line 2) is the address's third line
    line2_seen = False
    for i, c in enumerate(out):
        if c.kind == "street":
            line2_seen = False
        elif c.kind == "line2":
            if line2_seen:
                out[i] = Classification("skip", c.source)
            line2_seen = True
    # a bare "Name" beside only a surname box is the given name ("Name / Surname"), beside only a given-name
    # box the family name ("Vorname / Name"): the persona's full name in it would repeat the other box
    kinds = {c.kind for c in out}
    part = {"family_name": "given_name", "given_name": "family_name"}
    for have, missing in part.items():
        if have in kinds and missing not in kinds:
            out = [Classification(missing, c.source) if c.kind == "name" and not _says_full_name(f) else c
                   for f, c in zip(fields, out)]
    return out


def _says_full_name(f: FieldInfo) -> bool:
    """Whether the field's words ask for the whole name (`full name`, `nome e cognome`), not a bare `name`."""
    return any(_raw_kind(t) == "name_full" for t in (_name_words(f.name), _name_words(f.id), head(f.label),
                                                     head(f.placeholder), head(f.aria_label)) if t)


def _refine(kind: str, f: FieldInfo) -> str:
    """Corrections a single pattern cannot make: a textarea is no name field, a 2-char box is no year."""
    if f.tag == "textarea" and kind not in ("street", "message", "subject"):
        return "message"
    if kind == "cc_name" and re.search(r"first|last|given|family|vorname|nachname|pr[ée]nom", 
                                        f"{words(f.name)} {f.label}".lower()):
        return "skip"   # half of the holder's name: the persona has it whole only
    if kind == "cc_exp":   # one box of a month/year pair: its name or its options tell which
        text = f"{words(f.name)} {words(f.id)} {f.label} {f.placeholder} {f.aria_label}".lower()
        nums = [int(t) for _, t in f.options if t.strip().isdigit()]
        month = bool(re.search(r"month|\bmm\b|monat|mois|\bmes\b|mese|maand", text)) or _month_options(f)
        year = bool(re.search(r"year|\byy|\baa\b|\bjj\b|jahr|ann[ée]e|a[ñn]o|anno|jaar", text)) or _year_options(f)
        if (month and not year) or (not year and nums and max(nums) <= 12):
            return "cc_exp_month"
        if (year and not month) or (not month and nums and max(nums) > 31):
            return "cc_exp_year"
    if kind == "tel" and f.maxlength is not None and f.maxlength <= 5:
        return "skip"   # a part of a split phone number (area code, prefix, extension): not the whole
    if kind == "cc_exp" and f.maxlength is not None and f.maxlength <= 2:
        text = f"{words(f.name)} {f.label} {f.placeholder}".lower()
        return "cc_exp_year" if re.search(r"\byy|year|jahr|ann[ée]e|a[ñn]o|anno|jaar|\baa\b|\bjj\b", text) \
            else "cc_exp_month"
    return kind


_MONTH_NAMES = re.compile(r"\b(jan|feb|m[äa]r|apr|ma[iy]|jun|jul|aug|sep|o[ck]t|nov|de[cz]|janv|f[ée]v|avr|juin|juil|"
                          r"ao[uû]t|d[ée]c|ene|abr|ago|dic|gen|mag|giu|lug|set|ott|mrt|mei|okt)", re.I)


# each month's names and short forms in the six languages, at the start of a word
_MONTH_WORDS = [re.compile(rf"\b({w})", re.I) for w in (
    "jan|ene|gen", "feb|f[ée]v", "mar|m[äa]r|maa|mrt", "apr|avr|abr", "may|mai|mei|mag", "jun|juin|giu",
    "jul|juil|lug", "aug|ao[uû]t|ago", "sep|set", "oct|okt|ott", "nov", "dec|dez|d[ée]c|dic")]


def month_option(f: FieldInfo, month: int) -> int | None:
    """The index of the option of select `f` that is month `month` (1-12) by what it shows: `11`, `11 - Nov`,
    `November`, `novembre` (an option's value may count from 0: its text says which month it is)."""
    for i, (_, t) in enumerate(f.options):
        m = re.match(r"\s*(\d{1,2})\b", t)
        if m and int(m.group(1)) == month:
            return i
    for i, (_, t) in enumerate(f.options):
        if [j for j, w in enumerate(_MONTH_WORDS, 1) if w.search(t)] == [month]:
            return i
    return None


def _month_options(f: FieldInfo) -> bool:
    """A select whose options are the twelve months (`01 January`, `Jan`, `janvier`): an expiry's month."""
    texts = [t for _, t in f.options if t.strip()]
    return sum(bool(_MONTH_NAMES.search(t)) for t in texts) >= 12


def _year_options(f: FieldInfo) -> bool:
    """A select whose options are years (`2025`, `25`... most of them four digits from 19xx/20xx)."""
    texts = [t.strip() for _, t in f.options if t.strip()]
    return len(texts) >= 3 and sum(bool(re.fullmatch(r"(19|20)\d\d", t)) for t in texts) >= len(texts) - 1


def option_index(f: FieldInfo, wanted: list[str]) -> int | None:
    """The index in `f.options` of the option that matches one of `wanted` (values first, then words in
    the option text; a `/regex/`-free alternation like `united kingdom|britain` is allowed)."""
    real = [(i, v, t) for i, (v, t) in enumerate(f.options) if v.strip() or t.strip()]
    for w in wanted:
        for i, v, t in real:
            if v.strip().lower() == w.lower() or t.strip().lower() == w.lower():
                return i
    for w in wanted:
        if "|" not in w and len(w) < 4:
            continue
        pattern = re.compile(w, re.I)
        for i, v, t in real:
            if pattern.search(t):
                return i
    return None


def select_option(f: FieldInfo, wanted: list[str]) -> str | None:
    """The value of the option of select `f` that matches one of `wanted` (see `option_index`)."""
    i = option_index(f, wanted)
    return f.options[i][0] if i is not None else None
