"""The shopper's persona as autofill values: one value per field kind, and the config key that sets it."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

from .patterns import COUNTRY_NAMES

# field kind -> the config key a user sets to give autofill that value
CONFIG_KEYS = {
    "email": "shopper.address", "name": "shopper.name", "given_name": "shopper.given_name",
    "family_name": "shopper.family_name", "tel": "shopper.phone", "company": "shopper.company",
    "street": "shopper.postal.street", "line2": "shopper.postal.line2", "city": "shopper.postal.city",
    "postcode": "shopper.postal.postcode", "region": "shopper.postal.region", "country": "shopper.postal.country",
    "cc_name": "shopper.payment.card.holder", "cc_number": "shopper.payment.card.number",
    "cc_exp": "shopper.payment.card.expiry", "cc_exp_month": "shopper.payment.card.expiry",
    "cc_exp_year": "shopper.payment.card.expiry", "cc_csc": "shopper.payment.card.cvc",
    "password": "shopper.password_env",
    "message": "fields: {message: ...} in the step", "subject": "fields: {subject: ...} in the step",
    "order_number": "fields: {order_number: ...} in the step",
}
MASKED = ("cc_number", "cc_csc", "password")   # recorded as masks, never as values


@dataclass(frozen=True)
class Persona:
    """Values by field kind (empty string: the persona has none) and the shopper's country code."""

    values: Mapping[str, str]
    country_code: str = ""
    payment_method: str = "card"

    def value(self, kind: str) -> str:
        return self.values.get(kind, "")

    def country_choices(self) -> list[str]:
        """What a country select's option may say for the persona's country: code, then names."""
        code = self.country_code.upper()
        return [code, COUNTRY_NAMES[code]] if code in COUNTRY_NAMES else [code]

    @staticmethod
    def shown(kind: str, value: str) -> str:
        """A value as recorded: card numbers keep their last four digits, codes and passwords are masked."""
        if kind == "cc_number":
            digits = "".join(c for c in value if c.isdigit())
            return f"•••• {digits[-4:]}" if digits else "***"
        return "***" if kind in MASKED else value


def persona_variables(ident: Any, email: str) -> dict[str, str]:
    """Built-in `${shopper_*}` variables from `config.shopper` (email: the journey's plus-address)."""
    given, _, family = ident.name.partition(" ")
    card = ident.payment.card
    month, _, year = card.expiry.partition("/")
    return {
        "shopper_email": email, "shopper_name": ident.name,
        "shopper_given_name": ident.given_name or given, "shopper_family_name": ident.family_name or family,
        "shopper_phone": ident.phone, "shopper_company": ident.company,
        "shopper_street": ident.postal.street, "shopper_line2": ident.postal.line2,
        "shopper_city": ident.postal.city, "shopper_postcode": ident.postal.postcode,
        "shopper_region": ident.postal.region, "shopper_country": ident.postal.country,
        "shopper_card_number": card.number, "shopper_card_expiry": card.expiry,
        "shopper_card_exp_month": month.strip(), "shopper_card_exp_year": year.strip(),
        "shopper_card_cvc": card.cvc, "shopper_card_holder": card.holder or ident.name,
        "shopper_place_orders": "true" if getattr(ident, "place_orders", True) else "false",
    }


def payment_preference(payment: Any) -> str:
    """`shopper.payment` as the `${shopper_payment}` variable: its offline method, else its preference
    list (`card, cash_on_delivery, ...`)."""
    if payment.method and payment.method != "card":
        return payment.method
    return ", ".join(payment.prefer) or "card"


def persona_from(variables: Mapping[str, str], password: str = "", payment_method: str = "card") -> Persona:
    """The persona a journey fills forms with: its `${shopper_*}` variables (a site profile or `--var`
    may have changed them)."""
    v = {k[len("shopper_"):]: str(val) for k, val in variables.items() if k.startswith("shopper_")}
    values = {
        "email": v.get("email", ""), "name": v.get("name", ""), "given_name": v.get("given_name", ""),
        "family_name": v.get("family_name", ""), "tel": v.get("phone", ""), "company": v.get("company", ""),
        "street": v.get("street", ""), "line2": v.get("line2", ""), "city": v.get("city", ""),
        "postcode": v.get("postcode", ""), "region": v.get("region", ""), "country": v.get("country", ""),
        "cc_name": v.get("card_holder", ""), "cc_number": v.get("card_number", ""),
        "cc_exp": v.get("card_expiry", ""), "cc_exp_month": v.get("card_exp_month", ""),
        "cc_exp_year": v.get("card_exp_year", ""), "cc_csc": v.get("card_cvc", ""), "password": password,
    }
    return Persona(values, country_code=v.get("country", ""), payment_method=payment_method)
