"""Plain pages: home, products, reviews, legal and social pages, careers, log in and account."""
from __future__ import annotations

from flask import Blueprint, abort, g, redirect, render_template, request, session
from werkzeug.wrappers import Response

bp = Blueprint("pages", __name__)

SIMPLE_PAGES = {
    "privacy": ("Privacy", "We keep your name, address and order history to deliver your kettles. "
                           "We never sell them. Ask us to delete them at any time."),
    "terms": ("Terms", "Prices include VAT. You may return any kettle unused within 30 days."),
    "social": ("Follow us", "Kettle news, descaling tips and the occasional tea pun: "
                            "subscribe to our newsletter to get them first."),
    "careers": ("Careers", "We are hiring a warehouse lead in Leeds. Write to us through the contact page."),
}


@bp.get("/")
def home() -> str:
    return render_template("home.html", products=g.world.products)


@bp.get("/product/<int:product_id>")
def product(product_id: int) -> str:
    item = g.world.product(product_id)
    if item is None:
        abort(404, "Product not found")
    return render_template("product.html", product=item, js_error=g.world.has("js_error"))


@bp.get("/reviews")
def reviews() -> str:
    if g.world.has("server_error"):
        abort(500)
    return render_template("reviews.html")


@bp.get("/<any(privacy, terms, social, careers):name>")
def simple_page(name: str) -> str:
    if name == "careers" and g.world.has("broken_link"):
        abort(404)
    title, text = SIMPLE_PAGES[name]
    return render_template("page.html", title=title, text=text)


@bp.route("/login", methods=["GET", "POST"])
def login() -> str | Response:
    error = None
    username = ""
    if request.method == "POST":
        username = request.form.get("username", "").strip()
        if g.world.check_login(username, request.form.get("password", "")):
            session["user"] = username
            return redirect("/account", code=303)
        error = "Wrong password"
    return render_template("login.html", error=error, username=username)


@bp.get("/account")
def account() -> str | Response:
    if "user" not in session:
        return redirect("/login", code=303)
    return render_template("account.html", user=session["user"])


@bp.get("/logout")
def logout() -> Response:
    session.pop("user", None)
    return redirect("/", code=303)
