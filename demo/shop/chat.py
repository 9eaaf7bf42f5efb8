"""The support chat: POST /chat answers a customer's question from the order's real state (unless lying)."""
from __future__ import annotations

import re

from flask import Blueprint, g, jsonify, request
from werkzeug.wrappers import Response

from demo.shop.world import Order, ShopWorld

bp = Blueprint("chat", __name__)

MAX_QUESTION = 1000
PAYMENT_WORDS = re.compile(r"\b(pay|paid|payment|payments|charge|charged|card|transaction|money|declined|refund)",
                           re.IGNORECASE)
DELIVERY_WORDS = re.compile(r"\b(ship|shipped|deliver|delivery|parcel|track|tracking|where|status|arrive)",
                            re.IGNORECASE)


def _payment_answer(order: Order, world: ShopWorld) -> str:
    if order.paid:
        return f"Your payment for {order.order_no} was received."
    if world.payment_attempts(order.order_no):
        return f"Your payment for {order.order_no} did not go through. You have not been charged."
    return f"We have not received a payment for {order.order_no} yet."


def answer_for(world: ShopWorld, question: str, page_order: str | None) -> tuple[str, str | None]:
    """The chat's answer and the order it is about (named in the question, else the page's order)."""
    prefix = re.escape(world.profile.order_prefix)
    named = re.search(rf"{prefix}\d+", question, re.IGNORECASE)
    order_no = named.group(0).upper() if named else page_order
    order = world.order(order_no) if order_no else None
    about_payment = PAYMENT_WORDS.search(question) is not None
    if about_payment and world.has("payment_inconsistent"):
        return "Your transaction was successful.", order_no
    if order_no and order is None:
        return f"I cannot find an order {order_no}. Please check the number.", order_no
    if about_payment or DELIVERY_WORDS.search(question):
        if order is None:
            example = world.profile.order_no(0)
            return f"Which order is it about? Please tell me the order number (it looks like {example}).", None
        if about_payment:
            return _payment_answer(order, world), order.order_no
        return f"Order {order.order_no}: {order.status}.", order.order_no
    return (f"I can help with payments and deliveries. For anything else, write to "
            f"{world.profile.support_address}."), order_no


@bp.post("/chat")
def chat() -> tuple[Response, int]:
    body = request.get_json(silent=True)
    if not isinstance(body, dict) or not isinstance(body.get("message"), str) or not body["message"].strip():
        return jsonify(error="send JSON like {\"message\": \"...\"}"), 400
    question = body["message"].strip()[:MAX_QUESTION]
    page_order = body.get("order") if isinstance(body.get("order"), str) else None
    world: ShopWorld = g.world
    conversation = body.get("conversation")
    if not isinstance(conversation, str) or not world.knows_conversation(conversation):
        conversation = world.new_conversation()
    answer, order_no = answer_for(world, question, page_order)
    world.record_chat(conversation, question, answer, order_no)
    return jsonify(answer=answer, conversation=conversation), 200
