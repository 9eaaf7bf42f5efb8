"""The order's life after the confirmation, in the demo world with its injected clock (never a sleep):
shipping notices met or overdue, every tracking/status link in the order's mail checked as a customer would
(dead or tampered: tracking_broken), the order's states recorded with their times; cancel_order cancels
through the shop's route, and a shop with no way to cancel is not_applicable (or no_cancel_route)."""
from __future__ import annotations

import dataclasses
from collections import Counter
from pathlib import Path

import pytest

from demo.mailserver.messages import company_mail
from demo.run import demo_session, run_in_world
from demo.world import DemoWorld
from shopper.audit import AuditOptions, select_journeys
from shopper.config import load_config
from shopper.mail.outgoing import plus_address
from shopper.store import open_store

pytestmark = [pytest.mark.browser, pytest.mark.imap]
ROOT = Path(__file__).resolve().parents[2]
TRACK = ROOT / "journeys" / "track_order.yaml"
CANCEL = ROOT / "journeys" / "cancel_order.yaml"


@pytest.fixture
def demo(tmp_path, browser):
    """A healthy demo world and an audit session on it (the world's clock, mail and DNS)."""
    config = dataclasses.replace(load_config(ROOT / "config.yaml", environ={}), var_dir=str(tmp_path / "var"),
                                 base_dir=str(ROOT))
    store = open_store(config.store_url)
    with DemoWorld.start((), "a") as world, demo_session(world, config, store, browser=browser,
                                                         progress=lambda _: None) as session:
        yield world, session
    store.close()


def kinds(findings):
    return Counter((f.journey, f.kind) for f in findings)


def ordered(world, session):
    """A track_order run: its order's expectation, the shop's URL and the order number."""
    run_in_world(session, world, journeys=[TRACK], days=0)
    [exp] = [e for e in session.store.expectations() if e.kind == "order"]
    return exp, world.shop.url, exp.target


def ship_notice(world, exp, text: str) -> None:
    """The shop's shipping notice for the order, with `text`, into the shopper's mailbox."""
    raw = company_mail(sender="orders@shop-demo.test", to=plus_address(world.login, exp.token),
                       subject=f"Your order {exp.target} is on its way", text=text, when=world.clock.now())
    world.dovecot.append(world.login, "INBOX", raw, when=world.clock.now())


def test_shipping_notice_met_and_its_links_checked(demo):
    world, session = demo
    result = run_in_world(session, world, journeys=[TRACK], days=3)   # the warehouse ships on day 1
    assert result.findings == [], [f.title for f in result.findings]
    [exp] = [e for e in session.store.expectations() if e.kind == "order"]
    assert (exp.channel, exp.state, exp.journey) == ("shipped", "met", "track_order")
    states = [o for o in result.sweep.observations if o.kind == "order_state"]
    assert [(o.data["order_no"], o.data["state"]) for o in states] == [(exp.target, "shipped")]
    assert states[0].data["at"] == exp.answered_at.isoformat()
    links = [o.data for o in result.sweep.observations if o.kind == "tracking"]
    assert {d["url"].split("/", 3)[-1] for d in links} == {f"courier/track/{exp.target}", f"orders/{exp.target}"}
    assert all(d["ok"] and d["source"] == "mail" for d in links)
    from reports.render import render_run
    html = render_run(session.store, result.run_id, session.config.var_path / "r", session.config.var_path) \
        .read_text(encoding="utf-8")
    assert f"Order {exp.target}: shipped notice came after" in html


def test_no_shipping_notice_by_the_deadline_is_shipment_overdue(demo):
    world, session = demo
    run_in_world(session, world, journeys=[TRACK], days=0)
    world.clock.advance(days=2)                 # within ship_within (3d): nothing is judged yet
    _, _, findings = session.sweep()
    assert findings == []
    world.clock.advance(days=1, hours=1)        # past it, and the warehouse never shipped
    _, _, findings = session.sweep()
    assert kinds(findings) == Counter({("track_order", "shipment_overdue"): 1})
    [f] = findings
    assert f.severity == "major" and f.data["target"] in f.title and "shipping notice" in f.title


def test_dead_and_tampered_links_in_the_order_mail_are_tracking_broken(demo):
    world, session = demo
    exp, shop, order = ordered(world, session)
    text = (f"Your order {order} has left our warehouse.\n"
            f"Track your parcel: {shop}/courier/track/{order}\n"           # works
            f"Order status: {shop}/orders/{order}X9\n"                     # tampered: 404
            f"Parcel status: {shop}/order-status?order={order}\n"          # names the order, does not show it
            f"Courier: {shop}/order-status\n"                               # names no order: has only to answer
            f"Follow your parcel: http://track.parcel-courier.test/{order}\n"   # dead host (NXDOMAIN)
            f"Our kettles: {shop}/\n")                                     # not about the order: not checked
    ship_notice(world, exp, text)
    _, result, findings = session.sweep()
    checked = {o.data["url"].replace(shop, "~"): o.data for o in result.observations if o.kind == "tracking"}
    assert set(checked) == {f"~/courier/track/{order}", f"~/orders/{order}X9", f"~/order-status?order={order}",
                            "~/order-status", f"http://track.parcel-courier.test/{order}"}
    assert checked[f"~/courier/track/{order}"]["ok"] and checked["~/order-status"]["ok"]
    assert checked[f"~/orders/{order}X9"]["error"] == "HTTP 404"
    assert checked[f"~/order-status?order={order}"]["error"] == f"the page does not show order {order}"
    assert "NXDOMAIN" in checked[f"http://track.parcel-courier.test/{order}"]["error"]
    assert kinds(findings) == Counter({("track_order", "tracking_broken"): 3})
    assert session.store.expectations(tokens=[exp.token])[0].state == "met"   # the notice itself came


def test_sweep_watch_checks_the_links_in_order_mail_as_a_sweep_does(demo):
    """`sweep --watch`: mail that arrives while watching has its tracking/status links checked (it built its
    Sweeper without the LinkChecker, so a dead link in a shipping notice was never seen)."""
    import threading

    from shopper.watch import watch_mailbox

    world, session = demo
    exp, shop, order = ordered(world, session)
    text = (f"Your order {order} has left our warehouse.\n"
            f"Track your parcel: {shop}/courier/track/{order}\n"          # works
            f"Order status: {shop}/orders/{order}X9\n")                   # tampered: 404
    stop, swept = threading.Event(), []

    def on_sweep(run_id, result, findings) -> None:
        swept.append((run_id, result, findings))
        if len(swept) == 1:   # the first full sweep is done: the notice arrives while watching
            ship_notice(world, exp, text)
        elif result.new_messages:
            stop.set()

    guard = threading.Timer(60, stop.set)   # a watch that never sees the notice fails below instead of hanging
    guard.start()
    try:
        watch_mailbox(session.config, session.store, session.clock, session.environ, stop, on_sweep=on_sweep)
    finally:
        guard.cancel()
    assert len(swept) == 2, "the notice never reached the watch"
    run_id, result, findings = swept[1]
    assert run_id.startswith("watch-")
    checked = {o.data["url"].replace(shop, "~"): o.data for o in result.observations if o.kind == "tracking"}
    assert set(checked) == {f"~/courier/track/{order}", f"~/orders/{order}X9"}
    assert checked[f"~/orders/{order}X9"]["error"] == "HTTP 404"
    assert kinds(findings) == Counter({("track_order", "tracking_broken"): 1})
    assert session.store.run(run_id).status == "stopped"


def test_cancel_order_cancels_on_the_order_page_and_the_refund_comes(demo):
    world, session = demo
    result = run_in_world(session, world, journeys=[CANCEL], days=3)
    assert result.findings == [] and result.journeys[0].status == "clean"
    [cancelled] = [o for o in result.journeys[0].observations if o.kind == "order_cancelled"]
    assert cancelled.data["route"] == "order page" and "Cancelled" in cancelled.data["page_says"]
    assert world.shop.world.order(cancelled.data["order_no"]).cancelled
    assert {(e.channel, e.state) for e in session.store.expectations() if e.kind == "order"} == \
        {("cancelled", "met"), ("refunded", "met")}


def test_refund_that_never_comes_is_refund_overdue(tmp_path, browser):
    config = dataclasses.replace(load_config(ROOT / "config.yaml", environ={}), var_dir=str(tmp_path / "var"),
                                 base_dir=str(ROOT))
    store = open_store(config.store_url)
    try:
        with DemoWorld.start(("refund_never_sent",), "b") as world, \
                demo_session(world, config, store, browser=browser, progress=lambda _: None) as session:
            result = run_in_world(session, world, profile="b", journeys=[CANCEL], days=3)
    finally:
        store.close()
    assert kinds(result.findings) == Counter({("cancel_order", "refund_overdue"): 1})
    assert result.findings[0].severity == "critical"


NO_CANCEL = """name: cancels
tags: [orders]
variables: {order_no: KC-424242, account_path: /login}
steps:
  - open: /
  - cancel_order: {required: "${cancel_required}"}
  - expect: "never looked for"
"""


@pytest.mark.parametrize("required", ["no", "yes"])
def test_a_shop_with_no_way_to_cancel(demo, tmp_path, required):
    world, session = demo
    path = tmp_path / "cancels.yaml"
    path.write_text(NO_CANCEL, encoding="utf-8")
    sel = select_journeys([path], session.config, extra_vars=["cancel_required"])
    result = session.run(sel, AuditOptions(base_url=world.shop.url, variables={"cancel_required": required}))
    [j] = result.journeys
    if required == "no":
        assert (j.status, result.findings) == ("not_applicable", [])
        assert j.reason == ("the shop offers a customer no way to cancel order KC-424242: no cancel link in its "
                            "mails, no cancel button on the order page or in the account")
    else:
        assert kinds(result.findings) == Counter({("cancels", "no_cancel_route"): 1})
        assert result.findings[0].title.startswith("A customer cannot cancel the order")
    assert j.steps[2].status == "skipped"
