"""Mailbox probes end to end: real SMTP (aiosmtpd), real Dovecot, the store, the clock moved by days."""
from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from demo.mailserver.messages import auto_reply, person_reply, postfix_bounce
from shopper.audit import AuditOptions, AuditSession, run_sweep, select_journeys
from shopper.clock import ManualClock
from shopper.config import load_config
from shopper.store import open_store
from shopper.sweep import Sweeper
from shopper.probes.mail import imap_settings
from shopper.secrets import Redactor

pytestmark = [pytest.mark.imap, pytest.mark.smtp]
ROOT = Path(__file__).resolve().parents[2]
JOURNEY = ROOT / "tests/data/journeys/mail/write_support.yaml"


class MailWorld:
    """A config on disk pointing at the test SMTP server and a fresh Dovecot user, plus helpers."""

    def __init__(self, tmp_path, imap_user, smtp, imap_port=None):
        self.tmp, self.user, self.smtp = tmp_path, imap_user, smtp
        self.dovecot = imap_user.server
        self.config_path = tmp_path / "config.yaml"
        self.write_config(imap_port or self.dovecot.port)
        self.env = {"SHOPPER_IMAP_PASSWORD": imap_user.password}

    def write_config(self, imap_port, folders='["INBOX", "\\\\Junk"]', extra=""):
        self.config_path.write_text(f"""
var_dir: {self.tmp / 'var'}
shopper: {{address: "{self.user.login}", name: Alex Shopper}}
smtp: {{host: 127.0.0.1, port: {self.smtp.port}, security: none}}
imap: {{host: 127.0.0.1, port: {imap_port}, security: none, user: "{self.user.login}", folders: {folders}}}
sites:
  shop: {{base_url: "http://127.0.0.1:9", vars: {{support_address: support@shop.test,
          webmaster_address: webmaster@shop.test}}}}
default_site: shop
{extra}""")

    @property
    def config(self):
        return load_config(self.config_path, environ={})

    def store(self):
        return open_store(self.config.store_url)

    def run(self, clock, paths=(JOURNEY,), store=None, browser=None, base_url=None):
        own = store is None
        store = store or self.store()
        try:
            sel = select_journeys(paths, self.config)
            assert not sel.invalid, [str(p) for e in sel.invalid for p in e.problems]
            session = AuditSession(self.config, store, clock, self.env, redactor=Redactor(), browser=browser)
            return session.run(sel, AuditOptions(base_url=base_url))
        finally:
            if own:
                store.close()

    def sent(self):
        return {m.rcpt_tos[0]: m.data for m in self.smtp.messages}

    def deliver(self, raw, when, folder="INBOX"):
        return self.dovecot.append(self.user.login, folder, raw, when=when)

    def sweeper(self, store, clock):
        return Sweeper(store, imap_settings(self.config, Redactor(), self.env), clock)


@pytest.fixture
def world(tmp_path, imap_user, smtp):
    return MailWorld(tmp_path, imap_user, smtp)


def now_utc():
    return datetime.now(timezone.utc).replace(microsecond=0)


def cli(world, *args, now=None):
    env = {**os.environ, **world.env}
    if now:
        env["SHOPPER_NOW"] = now.isoformat()
    return subprocess.run([sys.executable, str(ROOT / "runner.py"), *args, "--config", str(world.config_path)],
                          cwd=ROOT, capture_output=True, text=True, timeout=120, env=env)


def test_reply_and_bounce_matched_across_two_processes_two_days_later(world):
    t0 = now_utc() - timedelta(days=3)    # in the past: IMAP servers keep no arrival dates in the future
    first = cli(world, "run", str(JOURNEY), "--no-report", now=t0)
    assert first.returncode == 0, first.stdout + first.stderr
    sent = world.sent()
    support, webmaster = sent["support@shop.test"], sent["webmaster@shop.test"]
    world.deliver(auto_reply(support, sender="helpdesk@shop.test", text="Ticket #77 opened.",
                             when=t0 + timedelta(minutes=10)), t0 + timedelta(minutes=10))
    world.deliver(person_reply(support, sender="ann@shop.test", text="It ships Monday.",
                               when=t0 + timedelta(hours=20)), t0 + timedelta(hours=20))
    world.deliver(postfix_bounce(webmaster, recipient="webmaster@shop.test", status="5.2.2",
                                 diagnostic="552 5.2.2 <webmaster@shop.test>: Mailbox full",
                                 when=t0 + timedelta(minutes=1), remote_mta="mx.shop.test"),
                  t0 + timedelta(minutes=1), folder="Junk")
    second = cli(world, "sweep", now=t0 + timedelta(days=2, hours=1))
    assert second.returncode == 1, second.stdout + second.stderr
    assert "[major] bounced_mailbox: Mail to webmaster@shop.test bounced: mailbox full (5.2.2)" in second.stdout
    assert "unanswered" not in second.stdout
    store = world.store()
    try:
        by_target = {e.target: e for e in store.expectations()}
        s, w = by_target["support@shop.test"], by_target["webmaster@shop.test"]
        assert s.state == "met" and not s.ack_missed
        assert timedelta(minutes=9) < s.ack_latency < timedelta(minutes=11)
        assert timedelta(hours=19) < s.answer_latency < timedelta(hours=21)
        assert w.state == "bounced" and w.bounce["reason"] == "mailboxfull" and w.bounce["status"] == "5.2.2"
        assert w.bounce["diagnostic"] == "552 5.2.2 <webmaster@shop.test>: Mailbox full"
        assert len(store.messages()) == 3 and store.messages(unmatched=True) == []
    finally:
        store.close()
    again = cli(world, "sweep", now=t0 + timedelta(days=2, hours=2))
    assert again.returncode == 0 and "sweep: 0 new message(s), 0 finding(s)" in again.stdout


def test_failed_sweep_declares_no_breach_and_a_good_one_does(world, tmp_path):
    clock = ManualClock(now_utc())
    store = world.store()
    world.run(clock, store=store)
    clock.advance(days=3)
    world.write_config(imap_port=1)   # nothing listens there
    down = run_sweep_safely(world, store, clock)
    assert not down.ok and "127.0.0.1:1" in down.error
    assert {e.state for e in store.expectations()} == {"open"}
    world.write_config(imap_port=world.dovecot.port)
    _, up, findings = run_sweep(world.config, store, clock=clock, environ=world.env)
    assert up.ok
    assert sorted((f.kind, f.subject) for f in findings) == [
        ("no_acknowledgement", "email:support@shop.test"),
        ("unanswered_email", "email:support@shop.test"),
        ("unanswered_email", "email:webmaster@shop.test")]
    assert {e.state for e in store.expectations()} == {"breached"}
    store.close()


def run_sweep_safely(world, store, clock):
    _, result, findings = run_sweep(world.config, store, clock=clock, environ=world.env)
    assert [f.kind for f in findings] == ["probe_unavailable"]
    assert "2 expectation(s) stay open" in findings[0].title
    return result


def test_send_time_rejection_is_a_broken_email(world):
    world.smtp.reject_rcpt("webmaster@shop.test", "550 5.1.1 <webmaster@shop.test>: Recipient address rejected")
    result = world.run(ManualClock(now_utc()))
    (f,) = [f for f in result.findings if f.kind == "broken_email"]
    assert f.subject == "webmaster@shop.test" and f.reason == "smtp 550"
    assert "550 5.1.1" in f.title


def test_restart_resumes_from_stored_uid_and_uidvalidity_change_counts_nothing_twice(world):
    clock = ManualClock(now_utc())
    store = world.store()
    world.run(clock, store=store)
    support = world.sent()["support@shop.test"]
    world.deliver(auto_reply(support, sender="bot@shop.test", text="Got it", when=clock.now()), clock.now())
    assert world.sweeper(store, clock).sweep().new_messages == 1
    store.close()
    store = world.store()                  # a new process: state comes from the store
    assert world.sweeper(store, clock).sweep().new_messages == 0
    world.deliver(person_reply(support, sender="ann@shop.test", text="Done", when=clock.now()), clock.now())
    assert world.sweeper(store, clock).sweep().new_messages == 1
    old = store.folder_states(world.sweeper(store, clock).mailbox)["INBOX"].uidvalidity
    assert world.dovecot.change_uidvalidity(world.user.login, "INBOX") != old
    resync = world.sweeper(store, clock).sweep()
    assert resync.ok and resync.new_messages == 0
    assert store.folder_states(world.sweeper(store, clock).mailbox)["INBOX"].uidvalidity != old
    assert len(store.messages()) == 2
    store.close()


def test_big_headerless_and_unmatched_messages_are_kept(world):
    clock = ManualClock(now_utc())
    store = world.store()
    world.run(clock, store=store)
    big = (b"From: shop@shop.test\r\nSubject: catalogue\r\n\r\n" + b"x" * (10 * 1024 * 1024))
    world.deliver(big, clock.now())
    world.deliver(b"\x00\x01 no headers at all \xff\xfe", clock.now())
    world.deliver(b"From: stranger@else.test\r\nSubject: hello\r\n\r\nnot for any token\r\n", clock.now())
    result = world.sweeper(store, clock).sweep()
    assert result.ok and result.new_messages == 3
    rows = {r["subject"]: r for r in store.messages()}
    assert rows["catalogue"]["truncated"] == 1 and rows["catalogue"]["size"] > 10 * 1024 * 1024
    assert len(store.messages(unmatched=True)) == 3
    assert all(r["kind"] in ("other", "reply", "newsletter", "transactional") for r in rows.values())
    store.close()


def test_wrong_password_and_missing_folder_are_clear(world):
    store = world.store()
    world.env = {"SHOPPER_IMAP_PASSWORD": "wrong"}
    result = world.sweeper(store, ManualClock(now_utc())).sweep()
    assert not result.ok and "login failed" in result.error.lower() and "SHOPPER_IMAP_PASSWORD" in result.error
    world.env = {"SHOPPER_IMAP_PASSWORD": world.user.password}
    world.write_config(world.dovecot.port, folders='["INBOX", "Nope"]')
    result = world.sweeper(store, ManualClock(now_utc())).sweep()
    assert not result.ok and "Nope" in result.error and "INBOX" in result.error
    store.close()


def test_messages_between_sweeps_resolve_in_order(world):
    clock = ManualClock(now_utc())
    store = world.store()
    world.run(clock, store=store)
    support = world.sent()["support@shop.test"]
    assert world.sweeper(store, clock).sweep().new_messages == 0
    clock.advance(minutes=30)
    world.deliver(auto_reply(support, sender="bot@shop.test", text="Ticket 1", when=clock.now()), clock.now())
    r1 = world.sweeper(store, clock).sweep()
    assert [o.data["changes"] for o in r1.observations if o.kind == "expectation"] == [["acked"]]
    clock.advance(hours=2)
    r2 = world.sweeper(store, clock).sweep()
    assert [o.data["changes"] for o in r2.observations if o.kind == "expectation"] == []
    store.close()


def test_watch_resolves_within_seconds_of_arrival(world):
    clock = ManualClock(now_utc())
    store = world.store()
    world.run(clock, store=store)
    support = world.sent()["support@shop.test"]
    sweeper = world.sweeper(store, clock)
    stop, resolved = threading.Event(), threading.Event()
    seen = []

    def on_result(result):
        for o in result.observations:
            if o.kind == "expectation" and "met" in o.data["changes"]:
                seen.append(time.monotonic())
                resolved.set()

    t = threading.Thread(target=sweeper.watch, args=(stop, on_result), daemon=True)
    t.start()
    try:
        appended = time.monotonic()
        world.deliver(person_reply(support, sender="ann@shop.test", text="On its way", when=clock.now()), clock.now())
        assert resolved.wait(10), "the reply was not resolved while watching"
        latency = seen[0] - appended
        print(f"watch latency {latency:.2f}s")
        assert latency < 5
    finally:
        stop.set()
        t.join(10)
    assert {e.target: e.state for e in store.expectations()}["support@shop.test"] == "met"
    store.close()


def test_watch_alerts_after_the_batch_that_found_something(world, webhook):
    """B5: docs/alerts.md promises alerts after every sweep; `sweep --watch` is a sweep too."""
    world.write_config(world.dovecot.port, extra=f"alerts: {{webhook: {{url: '{webhook.url}'}}}}")
    t0 = now_utc() - timedelta(minutes=30)
    first = cli(world, "run", str(JOURNEY), "--no-report", now=t0)
    assert first.returncode == 0, first.stdout + first.stderr
    webmaster = world.sent()["webmaster@shop.test"]
    watcher = subprocess.Popen([sys.executable, str(ROOT / "runner.py"), "sweep", "--watch", "--config",
                                str(world.config_path)], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True, env={**os.environ, **world.env})
    try:
        assert "watching" in watcher.stdout.readline() + watcher.stdout.readline()   # first sweep, then IDLE
        world.deliver(postfix_bounce(webmaster, recipient="webmaster@shop.test", status="5.2.2",
                                     diagnostic="552 5.2.2 <webmaster@shop.test>: Mailbox full",
                                     when=t0 + timedelta(minutes=1), remote_mta="mx.shop.test"), now_utc())
        with webhook._cond:
            assert webhook._cond.wait_for(lambda: webhook._requests, timeout=30), "no alert while watching"
    finally:
        watcher.terminate()
        out, err = watcher.communicate(timeout=30)
    assert "bounced_mailbox" in str(webhook.requests[0].json()), webhook.requests[0].json()
    assert "Traceback" not in err, err


def test_a_hostile_message_ends_no_sweep_command_and_the_answer_behind_it_is_read(world):
    """The 210-byte newsletter with charset="idna" and a message of 1,200 nested parts: `runner.py sweep` goes on,
    stores them (one as an unreadable message), meets the answer behind them, and the next sweep finds nothing."""
    t0 = now_utc() - timedelta(days=3)
    first = cli(world, "run", str(JOURNEY), "--no-report", now=t0)
    assert first.returncode == 0, first.stdout + first.stderr
    support = world.sent()["support@shop.test"]
    idna = (b"From: news@list.test\r\nList-Id: <news.list.test>\r\nContent-Type: text/html; charset=\"idna\"\r\n"
            b"Subject: Offers\r\n\r\n<a href=\"http://list.test/\xe9\">Offers \xff</a>\r\n")
    nested = (b"From: deep@list.test\r\nSubject: deep\r\nContent-Type: multipart/mixed; boundary=b0\r\n\r\n"
              + b"".join(b"--b%d\r\nContent-Type: multipart/mixed; boundary=b%d\r\n\r\n" % (i, i + 1) for i in range(1200)))
    world.deliver(idna, t0 + timedelta(minutes=5))
    world.deliver(nested, t0 + timedelta(minutes=6))
    world.deliver(person_reply(support, sender="ann@shop.test", text="It ships Monday, sorry for the wait.",
                               when=t0 + timedelta(hours=2)), t0 + timedelta(hours=2))
    swept = cli(world, "sweep", now=t0 + timedelta(hours=3))
    assert "Traceback" not in swept.stderr, swept.stderr
    assert "sweep: 3 new message(s)" in swept.stdout, swept.stdout + swept.stderr
    store = world.store()
    try:
        kinds = sorted(m["kind"] for m in store.messages())
        assert kinds == ["newsletter", "reply", "unreadable"]
        assert next(e for e in store.expectations() if e.target == "support@shop.test").state == "met"
    finally:
        store.close()
    again = cli(world, "sweep", now=t0 + timedelta(hours=4))
    assert "sweep: 0 new message(s)" in again.stdout, again.stdout + again.stderr
