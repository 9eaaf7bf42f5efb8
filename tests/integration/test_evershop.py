"""The shipped journeys, unchanged, on a second real shop nobody here wrote: EverShop 2.2.1 (React single-page
checkout with ARIA comboboxes and radios, a mini-cart after "add to cart", cash on delivery only, no links in
the confirmation mail, no contact page, no newsletter), with the profile the init-site command wrote."""
from __future__ import annotations

import dataclasses
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from shopper.audit import AuditOptions, AuditSession, select_journeys
from shopper.clock import SystemClock
from shopper.config import ImapConfig, load_config, load_site_file
from shopper.duration import Duration
from shopper.secrets import Redactor
from shopper.store import open_store

pytestmark = [pytest.mark.browser, pytest.mark.imap, pytest.mark.smtp, pytest.mark.slow]
ROOT = Path(__file__).resolve().parents[2]
JOURNEYS = ROOT / "journeys"
PROFILE = ROOT / "examples" / "sites" / "evershop.yaml"
NAMES = ["track_order", "contact_support", "unsubscribe", "browse_shop", "retry_payment", "cancel_order"]


def _config(evershop, var_dir: Path):
    base = load_config(ROOT / "config.yaml", environ={})
    return dataclasses.replace(
        base, var_dir=str(var_dir), base_dir=str(ROOT),
        # the profile as shipped, at the port this EverShop listens on (a user's profile names their shop's URL;
        # a later sweep follows the links in the shop's mail to that site's own origin, as the browser does)
        sites={**base.sites, "evershop": dataclasses.replace(load_site_file(PROFILE), base_url=evershop.url)},
        shopper=dataclasses.replace(base.shopper, address=evershop.login),
        imap=ImapConfig(host="127.0.0.1", port=evershop.dovecot.port, security="none", user=evershop.login,
                        folders=["INBOX"], timeout=Duration(15)))


@pytest.fixture(scope="module")
def evershop_audit(evershop, browser, tmp_path_factory):
    """The shipped journeys in one run against the session's EverShop, with the shipped profile: (session, result)."""
    config = _config(evershop, tmp_path_factory.mktemp("evershop-var"))
    store = open_store(config.store_url)
    sel = select_journeys([JOURNEYS / f"{n}.yaml" for n in NAMES], config)
    session = AuditSession(config, store, SystemClock(), {"SHOPPER_IMAP_PASSWORD": evershop.password},
                           browser=browser, redactor=Redactor())
    result = session.run(sel, AuditOptions(base_url=evershop.url, site="evershop"))
    yield session, result
    store.close()


@pytest.fixture(scope="module")
def evershop_run(evershop_audit):
    return evershop_audit[1]


def _journey(result, name):
    return next(j for j in result.journeys if j.name == name)


def _kinds(result, journey):
    return Counter(f.kind for f in result.findings if f.journey == journey)


def _steps(j):
    return [(s.label, s.status, s.error) for s in j.steps]


def test_track_order_places_a_guest_order_through_checkout_and_matches_the_confirmation(evershop_run):
    j = _journey(evershop_run, "track_order")
    orders = [o.data["value"] for o in j.observations if o.kind == "extracted" and o.data["name"] == "order_no"]
    assert orders, (_steps(j), [o.data for o in j.observations if o.kind in ("checkout_blocked", "checkout_page")])
    order_no = orders[0]
    assert order_no.isdigit() and int(order_no) >= 10001
    pages = [o.data for o in j.observations if o.kind == "checkout_page"]
    assert "/checkout/success/" in pages[-1]["url"] and pages[-1]["action"] == f"order number {order_no}"
    filled = [o.data for o in j.observations if o.kind == "form_filled" and o.data["fields"]]
    by_field = {f["field"]: f for d in filled for f in d["fields"]}
    assert by_field["Full name *"]["kind"] == "name" and by_field["Address *"]["kind"] == "street"
    assert by_field["Country *"]["value"] == "United Kingdom"          # an ARIA combobox, not a <select>
    assert by_field["Province *"]["value"] == "England"                # re-rendered after the country
    payment = [o.data for o in j.observations if o.kind == "payment_methods"]
    assert payment[-1]["offered"] == ["cash_on_delivery"] and payment[-1]["chosen"] == "cash_on_delivery"
    steps = {s.label: s for s in j.steps}
    mail = next(s for label, s in steps.items() if label.startswith("wait_for_mail"))
    assert mail.status == "passed", _steps(j)          # the confirmation with this order's number
    assert not [f for f in evershop_run.findings if f.journey == "track_order" and f.kind in (
        "checkout_blocked", "step_failed", "js_error", "page_error")], \
        [(f.kind, f.title) for f in evershop_run.findings if f.journey == "track_order"]
    # exactly: no way to see the order before it ships (the only status link comes in the shipment mail)
    assert _kinds(evershop_run, "track_order") == Counter({"no_order_status": 1})


def _order_no(result) -> str:
    j = _journey(result, "track_order")
    return next(o.data["value"] for o in j.observations if o.kind == "extracted" and o.data["name"] == "order_no")


def _shipping(session, order_no: str):
    return [e for e in session.store.expectations()
            if e.kind == "order" and e.journey == "track_order" and e.target == order_no and e.channel == "shipped"]


def test_after_the_shop_ships_a_sweep_checks_the_shipment_mail_link_and_the_notice_is_met(evershop, evershop_audit):
    session, result = evershop_audit
    order_no = _order_no(result)
    [exp] = _shipping(session, order_no)
    assert exp.state == "open"                      # nobody has shipped yet: within ship_within, not a finding
    arrived = len(evershop.relay.messages)
    evershop.ship(order_no)                         # what staff do in /admin: a shipment and its "on the way" mail
    evershop.relay.wait_for(arrived + 1, timeout=60)
    _, sweep, findings = session.sweep()
    [exp] = _shipping(session, order_no)
    assert exp.state == "met", (exp, [o.data for o in sweep.observations if o.kind.startswith("order")])
    states = [o.data for o in sweep.observations if o.kind == "order_state"]
    assert (order_no, "shipped") in [(d["order_no"], d["state"]) for d in states]
    links = [o.data for o in sweep.observations if o.kind == "tracking"]
    assert links and all(d["ok"] and d["source"] == "mail" for d in links), \
        [(o.kind, o.data) for o in sweep.observations if o.kind not in ("mail_received",)]
    assert any("/track" in d["url"] for d in links), links    # EverShop's "View order details" (a JWT link)
    assert not [f for f in findings if f.kind in ("tracking_broken", "shipment_overdue")], \
        [(f.kind, f.title) for f in findings]


def test_contact_support_finds_no_contact_route(evershop_run):
    assert _kinds(evershop_run, "contact_support") == Counter({"no_contact_route": 1})


def test_unsubscribe_finds_no_newsletter(evershop_run):
    assert _kinds(evershop_run, "unsubscribe") == Counter({"no_newsletter_route": 1})


def test_browse_shop_is_clean(evershop_run):
    assert _kinds(evershop_run, "browse_shop") == Counter(), [(f.kind, f.title) for f in evershop_run.findings]
    assert _journey(evershop_run, "browse_shop").status == "clean"


def test_retry_payment_is_not_applicable_and_places_no_order(evershop_run):
    j = _journey(evershop_run, "retry_payment")
    assert j.status == "not_applicable", _steps(j)
    assert _kinds(evershop_run, "retry_payment") == Counter()
    [na] = [o.data for o in j.observations if o.kind == "not_applicable"]
    assert na["reason"] == "the shop offers no card payment (it offers: cash on delivery)"
    [step] = [s for s in j.steps if s.kind == "checkout"]
    assert "the shop offers no card payment" in (step.error or ""), _steps(j)
    assert not any(o.kind == "extracted" for o in j.observations)
    pages = [o.data["url"] for o in j.observations if o.kind == "checkout_page"]
    assert not any("/checkout/success" in u for u in pages)        # no order was placed
    assert "checkout_blocked" not in _kinds(evershop_run, "retry_payment")


def test_cancel_order_is_not_applicable_as_a_guest_has_no_way_to_cancel(evershop_run):
    j = _journey(evershop_run, "cancel_order")
    assert j.status == "not_applicable", _steps(j)
    assert "cancel" in (j.reason or ""), j.reason      # the reason is shown in the report and JSON
    assert any("/checkout/success" in o.data["url"] for o in j.observations if o.kind == "checkout_page")
    assert _kinds(evershop_run, "cancel_order") == Counter()   # not applicable is not a finding


def test_init_site_command_writes_the_shipped_profile(evershop, tmp_path):
    out = tmp_path / "evershop.yaml"
    run = subprocess.run([sys.executable, str(ROOT / "runner.py"), "init-site", evershop.url, "--out", str(out),
                          "--var-dir", str(tmp_path / "var")], capture_output=True, text=True, timeout=300,
                         cwd=ROOT)
    assert run.returncode == 0, run.stderr
    assert f"site profile: {out}" in run.stdout
    written = load_site_file(out).vars
    shipped = load_site_file(PROFILE).vars
    hand_edited = {"reviews_path"}
    assert written == {k: v for k, v in shipped.items() if k not in hand_edited}
    text = out.read_text()
    assert "would press 'Place Order' (dry run: not pressed)" in text   # followed the mini-cart to the checkout
    assert "#   contact_path: not found" in text and "#   newsletter_path: not found" in text


def test_place_orders_false_stops_before_the_final_button(evershop, browser, tmp_path):
    config = _config(evershop, tmp_path / "var")
    config = dataclasses.replace(config, shopper=dataclasses.replace(config.shopper, place_orders=False))
    store = open_store(config.store_url)
    try:
        sel = select_journeys([JOURNEYS / "track_order.yaml"], config)
        session = AuditSession(config, store, SystemClock(), {"SHOPPER_IMAP_PASSWORD": evershop.password},
                               browser=browser, redactor=Redactor())
        result = session.run(sel, AuditOptions(base_url=evershop.url, site="evershop"))
    finally:
        store.close()
    [j] = result.journeys
    assert j.status == "incomplete" and not result.findings, [(f.kind, f.title) for f in result.findings]
    [step] = [s for s in j.steps if s.kind == "checkout"]
    assert step.status == "skipped" and "shopper.place_orders is false" in step.error
    assert "'Place Order'" in step.error
    assert not any("/checkout/success" in o.data["url"] for o in j.observations if o.kind == "checkout_page")
    assert all(s.status == "skipped" for s in j.steps[j.steps.index(step):])
