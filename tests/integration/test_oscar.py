"""The shipped journeys, unchanged, on a real shop nobody here wrote (django-oscar 4.2, multi-step guest
checkout, no <main> landmark, signed order-status links, no contact form, no newsletter)."""
from __future__ import annotations

import dataclasses
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
PROFILE = ROOT / "examples" / "sites" / "oscar.yaml"


@pytest.fixture(scope="module")
def oscar_run(oscar, browser, tmp_path_factory):
    """The four journeys in one run against the session's Oscar, with the shipped profile."""
    base = load_config(ROOT / "config.yaml", environ={})
    config = dataclasses.replace(
        base, var_dir=str(tmp_path_factory.mktemp("oscar-var")), base_dir=str(ROOT),
        sites={**base.sites, "oscar": load_site_file(PROFILE)},
        shopper=dataclasses.replace(base.shopper, address=oscar.login),
        imap=ImapConfig(host="127.0.0.1", port=oscar.dovecot.port, security="none", user=oscar.login,
                        folders=["INBOX"], timeout=Duration(15)))
    store = open_store(config.store_url)
    names = ["track_order", "contact_support", "unsubscribe", "browse_shop"]
    sel = select_journeys([JOURNEYS / f"{n}.yaml" for n in names], config)
    session = AuditSession(config, store, SystemClock(), {"SHOPPER_IMAP_PASSWORD": oscar.password}, browser=browser,
                           redactor=Redactor())
    result = session.run(sel, AuditOptions(base_url=oscar.url, site="oscar"))
    yield result
    store.close()


def _journey(result, name):
    return next(j for j in result.journeys if j.name == name)


def _kinds(result, journey):
    return Counter(f.kind for f in result.findings if f.journey == journey)


def test_track_order_places_a_guest_order_and_follows_the_mail(oscar_run):
    j = _journey(oscar_run, "track_order")
    assert _kinds(oscar_run, "track_order") == Counter(), [(f.kind, f.title) for f in oscar_run.findings]
    assert j.status == "clean", [(s.label, s.status, s.error) for s in j.steps]
    order_no = next(o.data["value"] for o in j.observations if o.kind == "extracted" and o.data["name"] == "order_no")
    assert order_no.isdigit()
    stages = [o.data["url"] for o in j.observations if o.kind == "checkout_page"]
    assert any("/checkout/shipping-address/" in u for u in stages) and stages[-1].endswith("/checkout/thank-you/")
    [route] = [o.data for o in j.observations if o.kind == "route_found"]
    assert route["route"] == "order_status" and route["via"] == "mail" and f"/order-status-form/{order_no}/" in route["url"]
    assert any(o.kind == "tracking_absent" for o in j.observations)   # Oscar shows no courier link


def test_contact_support_finds_no_contact_route(oscar_run):
    assert _kinds(oscar_run, "contact_support") == Counter({"no_contact_route": 1})
    f = next(f for f in oscar_run.findings if f.kind == "no_contact_route")
    assert "mailto:" in f.detail and "~/" in f.detail    # what was looked for, on which pages
    j = _journey(oscar_run, "contact_support")
    assert [s.status for s in j.steps] == ["blocked"] + ["skipped"] * (len(j.steps) - 1)
    assert (j.status, j.worst) == ("findings", "major")   # a known result: the customer cannot go on


def test_unsubscribe_finds_no_newsletter(oscar_run):
    assert _kinds(oscar_run, "unsubscribe") == Counter({"no_newsletter_route": 1})


def test_browse_shop_is_clean(oscar_run):
    assert _kinds(oscar_run, "browse_shop") == Counter(), [(f.kind, f.title) for f in oscar_run.findings]
    assert _journey(oscar_run, "browse_shop").status == "clean"


def test_no_answer_is_expected_from_an_order_confirmation(oscar_run):
    # nothing was written to the shop: no expectation can be answered or breached
    assert not [f for f in oscar_run.findings if f.kind in ("unanswered_email", "unanswered_form")]


def test_init_site_writes_a_profile_and_never_places_an_order(oscar, browser, tmp_path):
    from shopper.init_site import render_profile, survey_site

    context, _ = browser.new_context(block_hosts=[])
    try:
        s = survey_site(context.new_page(), oscar.url + "/", tmp_path)
    finally:
        context.close()
    found = {f.var: f.value for f in s.found if f.var}
    assert found["product_path"] == "/catalogue/the-lighthouse-keepers-almanac_1/"
    assert found["home_path"] == "/catalogue/" and found["login_path"] == "/accounts/login/"
    assert found["contact_path"] is None and found["newsletter_path"] is None
    assert s.landmarks["main"] == 0 and s.landmarks["footer"] >= 1
    last = s.checkout_pages[-1]
    assert last["url"].endswith("/checkout/preview/") and "not pressed" in last["action"]
    assert any("/checkout/shipping-address/" in p["url"] for p in s.checkout_pages)
    path = tmp_path / "oscar.yaml"
    path.write_text(render_profile(s, oscar.url + "/"))
    text = path.read_text()
    assert "#   contact_path: not found — looked for links or buttons named contact" in text
    assert "(no <main>: the journeys search whole pages)" in text
    assert load_site_file(path).vars["product_path"] == found["product_path"]
