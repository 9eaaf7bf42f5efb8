"""No route, no way through the checkout: the findings name what was looked for, where, and keep the evidence."""
from types import SimpleNamespace

import pytest

from checks import Observations, run_checks
from shopper.model import Observation
from shopper.routes.find import LOOKED_FOR

BASE = "http://shop.test"


def _journey(*observations):
    started = Observation("journey_started", "j", None, {"base_url": BASE})
    return SimpleNamespace(name="j", steps=[], observations=[started, *observations], error=None, evidence=[])


@pytest.mark.parametrize("route,kind,severity", [
    ("contact", "no_contact_route", "major"), ("newsletter", "no_newsletter_route", "info"),
    ("unsubscribe", "no_unsubscribe_route", "major"), ("order_status", "no_order_status", "major"),
])
def test_a_missing_route_is_its_own_finding(route, kind, severity):
    o = Observation("route_missing", "j", 0, {"route": route, "looked_for": LOOKED_FOR[route],
                                              "pages": [BASE + "/", BASE + "/help"]})
    [f] = run_checks(Observations([_journey(o)]))
    assert (f.kind, f.severity, f.subject) == (kind, severity, route)
    assert f.detail == f"Looked for {LOOKED_FOR[route]} on: ~/, ~/help"


def test_checkout_blocked_names_the_page_what_was_looked_for_and_the_screenshot():
    o = Observation("checkout_blocked", "j", 2, {"stage": "checkout", "url": BASE + "/checkout/address",
                                                 "title": "Address", "reason": "a field the persona cannot fill",
                                                 "looked_for": "required field 'VAT number' is not one autofill knows",
                                                 "alerts": "", "pages": []}, evidence=("artifacts/x.png",))
    [f] = run_checks(Observations([_journey(o)]))
    assert f.kind == "checkout_blocked" and f.severity == "critical" and f.subject == "checkout:~/checkout/address"
    assert "VAT number" in f.title and f.evidence == ("artifacts/x.png",)
    assert f.detail == f"On {BASE}/checkout/address (Address): a field the persona cannot fill"
