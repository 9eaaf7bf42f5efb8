"""Autofill's field classifier and planner (pure logic): labels in six languages, autocomplete tokens, selects."""
import pytest

from shopper.autofill.classify import FieldInfo, classify, from_autocomplete, select_option
from shopper.autofill.persona import Persona, persona_from, persona_variables
from shopper.autofill.plan import Control, plan_form
from shopper.config import ShopperIdentity

LABELS = [
    # English
    ("Email address", "email"), ("Your e-mail", "email"), ("First name", "given_name"), ("Last name", "family_name"),
    ("Surname", "family_name"), ("Full name", "name"), ("Your name", "name"), ("Phone number", "tel"),
    ("Mobile", "tel"), ("Company", "company"), ("First line of address", "street"), ("Street address", "street"),
    ("Second line of address", "line2"), ("Apartment, suite, etc.", "line2"), ("Third line of address", "skip"),
    ("City", "city"), ("Town", "city"), ("State/County", "region"), ("Post/Zip-code", "postcode"),
    ("Postcode", "postcode"), ("ZIP", "postcode"), ("Country", "country"), ("Card number", "cc_number"),
    ("Name on card", "cc_name"), ("Cardholder name", "cc_name"), ("Expiry (MM/YY)", "cc_exp"),
    ("Expiration date", "cc_exp"), ("CVC", "cc_csc"), ("Security code", "cc_csc"), ("Message", "message"),
    ("How can we help?", "message"), ("Subject", "subject"), ("Order number", "order_number"),
    ("Order no.", "order_number"), ("Password", "password"), ("Search", "search"), ("Discount code", "coupon"),
    ("Confirm email", "email"), ("Username", "skip"),   # a user name is not an e-mail (Chromium types it UNKNOWN)
    # German
    ("E-Mail-Adresse", "email"), ("Vorname", "given_name"), ("Nachname", "family_name"), ("Telefonnummer", "tel"),
    ("Straße und Hausnummer", "street"), ("Adresszusatz", "line2"), ("PLZ", "postcode"), ("Postleitzahl", "postcode"),
    ("Ort", "city"), ("Stadt", "city"), ("Land", "country"), ("Bundesland", "region"), ("Firma", "company"),
    ("Kartennummer", "cc_number"), ("Karteninhaber", "cc_name"), ("Gültig bis", "cc_exp"), ("Ablaufdatum", "cc_exp"),
    ("Prüfnummer", "cc_csc"), ("Ihre Nachricht", "message"), ("Betreff", "subject"), ("Bestellnummer", "order_number"),
    ("Passwort", "password"), ("Suche", "search"), ("Gutscheincode", "coupon"), ("E-Mail bestätigen", "email"),
    # French
    ("Adresse e-mail", "email"), ("Courriel", "email"), ("Prénom", "given_name"), ("Nom de famille", "family_name"),
    ("Nom", "family_name"), ("Téléphone", "tel"), ("Adresse", "street"), ("Complément d'adresse", "line2"),
    ("Code postal", "postcode"), ("Ville", "city"), ("Pays", "country"), ("Société", "company"),
    ("Numéro de carte", "cc_number"), ("Titulaire de la carte", "cc_name"), ("Date d'expiration", "cc_exp"),
    ("Cryptogramme visuel", "cc_csc"), ("Votre message", "message"), ("Objet", "subject"),
    ("Numéro de commande", "order_number"), ("Mot de passe", "password"), ("Rechercher", "search"),
    # Spanish
    ("Correo electrónico", "email"), ("Nombre", "given_name"), ("Apellidos", "family_name"), ("Teléfono", "tel"),
    ("Dirección", "street"), ("Piso, puerta", "line2"), ("Código postal", "postcode"), ("Ciudad", "city"),
    ("Localidad", "city"), ("País", "country"), ("Provincia", "region"), ("Empresa", "company"),
    ("Número de tarjeta", "cc_number"), ("Titular de la tarjeta", "cc_name"), ("Fecha de caducidad", "cc_exp"),
    ("Código de seguridad", "cc_csc"), ("Mensaje", "message"), ("Asunto", "subject"),
    ("Número de pedido", "order_number"), ("Contraseña", "password"), ("Buscar", "search"),
    # Italian
    ("Indirizzo email", "email"), ("Nome", "given_name"), ("Cognome", "family_name"), ("Telefono", "tel"),
    ("Cellulare", "tel"), ("Indirizzo", "street"), ("Via", "street"), ("CAP", "postcode"), ("Città", "city"),
    ("Paese", "country"), ("Ragione sociale", "company"), ("Numero carta", "cc_number"),
    ("Intestatario della carta", "cc_name"), ("Data di scadenza", "cc_exp"), ("Codice di sicurezza", "cc_csc"),
    ("Messaggio", "message"), ("Oggetto", "subject"), ("Numero d'ordine", "order_number"), ("Cerca", "search"),
    # Dutch
    ("E-mailadres", "email"), ("Voornaam", "given_name"), ("Achternaam", "family_name"),
    ("Telefoonnummer", "tel"), ("Straat", "street"), ("Huisnummer", "skip"), ("Toevoeging", "line2"),
    # a house number box alone takes no street line (Chromium: ADDRESS_HOME_HOUSE_NUMBER)
    ("Postcode", "postcode"), ("Woonplaats", "city"), ("Plaats", "city"), ("Land", "country"),
    ("Bedrijfsnaam", "company"), ("Kaartnummer", "cc_number"), ("Naam op kaart", "cc_name"),
    ("Vervaldatum", "cc_exp"), ("Beveiligingscode", "cc_csc"), ("Bericht", "message"), ("Onderwerp", "subject"),
    ("Bestelnummer", "order_number"), ("Wachtwoord", "password"), ("Zoeken", "search"),
]


@pytest.mark.parametrize("label,kind", LABELS)
def test_label_in_six_languages(label, kind):
    assert classify(FieldInfo(label=label)).kind == kind


@pytest.mark.parametrize("name,kind", [
    ("first_name", "given_name"), ("lastName", "family_name"), ("billing[postcode]", "postcode"),
    ("email", "email"), ("phone_number", "tel"), ("line1", "street"), ("line2", "line2"), ("q", "search"),
    ("country", "country"), ("order", "order_number"), ("message", "message"), ("cardNumber", "cc_number"),
    ("cc-csc", "cc_csc"), ("zip", "postcode"), ("strasse", "street"), ("plz", "postcode"),
])
def test_name_and_id(name, kind):
    assert classify(FieldInfo(name=name)).kind == kind
    assert classify(FieldInfo(id=name)).kind == kind


@pytest.mark.parametrize("token,kind", [
    ("email", "email"), ("shipping given-name", "given_name"), ("section-a billing family-name", "family_name"),
    ("cc-number", "cc_number"), ("cc-exp", "cc_exp"), ("cc-csc", "cc_csc"), ("postal-code", "postcode"),
    ("address-level2", "city"), ("country-name", "country"), ("tel", "tel"), ("username", "email"),
    ("new-password", "password"), ("on", None), ("off", None), ("", None),
])
def test_autocomplete_tokens(token, kind):
    assert from_autocomplete(token) == kind


def test_autocomplete_beats_type_beats_name_beats_label():
    # a misleading label loses to autocomplete; a name loses to the input type
    assert classify(FieldInfo(autocomplete="postal-code", label="City")).kind == "postcode"
    assert classify(FieldInfo(type="email", name="phone")).kind == "email"
    assert classify(FieldInfo(name="first_name", label="Nachname")).kind == "given_name"
    assert classify(FieldInfo(name="field_17", label="Nachname")).kind == "family_name"
    assert classify(FieldInfo(name="x1", placeholder="Ihre E-Mail")).kind == "email"
    assert classify(FieldInfo(name="x1", nearby="Code postal")).kind == "postcode"
    assert classify(FieldInfo(type="hidden", name="email")).kind == "skip"
    assert classify(FieldInfo(tag="textarea", name="notes", label="Instructions")).kind == "message"
    assert classify(FieldInfo(name="x", label="Favourite colour")).kind is None


def test_two_character_expiry_parts():
    assert classify(FieldInfo(name="exp_mm", label="Expiry", maxlength=2)).kind == "cc_exp_month"
    assert classify(FieldInfo(name="exp", label="Expiry YY", maxlength=2)).kind == "cc_exp_year"


COUNTRIES = (("", "-- choose --"), ("GB", "United Kingdom"), ("IE", "Ireland"), ("DE", "Germany"))


@pytest.mark.parametrize("options,wanted,value", [
    (COUNTRIES, ["GB", "united kingdom|britain"], "GB"),
    ((("826", "Vereinigtes Königreich"), ("276", "Deutschland")), ["GB", "vereinigtes k[öo]nigreich"], "826"),
    ((("uk", "Royaume-Uni"), ("fr", "France")), ["GB", "royaume.uni"], "uk"),
    (COUNTRIES, ["NL", "netherlands|nederland"], None),
])
def test_select_by_value_or_text(options, wanted, value):
    assert select_option(FieldInfo(tag="select", options=options), wanted) == value


def _persona(**changes):
    ident = ShopperIdentity(**changes)
    return persona_from(persona_variables(ident, "shopper+t1@mail.test"), password="")


def _controls(*infos):
    return [Control(i, f) for i, f in enumerate(infos)]


def test_plan_fills_an_address_form_and_masks_card_data():
    controls = _controls(FieldInfo(label="First name", required=True), FieldInfo(label="Last name", required=True),
                         FieldInfo(label="E-Mail", type="email", required=True),
                         FieldInfo(tag="select", label="Country", options=COUNTRIES, required=True),
                         FieldInfo(label="Card number", autocomplete="cc-number", required=True),
                         FieldInfo(label="MM/YY", autocomplete="cc-exp"),
                         FieldInfo(tag="textarea", label="Instructions"))
    plan = plan_form(controls, _persona())
    assert not plan.problems
    got = {a.title: (a.value, a.shown()) for a in plan.actions}
    assert got["First name"] == ("Alex", "Alex") and got["Last name"] == ("Shopper", "Shopper")
    assert got["E-Mail"][0] == "shopper+t1@mail.test" and got["Country"] == ("GB", "GB")
    assert got["Card number"] == ("4242 4242 4242 4242", "•••• 4242") and got["MM/YY"][0] == "12/30"
    assert plan.unknown == ["Instructions"]   # a journey's text, not the persona's: left empty


def test_required_field_nobody_fills_names_label_and_setting():
    plan = plan_form(_controls(FieldInfo(label="Telefon", required=True)), _persona(phone=""))
    assert plan.problems == ["required field 'Telefon' is empty: set shopper.phone in config.yaml (persona key 'tel')"]
    plan = plan_form(_controls(FieldInfo(name="fav", label="Favourite colour", required=True)), _persona())
    assert "'Favourite colour'" in plan.problems[0] and "fields:" in plan.problems[0]
    plan = plan_form(_controls(FieldInfo(tag="textarea", label="Your message", required=True)), _persona())
    assert plan.problems == ["required field 'Your message' needs a value from the journey: "
                             "fields: {message: ...} in the step"]


def test_explicit_fields_override_by_kind_or_label():
    controls = _controls(FieldInfo(label="Email", type="email"), FieldInfo(tag="textarea", label="Nachricht"),
                         FieldInfo(label="Card number", autocomplete="cc-number"))
    plan = plan_form(controls, _persona(), {"message": "Hallo", "/card number/i": "4000 0000 0000 0002"})
    got = {a.title: a.value for a in plan.actions}
    assert got == {"Email": "shopper+t1@mail.test", "Nachricht": "Hallo", "Card number": "4000 0000 0000 0002"}
    assert not plan_form(controls, _persona(), {"order_number": "KC-1"}).problems   # by kind: when there is one
    plan = plan_form(controls, _persona(), {"/order number/i": "KC-1"})
    assert plan.problems and "the form has no field labelled '/order number/i'" in plan.problems[0] and "Nachricht" in plan.problems[0]


def test_required_radio_and_checkbox_are_chosen():
    controls = _controls(FieldInfo(type="radio", name="ship", label="Standard", required=True),
                         FieldInfo(type="radio", name="ship", label="Express", required=True),
                         FieldInfo(type="checkbox", name="terms", label="I accept the terms", required=True),
                         FieldInfo(type="checkbox", name="news", label="Send me offers"))
    plan = plan_form(controls, _persona())
    assert [(a.index, a.op) for a in plan.actions] == [(0, "check"), (2, "check")]


def test_persona_shows_no_secrets():
    assert Persona.shown("cc_csc", "123") == "***" and Persona.shown("password", "pw") == "***"


@pytest.mark.parametrize("texts", [
    [f"{i:02d} {m}" for i, m in enumerate(("January", "February", "March", "April", "May", "June", "July", "August",
                                            "September", "October", "November", "December"), 1)],
    ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre",
     "décembre"],
    ["Ene", "Feb", "Mar", "Abr", "May", "Jun", "Jul", "Ago", "Sep", "Oct", "Nov", "Dic"],
])
def test_an_expiry_month_select_counting_from_zero_gets_the_month_it_shows(texts):
    # option values 0-11: the persona's month 12 is the option that shows December, not value "12" or none
    month = FieldInfo(tag="select", label="Expiry month", required=True,
                      options=(("", "Month"),) + tuple((str(i), t) for i, t in enumerate(texts)))
    plan = plan_form(_controls(month), _persona())
    assert [(a.kind, a.value) for a in plan.actions] == [("cc_exp_month", "11")]
