"""The order's life after the confirmation: a shipping, delivery, cancellation or refund notice that never came
by its deadline (`expect_order_mail`, resolved by sweeps)."""
from __future__ import annotations

from datetime import datetime
from typing import Iterator

from shopper.model import Finding

from . import Observations, check
from .registry import FindingKind

OVERDUE = {
    "shipped": FindingKind("shipment_overdue", "major", "orders", breach=True,
                           fix="Ship orders (or tell the customer why not) within the promised time, and send "
                               "a shipping notice with a working tracking link.",
                           summary="No shipping notice for an order by its deadline."),
    "delivered": FindingKind("delivery_overdue", "minor", "orders", breach=True,
                             fix="Tell customers when their parcel is delivered (the courier's notice or yours).",
                             summary="No delivery notice for an order by its deadline."),
    "cancelled": FindingKind("cancellation_unconfirmed", "major", "orders", breach=True,
                             fix="Confirm every cancellation by mail, with the order number.",
                             summary="A cancelled order got no cancellation notice by its deadline."),
    "refunded": FindingKind("refund_overdue", "critical", "orders", breach=True,
                            fix="Refund a cancelled, paid order at once and tell the customer: money kept for an "
                                "order that will never come is the complaint that reaches the regulator.",
                            summary="A cancelled, paid order got no refund notice by its deadline."),
}
WHAT = {"shipped": "shipping notice", "delivered": "delivery notice", "cancelled": "cancellation notice",
        "refunded": "refund notice"}


def _when(iso: str | None) -> str:
    return datetime.fromisoformat(iso).strftime("%Y-%m-%d %H:%M UTC") if iso else "?"


@check("order_overdue", kinds=list(OVERDUE.values()))
def order_overdue(obs: Observations) -> Iterator[Finding]:
    for o in obs.of_kind("expectation"):
        d = o.data
        if d.get("kind") != "order" or "breached" not in d["changes"]:
            continue
        notice = d["channel"]
        if notice == "shipped":
            yield Finding.of("shipment_overdue", **_overdue(o, d))
        elif notice == "delivered":
            yield Finding.of("delivery_overdue", **_overdue(o, d))
        elif notice == "cancelled":
            yield Finding.of("cancellation_unconfirmed", **_overdue(o, d))
        elif notice == "refunded":
            yield Finding.of("refund_overdue", **_overdue(o, d))


def _overdue(o, d: dict) -> dict:
    what = WHAT[d["channel"]]
    return dict(severity=OVERDUE[d["channel"]].severity, journey=o.journey, step=o.step,
                subject=d["channel"],   # stable across runs: the same broken promise
                title=f"No {what} for order {d['target']} by {_when(d['answer_deadline'])}",
                detail=f"Order {d['target']}: {what} expected from {_when(d['created_at'])} to "
                       f"{_when(d['answer_deadline'])}; none came to the customer's address.",
                data=dict(d))
