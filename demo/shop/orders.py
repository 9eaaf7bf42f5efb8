"""Order status lookup, the order page, and the simulated courier's tracking page."""
from __future__ import annotations

from flask import Blueprint, abort, g, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from demo.shop.forms import form_value

bp = Blueprint("orders", __name__)


@bp.route("/order-status", methods=["GET", "POST"])
def order_status() -> str | Response:
    if request.method == "GET":
        return render_template("order_status.html")
    order_no = form_value("order").upper()
    order = g.world.order(order_no) if order_no else None
    if order is None or order.email.lower() != form_value("email").lower():
        abort(404, "Order not found")  # a wrong email gets the same answer: do not confirm the number exists
    return redirect(url_for("orders.order_page", order_no=order.order_no), code=303)


@bp.get("/orders/<order_no>")
def order_page(order_no: str) -> str:
    order = g.world.order(order_no)
    if order is None:
        abort(404, "Order not found")
    tracking_url = (g.world.profile.dead_courier_base + order.order_no) if g.world.has("dead_courier") \
        else f"/courier/track/{order.order_no}"
    return render_template("order.html", order=order, tracking_url=tracking_url, chat_order=order.order_no)


@bp.post("/orders/<order_no>/cancel")
def cancel(order_no: str) -> Response:
    order = g.world.order(order_no)
    if order is None:
        abort(404, "Order not found")
    if order.cancellable:
        g.world.cancel(order.order_no)
    return redirect(url_for("orders.order_page", order_no=order.order_no), code=303)


@bp.get("/courier/track/<order_no>")
def courier(order_no: str) -> tuple[str, int]:
    order = g.world.order(order_no)
    if order is None:
        return render_template("courier.html", order=None, parcel=order_no), 404
    return render_template("courier.html", order=order, parcel=order.order_no), 200
