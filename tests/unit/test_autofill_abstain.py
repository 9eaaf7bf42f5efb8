"""Autofill leaves a field empty when its evidence conflicts or names a value the persona does not hold (a wrong
value in a field is worse than an empty one): each class of mistake found on Chromium's regression forms."""
import pytest

from shopper.autofill.classify import SKIP_KINDS, FieldInfo, classify, classify_form, head

PERSONA_KINDS_FILLED = ("email", "name", "given_name", "family_name", "tel", "company", "street", "line2", "city",
                        "postcode", "region", "country", "cc_name", "cc_number", "cc_exp", "cc_exp_month",
                        "cc_exp_year", "cc_csc")


@pytest.mark.parametrize("field", [
    FieldInfo(name="altBillState", label="Other State/Province:"),          # name: a state; label: not ours
    FieldInfo(name="zip", label="Find a store"),                             # a store finder's postcode
    FieldInfo(name="plz", label="Filiale finden"),
    FieldInfo(name="cp", placeholder="Trouver un magasin"),
    FieldInfo(name="codigo_postal", label="Buscar tienda"),
    FieldInfo(name="cap", aria_label="Trova un negozio"),
    FieldInfo(name="postcode", label="Vind een winkel"),
    FieldInfo(name="logonId", nearby="Email Address:"),                      # a log-on id, whatever its label
    FieldInfo(type="email", name="userName", placeholder="Username or Email address"),
    FieldInfo(name="zipCode", label="Gift card number"),
])
def test_a_word_that_says_not_ours_wins_over_a_persona_word(field):
    assert classify(field).kind not in PERSONA_KINDS_FILLED


@pytest.mark.parametrize("label", [
    # values the persona does not hold, in the six languages
    "Job title", "Business title", "Berufsbezeichnung", "Titre du poste", "Puesto de trabajo", "Functietitel",
    "Member ID", "Membership number", "Customer number", "Kundennummer", "Numéro de client", "Número de socio",
    "Numero cliente", "Klantnummer", "Loyalty card", "Landmark", "Land-mark:", "Punto de referencia",
    "Name your price:", "Amount", "Betrag", "Prix", "Precio", "Prezzo", "Bedrag", "Attn. Line", "Zu Händen",
    "Primer apellido", "Segundo apellido", "Apellido materno", "Apellidos Paterno:",
])
def test_a_value_the_persona_does_not_hold_is_left_empty(label):
    assert classify(FieldInfo(label=label)).kind in (*SKIP_KINDS, None)    # a kind the planner knows to skip


def test_the_pages_own_name_for_a_value_we_do_not_hold():
    assert classify(FieldInfo(name="businessTitle")).kind not in PERSONA_KINDS_FILLED    # not a company
    assert classify(FieldInfo(type="tel", name="TxtRzMembershipId")).kind not in PERSONA_KINDS_FILLED
    assert classify(FieldInfo(name="userPrice", label="Name your price:")).kind not in PERSONA_KINDS_FILLED


@pytest.mark.parametrize("field", [
    FieldInfo(tag="select", type="select", name="custtype", label="Is this purchase for personal or business use?",
              options=(("1", "Personal"), ("2", "Business"))),
    FieldInfo(tag="select", type="select", name="EmailAddressList"),
    FieldInfo(tag="select", type="select", name="PhoneList"),
])
def test_a_select_holds_no_free_text_value(field):
    assert classify(field).kind is None


def test_a_select_still_takes_a_country_or_a_region():
    assert classify(FieldInfo(tag="select", type="select", name="country", options=(("DE", "Germany"),))).kind \
        == "country"
    assert classify(FieldInfo(tag="select", type="select", label="State*")).kind == "region"


def test_a_long_label_is_read_by_its_head():
    # validation and help text after the label names other fields
    city = "City Please enter a city. Please remove any special characters. Please double-check the city, state, " \
           "and ZIP code."
    assert head(city) == "city please enter a city"
    assert classify(FieldInfo(label=city)).kind == "city"
    phone = ("Phone Information Phone Number for Shipping This phone number will only be used by the shipping "
             "carrier if there are questions about delivering your order.")
    assert classify(FieldInfo(type="tel", label=phone)).kind == "tel"
    attachment = ("附加檔案Attachment (檔名請使用英文及數字命名，勿用特殊字元及非英數字母以外字元，檔名勿超過 10 個字元，"
                  "檔案格式限定為 .doc(x),.xls(x),.txt,.jpg, .bmp,.gif, .rar,.zip,.pdf)")
    assert classify(FieldInfo(nearby=attachment)).kind is None
    # a short one is read whole, required marks dropped
    assert classify(FieldInfo(label="Yahoo! ID and Email")).kind == "email"
    assert head("• Zip/Postal Code:*") == "zip/postal code"


def test_a_type_email_box_the_page_calls_username_is_an_email():
    # a guest checkout's e-mail box is often the login form's `username` (django-oscar's gateway)
    assert classify(FieldInfo(type="email", name="username", label="My email address is")).kind == "email"


def test_a_card_holder_by_cc_name_or_as_it_appears_on_the_card():
    assert classify(FieldInfo(name="ccFullName")).kind == "cc_name"
    assert classify(FieldInfo(name="x", nearby="(as it appears on the card)")).kind == "cc_name"
    assert classify(FieldInfo(name="x", label="Nom tel qu'il apparaît sur la carte")).kind == "cc_name"


def test_a_gift_card_pin_or_a_card_on_file_code_is_no_password_or_code_of_ours():
    assert classify(FieldInfo(type="password", name="CouponPin", label="Enter Your Gift Card Pin Number:")).kind \
        == "skip"
    assert classify(FieldInfo(type="password", name="WalletCCSecurityCode", label="Security code")).kind == "skip"
    # a login form's password stays a password, a card's hidden code a code
    assert classify(FieldInfo(type="password", name="login_password", label="Password")).kind == "password"
    assert classify(FieldInfo(type="password", name="cvv", label="Security code")).kind == "cc_csc"


def _kinds(*fields):
    return [c.kind for c in classify_form(list(fields))]


def test_a_second_line_2_after_the_street_is_the_third_line():
    assert _kinds(FieldInfo(label="Street Address:"), FieldInfo(label="Apt/Suite:"),
                  FieldInfo(label="Street Address Line 2 (optional):"), FieldInfo(label="City:")) \
        == ["street", "line2", "skip", "city"]
    # billing then shipping: each address has its line 2
    assert _kinds(FieldInfo(label="Address"), FieldInfo(label="Address 2"), FieldInfo(label="Address"),
                  FieldInfo(label="Address 2")) == ["street", "line2", "street", "line2"]


@pytest.mark.parametrize("labels,kinds", [
    (("Name:", "Surname:"), ["given_name", "family_name"]),
    (("Vorname", "Name"), ["given_name", "family_name"]),
    (("Nom", "Prénom"), ["family_name", "given_name"]),
    (("Full name", "Surname"), ["name", "family_name"]),          # a full name stays whole
    (("Name", "Email"), ["name", "email"]),
])
def test_a_bare_name_beside_one_part_of_the_name_is_the_other_part(labels, kinds):
    assert _kinds(*(FieldInfo(label=t) for t in labels)) == kinds


@pytest.mark.parametrize("number_label", ["*Número:", "Número da residência:", "Numero civico", "Hausnummer*"])
def test_a_street_split_from_its_house_number_is_left_empty(number_label):
    assert _kinds(FieldInfo(label="Endereço:"), FieldInfo(label=number_label), FieldInfo(label="Cidade:")) \
        == ["skip", "skip", "city"]


MONTHS = (("", "Month"),) + tuple((str(i), f"{i + 1:02d} {m}") for i, m in enumerate(
    ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November",
     "December")))
YEARS = (("", "Year"),) + tuple((str(i), str(2025 + i)) for i in range(10))


def test_an_expiry_select_is_its_month_or_year_by_its_options():
    # `Expiration Date` over two selects of month names and years: never the whole date in one select
    month = FieldInfo(tag="select", type="select", nearby="Expiration Date", options=MONTHS)
    year = FieldInfo(tag="select", type="select", options=YEARS)
    assert _kinds(month, year) == ["cc_exp_month", "cc_exp_year"]
    # a list of years with no words is no expiry year unless it follows the month
    assert _kinds(year) == [None]
