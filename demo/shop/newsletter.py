"""Newsletter subscribe, the unsubscribe form, and the one-click unsubscribe endpoint (RFC 8058)."""
from __future__ import annotations

from flask import Blueprint, abort, g, render_template, request

from demo.shop.forms import form_value, looks_like_email

bp = Blueprint("newsletter", __name__)

ONE_CLICK_BODY = "List-Unsubscribe=One-Click"


def _unsubscribe_address() -> str:
    profile = g.world.profile
    return profile.wrong_unsubscribe_address if g.world.has("unsubscribe_wrong_address") \
        else profile.unsubscribe_address


@bp.route("/newsletter", methods=["GET", "POST"])
def newsletter() -> str:
    if request.method == "GET":
        return render_template("newsletter.html", error=None, email="")
    email = form_value("email")
    if not looks_like_email(email):
        return render_template("newsletter.html", error="Please enter a valid email address.", email=email)
    g.world.add_subscriber(email)
    return render_template("subscribed.html", email=email)


@bp.route("/unsubscribe", methods=["GET", "POST"])
def unsubscribe_form() -> str:
    address = _unsubscribe_address()
    if request.method == "GET":
        return render_template("unsubscribe.html", error=None, email="", address=address)
    email = form_value("email")
    if not looks_like_email(email):
        return render_template("unsubscribe.html", error="Please enter a valid email address.",
                               email=email, address=address)
    g.world.unsubscribe(email, "form")
    return render_template("unsubscribed.html", address=address)


@bp.route("/u/<token>", methods=["GET", "POST"])
def one_click(token: str) -> str:
    email = g.world.email_for_token(token)
    if email is None:
        abort(404, "This unsubscribe link is not valid")
    if request.method == "GET":  # never unsubscribe on GET: link scanners and prefetchers follow links
        return render_template("unsubscribe_confirm.html", email=email)
    one_click_post = (request.form.get("List-Unsubscribe") == "One-Click"
                      or request.get_data(as_text=True).strip() == ONE_CLICK_BODY)
    g.world.unsubscribe(email, "one-click" if one_click_post else "link")
    return render_template("unsubscribed.html", address=_unsubscribe_address())
