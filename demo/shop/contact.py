"""The contact page: the support address and a contact form that hands out ticket numbers."""
from __future__ import annotations

from flask import Blueprint, g, render_template, request

from demo.shop.forms import form_value, looks_like_email

bp = Blueprint("contact", __name__)

TOPICS = {"order": "My order", "payment": "Payment", "delivery": "Delivery", "returns": "Returns",
          "other": "Something else"}


@bp.route("/contact", methods=["GET", "POST"])
def contact() -> str:
    if request.method == "GET":
        return render_template("contact.html", topics=TOPICS, errors=[], values={})
    values = {name: form_value(name) for name in ("name", "email", "topic", "message")}
    errors = []
    if not values["name"]:
        errors.append("Please tell us your name.")
    if not looks_like_email(values["email"]):
        errors.append("Please enter a valid email address.")
    if values["topic"] not in TOPICS:
        errors.append("Please choose a topic.")
    if not values["message"]:
        errors.append("Please write a message.")
    if errors:
        return render_template("contact.html", topics=TOPICS, errors=errors, values=values)
    ticket = g.world.submit_contact(values["name"], values["email"], values["topic"], values["message"])
    return render_template("contact_done.html", ticket=ticket)
