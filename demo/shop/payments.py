"""Checkout: the card form, order creation, and what the customer is shown after each payment attempt."""
from __future__ import annotations

import re

from flask import Blueprint, abort, g, render_template, request

from demo.shop.forms import form_value, looks_like_email
from demo.shop.gateway import is_card_number
from demo.shop.world import Order, Product

bp = Blueprint("payments", __name__)


def _product(raw: str | None) -> Product:
    item = g.world.product(int(raw)) if raw and raw.isdigit() else None
    if item is None:
        abort(404, "Product not found")
    return item


def _card_errors(order: Order | None, email: str) -> list[str]:
    errors = []
    if order is None and not looks_like_email(email):
        errors.append("Please enter a valid email address.")
    if not is_card_number(form_value("card")):
        errors.append("Please enter your card number.")
    if not re.fullmatch(r"\d{1,2}\s*/\s*\d{2,4}", form_value("expiry")):
        errors.append("Please enter the expiry date as MM/YY.")
    if not re.fullmatch(r"\d{3,4}", form_value("cvc")):
        errors.append("Please enter the 3-digit security code.")
    return errors


@bp.get("/checkout")
def checkout_form() -> str:
    product = _product(request.args.get("product"))
    return render_template("checkout.html", product=product, order=None, attempt=None, errors=[], email="",
                           chat_order=None, stage="details")


def _details() -> str:
    product = _product(form_value("product"))
    email = form_value("mail")
    missing = [label for name, label in (("fullname", "your name"), ("street", "your street"), ("zip", "your postcode"),
                                         ("town", "your town"), ("land", "your country")) if not form_value(name)]
    errors = ([] if looks_like_email(email) else ["Please enter a valid email address."]) + \
        [f"Please enter {m}." for m in missing]
    return render_template("checkout.html", product=product, order=None, attempt=None, errors=errors, email=email,
                           chat_order=None, stage="details" if errors else "payment")


@bp.post("/checkout")
def checkout_pay() -> str:
    if form_value("step") == "details":   # profile c: a first page for the customer's details
        return _details()
    order: Order | None = None
    if form_value("order"):
        order = g.world.order(form_value("order"))
        if order is None:
            abort(404, "Order not found")
    product = _product(str(order.product_id) if order else form_value("product"))
    email = order.email if order else form_value("email")
    errors = _card_errors(order, email)
    if errors:
        return render_template("checkout.html", product=product, order=order, attempt=None, errors=errors, stage="payment",
                               email=email, chat_order=order.order_no if order else None)
    if order is None:
        order = g.world.place_order(email, product.id)
    attempt = None if order.paid else g.world.pay(order.order_no, form_value("card"))
    return render_template("checkout.html", product=product, order=g.world.order(order.order_no),
                           attempt=attempt, errors=[], email=email, chat_order=order.order_no)
