"""`expect_order_mail`: leave an expectation on the order: mail saying it shipped (was delivered, cancelled,
refunded) must come within a time."""
from __future__ import annotations

from typing import Literal

from ..duration import Duration
from ..errors import StepError
from .registry import step_kind

PAID_METHODS = ("card",)   # the persona's payment methods that take the money with the order


@step_kind("expect_order_mail")
class ExpectOrderMail:
    """After an order (or its cancellation), expect mail about it — to this journey's address, naming the
    order number — that says `notice` happened (shipped, delivered, cancelled, refunded; six languages)
    within `within` (a duration, or a variable such as `${ship_within}`). Later sweeps resolve it with an
    injected clock: met, or breached (`shipment_overdue`, `delivery_overdue`, `cancellation_unconfirmed`,
    `refund_overdue`); they record the order's states with their times and check every tracking or status
    link in its mail (`tracking_broken`). With `if_paid: true` it applies only to an order paid when placed
    (the persona paid by card): otherwise the step notes that it does not apply.

        - expect_order_mail: {notice: shipped, within: "${ship_within}"}
        - expect_order_mail: {notice: refunded, within: "${refund_within}", if_paid: true}
    """

    notice: Literal["shipped", "delivered", "cancelled", "refunded"] = "shipped"
    within: str = "3d"
    order: str = "${order_no}"
    if_paid: bool = False
    uses_page = False
    needs = ("imap",)   # the notice is read by sweeps

    def problems(self) -> list[str]:
        if "${" not in self.within:
            try:
                Duration.parse(self.within)
            except ValueError as e:
                return [f"within: {e}"]
        return []

    def run(self, ctx) -> str:
        order_no = ctx.value(self.order).strip()
        if not order_no:
            raise StepError(f"no order number in {self.order!r}: put expect_order_mail after the step that "
                            "places the order (checkout, extract)")
        # the method the checkout chose (else the persona's first preference): `shopper_payment` is a list
        method = ctx.state.variables.get("order_payment") or \
            str(ctx.state.variables.get("shopper_payment") or "card").split(",")[0].strip()
        if self.if_paid and method not in PAID_METHODS:
            return (f"not applicable: order {order_no} was not paid when placed "   # a note; the journey goes on
                    f"({method}), so no {self.notice} mail is expected")
        try:
            within = Duration.parse(ctx.value(self.within))
        except ValueError as e:
            raise StepError(f"within: {e}") from None
        ctx.record("order_mail_expected", {"token": ctx.state.journey_token, "order_no": order_no,
                                           "notice": self.notice, "within_s": within.seconds})
        return f"mail saying order {order_no} was {self.notice} expected within {within}"
