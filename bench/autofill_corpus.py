"""Bench: our autofill field classification against Chromium's own regression data (real forms, typed fields).

Each `input/NNN.html` of the corpus is loaded into Chromium (scripts off, every request but the page itself
aborted), its controls are read as autofill reads them (shopper.autofill.page.read_forms, hidden ones too:
the .out files list them) and classified (shopper.autofill.classify). Each `.out` line (TYPE | name-or-id |
label | value | section) is matched to the next control in document order with that name or id. Our persona
keys map to Chromium's types by the table in docs/journeys.md ("Autofill and Chromium's field types").

- precision: of the fields we would fill from the persona, the share whose Chromium type agrees;
- recall: of the fields Chromium types as something our persona holds, the share we fill with that key.

    .venv/bin/python bench/autofill_corpus.py [--corpus DIR] [--wrong] [--half even|odd]

`--half` scores only the even- or odd-numbered files (by their NNN_ number): develop a rule on one half and
check on the other that it generalises to forms it was not written for.

Last line: `precision=0.xxx recall=0.xxx fields=N`. Goals: precision >= 0.97, recall >= 0.90.
"""
from __future__ import annotations

import argparse
import os
import sys
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from shopper.autofill.classify import classify_form  # noqa: E402
from shopper.autofill.page import read_forms  # noqa: E402

CORPUS = Path(os.environ.get("SHOPPER_SHARED") or ROOT.parent / "shared") / "corpus" / "autofill"
GOALS = {"precision": 0.97, "recall": 0.90}

# our persona key -> the Chromium types it agrees with (HTML_TYPE_ prefixes are dropped first)
CHROMIUM_TYPES: dict[str, set[str]] = {
    "email": {"EMAIL_ADDRESS"},
    "name": {"NAME_FULL"},
    "given_name": {"NAME_FIRST"},
    "family_name": {"NAME_LAST"},
    "tel": {"PHONE_HOME_WHOLE_NUMBER", "PHONE_HOME_CITY_AND_NUMBER", "PHONE_HOME_NUMBER",
            "PHONE_HOME_CITY_AND_NUMBER_WITHOUT_TRUNK_PREFIX"},
    "company": {"COMPANY_NAME"},
    "street": {"ADDRESS_HOME_LINE1", "ADDRESS_HOME_STREET_ADDRESS"},
    "line2": {"ADDRESS_HOME_LINE2"},
    "city": {"ADDRESS_HOME_CITY"},
    "postcode": {"ADDRESS_HOME_ZIP"},
    "region": {"ADDRESS_HOME_STATE"},
    "country": {"ADDRESS_HOME_COUNTRY"},
    "cc_name": {"CREDIT_CARD_NAME_FULL"},
    "cc_number": {"CREDIT_CARD_NUMBER"},
    "cc_exp": {"CREDIT_CARD_EXP_DATE_2_DIGIT_YEAR", "CREDIT_CARD_EXP_DATE_4_DIGIT_YEAR"},
    "cc_exp_month": {"CREDIT_CARD_EXP_MONTH"},
    "cc_exp_year": {"CREDIT_CARD_EXP_2_DIGIT_YEAR", "CREDIT_CARD_EXP_4_DIGIT_YEAR"},
    "cc_csc": {"CREDIT_CARD_VERIFICATION_CODE"},
}
# `password` is left out: Chromium's autofill does not type passwords (its password manager does), and we
# fill one only with a secret the user exported for that site.
HELD = set().union(*CHROMIUM_TYPES.values())
BUTTONS = ("submit", "button", "reset", "image")
FAMILIES = ("NAME", "ADDRESS", "PHONE", "EMAIL", "CREDIT_CARD", "COMPANY")


def family(chromium_type: str) -> str:
    for f in FAMILIES:
        if chromium_type.startswith(f + "_"):
            return f
    return "other"


@dataclass
class Expected:
    type: str
    key: str      # name or id
    label: str


@dataclass
class Tally:
    filled: Counter = field(default_factory=Counter)        # family of our key -> fields we fill
    filled_right: Counter = field(default_factory=Counter)
    held: Counter = field(default_factory=Counter)          # Chromium family -> fields the persona holds
    held_right: Counter = field(default_factory=Counter)
    fields: int = 0
    wrong: list[str] = field(default_factory=list)

    def precision(self, fam: str | None = None) -> float:
        n = sum(self.filled.values()) if fam is None else self.filled[fam]
        ok = sum(self.filled_right.values()) if fam is None else self.filled_right[fam]
        return ok / n if n else 1.0

    def recall(self, fam: str | None = None) -> float:
        n = sum(self.held.values()) if fam is None else self.held[fam]
        ok = sum(self.held_right.values()) if fam is None else self.held_right[fam]
        return ok / n if n else 1.0


def read_out(path: Path) -> list[Expected]:
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        cols = line.split(" | ")
        rows.append(Expected(cols[0].strip().removeprefix("HTML_TYPE_"), cols[1].strip() if len(cols) > 1 else "",
                             cols[2].strip() if len(cols) > 2 else ""))
    return rows


def our_family(kind: str) -> str:
    return family(next(iter(sorted(CHROMIUM_TYPES[kind]))))


def score_page(page, html: Path, out: Path, tally: Tally) -> None:
    page.goto(f"http://corpus.test/{html.name}", wait_until="domcontentloaded")
    controls = [f for form in read_forms(page, "html", include_hidden=True) for f in form.fields]
    kinds = [c.kind for c in classify_form([c.info for c in controls])]
    # Chromium's .out lists no buttons: a button left in would put every later unnamed field one line off
    kept = [i for i, c in enumerate(controls) if c.info.type not in BUTTONS]
    controls, kinds = [controls[i] for i in kept], [kinds[i] for i in kept]
    used: set[int] = set()
    pos = 0
    for exp in read_out(out):
        tally.fields += 1
        match = None
        for i in list(range(pos, len(controls))) + list(range(0, pos)):
            c = controls[i]
            if i not in used and (exp.key in (c.info.name, c.info.id) if exp.key else
                                  not (c.info.name or c.info.id) and i >= pos):
                match = i
                break
        if match is None and exp.key:   # a form the page repeats (the .out lists each copy): the same control
            match = next((i for i, c in enumerate(controls) if exp.key in (c.info.name, c.info.id)), None)
        kind = None
        if match is not None:
            used.add(match)
            pos = match + 1
            kind = kinds[match]
        fills = kind in CHROMIUM_TYPES
        right = fills and exp.type in CHROMIUM_TYPES[kind]
        if fills:
            tally.filled[our_family(kind)] += 1
            tally.filled_right[our_family(kind)] += right
        if exp.type in HELD:
            tally.held[family(exp.type)] += 1
            tally.held_right[family(exp.type)] += right
        if (fills and not right) or (exp.type in HELD and not right):
            info = controls[match].info if match is not None else None
            tally.wrong.append(f"{html.stem}: {exp.type} {exp.key!r} label={exp.label[:40]!r} -> ours {kind}"
                               + (f" (label={info.label[:40]!r} ph={info.placeholder[:30]!r})" if info else
                                  " (not found)"))


def in_half(html: Path, half: str | None) -> bool:
    """Whether `html` (NNN_name.html) belongs to the `even` or `odd` half of the corpus (None: both)."""
    if half is None:
        return True
    number = html.stem.split("_", 1)[0]
    return number.isdigit() and int(number) % 2 == (0 if half == "even" else 1)


def score_corpus(corpus: Path, progress=lambda s: None, half: str | None = None) -> Tally:
    from shopper.probes.browser import BrowserProbe

    tally = Tally()
    pairs = sorted((h, corpus / "output" / (h.stem + ".out")) for h in (corpus / "input").glob("*.html"))
    pairs = [(h, o) for h, o in pairs if o.is_file() and in_half(h, half)]
    with BrowserProbe() as browser:
        context = browser._browser.new_context(java_script_enabled=False)
        current: dict[str, bytes] = {}

        def serve(route) -> None:
            url = route.request.url
            if url.startswith("http://corpus.test/") and url.rsplit("/", 1)[-1] in current:
                route.fulfill(status=200, body=current[url.rsplit("/", 1)[-1]], content_type="text/html; charset=utf-8")
            else:
                route.abort()

        context.route("**/*", serve)
        page = context.new_page()
        for html, out in pairs:
            current.clear()
            current[html.name] = html.read_bytes()
            progress(html.stem)
            score_page(page, html, out, tally)
        context.close()
    return tally


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--corpus", type=Path, default=CORPUS, help="a folder with input/*.html and output/*.out")
    p.add_argument("--wrong", action="store_true", help="list every field we fill wrongly or miss")
    p.add_argument("--half", choices=("even", "odd"), help="score only the even- or odd-numbered files")
    args = p.parse_args(argv)
    if not (args.corpus / "input").is_dir():
        print(f"error: no corpus at {args.corpus} (input/*.html and output/*.out)", file=sys.stderr)
        return 2
    t = score_corpus(args.corpus, half=args.half)
    if args.wrong:
        for w in t.wrong:
            print(w)
    print(f"{'family':<12} {'we fill':>8} {'right':>6} {'precision':>9}   {'held':>5} {'right':>6} {'recall':>7}")
    for fam in (*FAMILIES, "other"):
        if t.filled[fam] or t.held[fam]:
            print(f"{fam:<12} {t.filled[fam]:>8} {t.filled_right[fam]:>6} {t.precision(fam):>9.3f}   "
                  f"{t.held[fam]:>5} {t.held_right[fam]:>6} {t.recall(fam):>7.3f}")
    print(f"{'overall':<12} {sum(t.filled.values()):>8} {sum(t.filled_right.values()):>6} {t.precision():>9.3f}   "
          f"{sum(t.held.values()):>5} {sum(t.held_right.values()):>6} {t.recall():>7.3f}")
    missed = [f"{k} {getattr(t, k)():.3f} < {v}" for k, v in GOALS.items() if getattr(t, k)() < v]
    if missed:
        print("goals missed: " + "; ".join(missed) + " (--wrong lists the fields)", file=sys.stderr)
    print(f"precision={t.precision():.3f} recall={t.recall():.3f} fields={t.fields}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
