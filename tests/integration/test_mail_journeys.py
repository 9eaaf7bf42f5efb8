"""Mail step kinds on real pages and servers: forms answered by plus-address, addresses found on pages, DNS."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from demo.mailserver.messages import auto_reply
from shopper.audit import run_sweep
from shopper.clock import ManualClock
from tests.integration.test_mail_flow import MailWorld

pytestmark = [pytest.mark.imap, pytest.mark.smtp, pytest.mark.browser]
ROOT = Path(__file__).resolve().parents[2]
MAIL = ROOT / "tests/data/journeys/mail"


@pytest.fixture
def world(tmp_path, imap_user, smtp):
    return MailWorld(tmp_path, imap_user, smtp)


def past():
    return datetime.now(timezone.utc).replace(microsecond=0) - timedelta(days=4)


def test_form_nobody_answers_is_unanswered_and_unacknowledged(world, browser, shop_factory):
    shop = shop_factory(())
    clock = ManualClock(past())
    store = world.store()
    first = world.run(clock, [MAIL / "contact_form.yaml"], store=store, browser=browser, base_url=shop.url)
    assert [s.status for s in first.journeys[0].steps] == ["passed"] * 7
    (sub,) = shop.world.contact_submissions()
    assert "+ms-" in sub.email and sub.email.endswith("@mail.test")
    clock.advance(days=3)
    _, result, findings = run_sweep(world.config, store, clock=clock, environ=world.env)
    assert sorted(f.kind for f in findings) == ["no_acknowledgement", "unanswered_form"]
    store.close()


def test_form_answer_to_the_plus_address_is_matched_without_threading(world, browser, shop_factory):
    shop = shop_factory(())
    clock = ManualClock(past())
    store = world.store()
    world.run(clock, [MAIL / "contact_form.yaml"], store=store, browser=browser, base_url=shop.url)
    (sub,) = shop.world.contact_submissions()
    answer = (f"From: Kettle & Co <care@shop-demo.test>\r\nTo: {sub.email}\r\nSubject: Your request\r\n"
              f"Date: Mon, 5 Jan 2026 10:00:00 +0000\r\nMessage-ID: <a1@shop-demo.test>\r\n\r\n"
              f"Sorry about the kettle, a new one is on its way.\r\n").encode()
    world.deliver(answer, clock.now() + timedelta(minutes=30))
    clock.advance(days=3)
    result = world.sweeper(store, clock).sweep()
    (e,) = store.expectations()
    assert (e.state, e.channel, e.ack_missed) == ("met", "web_form", False)
    assert e.answer_latency == timedelta(minutes=30)
    assert result.new_messages == 1
    store.close()


def test_send_email_to_an_address_found_on_the_page(world, browser, shop_factory):
    shop = shop_factory(())
    clock = ManualClock(past())
    store = world.store()
    world.run(clock, [MAIL / "write_webmaster_from_page.yaml"], store=store, browser=browser, base_url=shop.url)
    sent = world.sent()
    assert list(sent) == ["webmaster@shop-demo.test"]
    world.deliver(auto_reply(sent["webmaster@shop-demo.test"], sender="webmaster@shop-demo.test",
                             text="I am away", when=clock.now()), clock.now() + timedelta(minutes=5))
    clock.advance(days=3)
    world.sweeper(store, clock).sweep()
    (e,) = store.expectations()
    assert e.state == "breached" and e.acked_at is not None   # an auto-reply is not an answer
    store.close()


def test_check_address_through_a_controlled_resolver(world, dns_server, resolver):
    dns_server.set("shop.test", "MX", ["10 mx.shop.test"])
    dns_server.set("mx.shop.test", "A", ["127.0.0.1"])
    dns_server.set("nomail.test", "MX", ["0 ."])
    dns_server.set("aonly.test", "A", ["127.0.0.2"])
    world.write_config(world.dovecot.port,
                       extra=f"dns: {{nameservers: [127.0.0.1], port: {dns_server.port}, timeout: 2s}}\n")
    result = world.run(ManualClock(past()), [MAIL / "check_addresses.yaml"])
    got = sorted((f.kind, f.subject, f.reason) for f in result.findings)
    assert got == [("broken_email", "info@nomail.test", "null_mx"),
                   ("broken_email", "not an address", "syntax"),
                   ("broken_email", "sales@gone.test", "no_domain")]
