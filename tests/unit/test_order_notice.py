"""What a shop's mail says about an order, and how order expectations resolve (pure logic)."""
from datetime import datetime, timedelta, timezone

import pytest

from shopper.expectations import Arrival, Expectation, apply_arrival, apply_deadlines
from shopper.mail.order_notice import mentions_order, order_states

T0 = datetime(2026, 1, 5, 9, 0, tzinfo=timezone.utc)
D = timedelta(days=1)


@pytest.mark.parametrize("subject, text, states", [
    ("Your order #10001 is on the way", "", {"shipped"}),
    ("Ihre Bestellung 10001 wurde versandt", "", {"shipped"}),
    ("Votre commande 10001 a été expédiée", "", {"shipped"}),
    ("Tu pedido 10001 ha sido enviado", "", {"shipped"}),
    ("Il tuo ordine 10001 è stato spedito", "", {"shipped"}),
    ("Je bestelling 10001 is verzonden", "", {"shipped"}),
    ("Your parcel", "Your order 10001 was delivered today.", {"delivered"}),
    ("Commande 10001 annulée", "Le remboursement a été effectué.", {"cancelled", "refunded"}),
    ("Order 10001 confirmed", "We will let you know when your order has shipped.", set()),
    ("Bestellbestätigung 10001", "Sobald Ihre Bestellung versandt wurde, erhalten Sie eine E-Mail.", set()),
    ("Refund for order 10001", "We have refunded EUR 89.00 to your card.", {"refunded"}),
])
def test_order_states(subject, text, states):
    assert order_states(subject, text) == states


def test_mentions_order_as_a_whole_number():
    assert mentions_order("Order #10001 shipped", "10001") and mentions_order("order kc-10001", "KC-10001")
    assert not mentions_order("Order 100012 shipped", "10001") and not mentions_order("Order X-10001", "10001")
    assert not mentions_order("anything", "")


def order_exp(**kw):
    base = dict(token="tok", journey="track_order", channel="shipped", target="10001", created_at=T0,
                answer_deadline=T0 + 3 * D, kind="order")
    return Expectation(**{**base, **kw})


def arrival(at, orders=("10001",), states=("shipped",)):
    return Arrival("transactional", "shop@x.test", at, summary={"orders": orders, "states": states})


def test_a_notice_about_the_order_meets_it():
    e = apply_arrival(order_exp(), arrival(T0 + D))
    assert (e.state, e.answered_at, e.resolved_at) == ("met", T0 + D, T0 + D)


@pytest.mark.parametrize("a", [arrival(T0 + D, orders=()), arrival(T0 + D, states=("cancelled",))])
def test_mail_about_another_order_or_state_does_not(a):
    assert apply_arrival(order_exp(), a).state == "open"


def test_no_notice_by_the_deadline_is_breached_after_a_good_sweep_only():
    assert apply_deadlines(order_exp(), T0 + 4 * D, sweep_ok=False).state == "open"
    assert apply_deadlines(order_exp(), T0 + 2 * D, sweep_ok=True).state == "open"
    late = apply_deadlines(order_exp(), T0 + 4 * D, sweep_ok=True)
    assert late.state == "breached"
    assert apply_arrival(late, arrival(T0 + 5 * D)).answered_at == T0 + 5 * D   # kept as late


def test_a_refused_link_in_order_mail_is_an_observation_not_a_tracking_result():
    """A link the reach policy refuses (an internal address in the shop's mail) is never called working or broken."""
    from types import SimpleNamespace

    from shopper.model import Observation
    from shopper.order_watch import order_mail_observations
    from shopper.probes.http import LinkResult

    checker = SimpleNamespace(fetch_text=lambda url: (LinkResult(url, False, refused="link to a private address, "
                                                                 "not followed"), ""))
    exp = SimpleNamespace(target="KC-1", journey="track_order", step=3)
    c = SimpleNamespace(subject="Your order KC-1 has shipped", excerpt="Track it", from_addr="shop@shop.test")
    m = SimpleNamespace(internaldate=datetime(2026, 1, 2, tzinfo=timezone.utc))
    obs = order_mail_observations([exp], c, m, [("http://10.0.0.5/track/KC-1", "Track")], checker,
                                  lambda kind, journey, step, data: Observation(kind, journey, step, data, "t"))
    kinds = [o.kind for o in obs]
    assert "tracking" not in kinds and kinds.count("link_refused") == 1
    assert obs[-1].data["url"] == "http://10.0.0.5/track/KC-1" and "private" in obs[-1].data["reason"]
