"""Autofill in real Chromium: forms in other languages and markup are filled from the persona; what cannot
be filled fails at once, naming the field and the setting that would fill it."""
from __future__ import annotations

import time
from pathlib import Path

import pytest

from shopper.autofill.persona import persona_variables
from shopper.clock import SystemClock
from shopper.config import PostalAddress, ShopperIdentity
from shopper.errors import StepError
from shopper.secrets import Redactor
from shopper.steps.context import JourneyState, StepContext
from shopper.steps.fill_form import FillForm

pytestmark = pytest.mark.browser

GERMAN_CHECKOUT = """<!doctype html><html lang="de"><body>
<form role="search"><input name="q" placeholder="Suche"><button>Suchen</button></form>
<div class="checkout"><form id="adresse">
  <div><span>Vorname</span><input name="fld1" required></div>
  <div><span>Nachname</span><input name="fld2" required></div>
  <label>E-Mail-Adresse <input name="mail" required></label>
  <label for="s">Straße und Hausnummer</label><input id="s" name="a1" required>
  <input name="zip" placeholder="PLZ" required>
  <input name="f6" aria-label="Ort" required>
  <label for="land">Land</label>
  <select id="land" name="land" required><option value="">Bitte wählen</option><option value="276">Deutschland</option>
    <option value="826">Vereinigtes Königreich</option></select>
  <label>Telefon <input type="tel" name="t"></label>
  <label><input type="checkbox" name="agb" required> Ich akzeptiere die AGB</label>
  <label><input type="checkbox" name="news"> Newsletter</label>
  <button type="submit">Weiter</button>
</form></div></body></html>"""

FRENCH_CARD = """<!doctype html><html lang="fr"><body><form>
  <p>Numéro de carte</p><input name="pan" inputmode="numeric" required>
  <p>Date d'expiration</p><select name="mm" required><option value="">Mois</option>
    <option>11</option><option>12</option></select>
  <select name="yy" aria-label="Année d'expiration" required><option value="">Année</option><option>2029</option><option>2030</option></select>
  <p>Cryptogramme visuel</p><input name="cvv" maxlength="4" required>
  <button>Payer</button></form></body></html>"""


@pytest.fixture
def step_ctx(browser, tmp_path):
    """`step_ctx(html, **persona)`: a StepContext on a page showing `html`."""
    contexts = []

    def make(html: str, **persona) -> StepContext:
        context, _ = browser.new_context(block_hosts=[])
        contexts.append(context)
        page = context.new_page()
        page.set_content(html)
        ident = ShopperIdentity(**persona)
        state = JourneyState(journey="t", variables=persona_variables(ident, "alex+t1@mail.test"),
                             redactor=Redactor(), environ={}, clock=SystemClock(), artifact_dir=tmp_path / "a",
                             var_dir=tmp_path)
        return StepContext(state=state, page=page, index=0, timeout_ms=15000, probes=None)

    yield make
    for c in contexts:
        c.close()


def _values(page, names):
    return {n: page.locator(f"[name={n}]").input_value() for n in names}


def test_german_address_form_without_labels_for(step_ctx):
    ctx = step_ctx(GERMAN_CHECKOUT, postal=PostalAddress(street="Hauptstraße 1", city="Berlin", postcode="10115",
                                                         country="DE"))
    FillForm().run(ctx)
    page = ctx.page
    assert _values(page, ["fld1", "fld2", "mail", "a1", "zip", "f6", "land", "t", "q"]) == {
        "fld1": "Alex", "fld2": "Shopper", "mail": "alex+t1@mail.test", "a1": "Hauptstraße 1", "zip": "10115",
        "f6": "Berlin", "land": "276", "t": "+44 20 7946 0000", "q": ""}
    assert page.locator("[name=agb]").is_checked() and not page.locator("[name=news]").is_checked()
    [obs] = [o for o in ctx.state.observations if o.kind == "form_filled"]
    assert obs.data["form"] == "#adresse (10 fields)"
    sources = {f["field"]: f["source"] for f in obs.data["fields"]}
    assert (sources["PLZ"], sources["Ort"], sources["Vorname"], sources["Telefon"]) == ("name", "aria", "nearby", "label")
    # type=tel alone is also the numeric keypad of mobile card and postcode fields: the label speaks first


def test_french_card_form_masks_what_it_records(step_ctx):
    ctx = step_ctx(FRENCH_CARD)
    FillForm().run(ctx)
    assert _values(ctx.page, ["pan", "mm", "yy", "cvv"]) == {"pan": "4242 4242 4242 4242", "mm": "12", "yy": "2030",
                                                            "cvv": "123"}
    [obs] = [o for o in ctx.state.observations if o.kind == "form_filled"]
    shown = {f["kind"]: f["value"] for f in obs.data["fields"]}
    assert shown["cc_number"] == "•••• 4242" and shown["cc_csc"] == "***"
    assert "4242 4242" not in str(obs.data) and "123" not in str(obs.data)


def test_required_field_without_persona_value_fails_at_once(step_ctx):
    ctx = step_ctx("<form><label>Telefonnummer <input name=t required></label><button>OK</button></form>", phone="")
    t0 = time.monotonic()
    with pytest.raises(StepError) as e:
        FillForm().run(ctx)
    assert time.monotonic() - t0 < 3
    assert "required field 'Telefonnummer' is empty: set shopper.phone in config.yaml" in str(e.value)


def test_missing_explicit_field_names_its_label_not_a_timeout(step_ctx):
    ctx = step_ctx("<form><label>Email <input type=email name=e></label><button>Go</button></form>")
    t0 = time.monotonic()
    with pytest.raises(StepError) as e:
        FillForm(fields={"/order ?number/i": "KC-1"}).run(ctx)
    assert time.monotonic() - t0 < 3
    assert "the form has no field labelled '/order ?number/i' (fields: Email)" in str(e.value)
    assert "Timeout" not in str(e.value)


def test_checkout_blocked_names_the_field_and_the_setting(audit, shop_healthy, tmp_path):
    import dataclasses

    from shopper.config import PaymentCard, PaymentData, load_config

    journey = tmp_path / "order.yaml"
    journey.write_text("name: order\nsteps:\n  - checkout\n  - open: /orders/${order_no}\n")
    base = load_config(Path(__file__).resolve().parents[2] / "config.yaml", environ={})
    shopper = dataclasses.replace(base.shopper, payment=PaymentData(card=PaymentCard(number="")))
    a = audit([journey], base_url=shop_healthy.url, shopper=shopper)
    [f] = a.findings
    assert f.kind == "checkout_blocked" and f.data["stage"] == "checkout"
    assert "required field 'Card number' is empty: set shopper.payment.card.number" in f.data["looked_for"]
    assert f.evidence and (a.config.var_path / f.evidence[0]).is_file()
    j = a.result.journeys[0]
    assert [s.status for s in j.steps] == ["blocked", "skipped"] and j.status == "findings"   # never "clean"


LABELS_IN_A_BLOCK = """<!doctype html><html lang="de"><body><form>
  <div><input name="f1"> <input name="f2"> <input name="f3"><br>Vorname, Nachname, E-Mail</div>
  <p>Telefon <input name="f4"></p>
  <button>Weiter</button></form></body></html>"""


def test_a_parents_text_is_no_label_when_it_holds_other_boxes(step_ctx):
    # the text of a block with several boxes is all their labels: it names none of them (a wrong value is worse
    # than an empty one); a block with one box is that box's label
    from shopper.autofill.classify import classify_form
    from shopper.autofill.page import read_forms

    ctx = step_ctx(LABELS_IN_A_BLOCK)
    [form] = read_forms(ctx.page)
    kinds = [c.kind for c in classify_form([f.info for f in form.fields])]
    assert kinds == [None, None, None, "tel"]
