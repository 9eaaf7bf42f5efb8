"""IMAP stopped mid-sweep and restarted, down for a whole sweep, UIDVALIDITY changed: nothing lost, nothing twice,
no breach declared while the mailbox could not be read.

Dovecot is real; a TCP proxy in front of it plays the outage (connections dropped, new ones refused) at an
exact point of the sweep (the IMAP probe's after_batch hook), and comes back on the same port.
"""
from __future__ import annotations

import os
import subprocess
import sys
import time
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from demo.mailserver.messages import person_reply
from shopper.audit import record_sweep
from shopper.clock import ManualClock
from shopper.expectations import Expectation
from shopper.mail.outgoing import compose
from shopper.probes.imap import ImapHooks, ImapMailbox, ImapSettings
from shopper.probes.mail import mailbox_name
from shopper.secrets import Secret
from shopper.store import open_store
from shopper.sweep import Sweeper

from .servers import TcpProxy

pytestmark = [pytest.mark.faults, pytest.mark.imap]
ROOT = Path(__file__).resolve().parents[2]
TOKENS = ("ms-aaaaaaaaaaaa", "ms-bbbbbbbbbbbb")   # A gets a reply; B never does (its deadline has passed)


class Mailbox:
    """A Dovecot user behind a proxy, a store whose two expectations are past their deadline, mail in two folders."""

    def __init__(self, imap_user, tmp_path: Path):
        self.user, self.dovecot = imap_user, imap_user.server
        self.now = datetime.now(timezone.utc).replace(microsecond=0)
        self.clock = ManualClock(self.now)
        self.proxy = TcpProxy(self.dovecot.port)
        self.settings = ImapSettings(host="127.0.0.1", port=self.proxy.port, security="none", user=imap_user.login,
                                     password=Secret("SHOPPER_IMAP_PASSWORD", imap_user.password),
                                     folders=("INBOX", "Junk"), timeout=5)
        self.db = tmp_path / "var" / "shopper.db"
        self.store = open_store(str(self.db))
        created = self.now - timedelta(days=3)
        self.sent = {}
        for token, to in zip(TOKENS, ("support@shop.test", "webmaster@shop.test")):
            msg = compose(from_addr=f"alex+{token}@mail.test", from_name="Alex", to=to, subject="Help", body="Hi",
                          token=token, journey="write_support", now=created)
            self.sent[token] = msg.as_bytes()
            self.store.begin_run(f"run-{token}", created.isoformat())
            self.store.record_sent(f"run-{token}", "write_support", 0, token, msg["Message-ID"], msg["From"], to,
                                   str(msg["Subject"]), created.isoformat(), True, {})
            self.store.add_expectation(Expectation(token=token, journey="write_support", channel="email", target=to,
                                                   created_at=created, answer_deadline=created + timedelta(days=2),
                                                   run_id=f"run-{token}", step=1))
        self.delivered = 0

    def deliver(self, folder: str, raw: bytes) -> None:
        self.dovecot.append(self.user.login, folder, raw, when=self.now - timedelta(hours=1))
        self.delivered += 1

    def other(self, n: int) -> bytes:
        return f"From: shop@shop.test\r\nSubject: offer {n}\r\nMessage-ID: <o{n}@shop.test>\r\n\r\nBuy {n}\r\n".encode()

    def sweeper(self, hooks: ImapHooks | None = None) -> Sweeper:
        return Sweeper(self.store, self.settings, self.clock,
                       box_factory=lambda s: ImapMailbox(s, batch_size=1, hooks=hooks))

    def states(self) -> dict[str, str]:
        return {e.token: e.state for e in self.store.expectations()}

    def stored_keys(self) -> list[str]:
        return [r["key"] for r in self.store.query("SELECT key FROM messages")]

    def close(self) -> None:
        self.store.close()
        self.proxy.close()


@pytest.fixture
def mailbox(imap_user, tmp_path):
    box = Mailbox(imap_user, tmp_path)
    yield box
    box.close()


def test_imap_stopped_mid_sweep_breaches_nothing_and_the_restart_resumes_from_the_stored_uid(mailbox, figures):
    mailbox.deliver("INBOX", person_reply(mailbox.sent[TOKENS[0]], sender="ann@shop.test", text="Shipped.",
                                          when=mailbox.now - timedelta(hours=1)))
    for n in range(2):
        mailbox.deliver("INBOX", mailbox.other(n))
    for n in range(2, 5):
        mailbox.deliver("Junk", mailbox.other(n))

    def outage(folder: str, uids: tuple[int, ...]) -> None:
        if folder == "Junk":
            mailbox.proxy.down()      # the server goes away after Junk's first message was read

    failed = mailbox.sweeper(ImapHooks(after_batch=outage)).sweep()
    findings = record_sweep(mailbox.store, "sweep-1", failed)
    assert not failed.ok and f"127.0.0.1:{mailbox.proxy.port}" in failed.error and "lost" in failed.error
    states = mailbox.states()
    figures.breaches(sum(s == "breached" for s in states.values()))
    assert states == {TOKENS[0]: "met", TOKENS[1]: "open"}      # past its deadline, yet not breached
    assert [f.kind for f in findings] == ["probe_unavailable"]
    assert "1 expectation(s) stay open" in findings[0].title
    inbox = mailbox.store.folder_states(mailbox_name(mailbox.settings))
    assert set(inbox) == {"INBOX"} and inbox["INBOX"].last_uid == 3   # INBOX was stored; Junk was not

    mailbox.deliver("INBOX", mailbox.other(5))                   # arrives while the server is down
    mailbox.proxy.up()                                           # the server is back on the same port
    resumed = mailbox.sweeper().sweep()
    findings = record_sweep(mailbox.store, "sweep-2", resumed)
    keys = mailbox.stored_keys()
    figures.messages(mailbox.delivered, len(set(keys)))
    figures.messages(len(set(keys)), len(keys))
    assert resumed.ok, resumed.error
    assert resumed.new_messages == 4                             # INBOX from UID 4 on, and all of Junk
    assert len(keys) == len(set(keys)) == mailbox.delivered == 7
    assert mailbox.states() == {TOKENS[0]: "met", TOKENS[1]: "breached"}   # now the sweep has succeeded
    assert sorted(f.kind for f in findings) == ["unanswered_email"]


def test_sweep_cli_with_the_server_down_says_so_and_breaches_nothing(mailbox, tmp_path, figures):
    mailbox.proxy.down()
    cfg = tmp_path / "config.yaml"
    cfg.write_text(f"var_dir: {tmp_path / 'var'}\nimap: {{host: 127.0.0.1, port: {mailbox.proxy.port}, "
                   f"security: none, user: \"{mailbox.user.login}\", folders: [INBOX], timeout: 5s}}\n")
    mailbox.store.close()
    env = {**os.environ, "SHOPPER_IMAP_PASSWORD": mailbox.user.password, "SHOPPER_NOW": mailbox.now.isoformat()}
    done = subprocess.run([sys.executable, str(ROOT / "runner.py"), "sweep", "--config", str(cfg)],
                          capture_output=True, text=True, timeout=60, env=env)
    mailbox.store = open_store(str(mailbox.db))
    states = mailbox.states()
    figures.breaches(sum(s == "breached" for s in states.values()))
    assert done.returncode == 1, done.stdout + done.stderr
    assert f"sweep failed: cannot connect to 127.0.0.1:{mailbox.proxy.port} (connection refused)" in done.stderr
    assert "probe_unavailable" in done.stdout and "2 expectation(s) stay open" in done.stdout
    assert "unanswered" not in done.stdout
    assert set(states.values()) == {"open"}


def test_uidvalidity_change_with_new_mail_counts_only_the_new_message(mailbox, figures):
    mailbox.deliver("INBOX", person_reply(mailbox.sent[TOKENS[0]], sender="ann@shop.test", text="Shipped.",
                                          when=mailbox.now - timedelta(hours=1)))
    mailbox.deliver("INBOX", mailbox.other(1))
    mailbox.dovecot.create_folder(mailbox.user.login, "Junk")
    first = mailbox.sweeper().sweep()
    assert first.ok and first.new_messages == 2
    old = mailbox.store.folder_states(mailbox_name(mailbox.settings))["INBOX"].uidvalidity
    assert mailbox.dovecot.change_uidvalidity(mailbox.user.login, "INBOX") != old
    mailbox.deliver("INBOX", mailbox.other(2))
    resync = mailbox.sweeper().sweep()
    keys = mailbox.stored_keys()
    figures.messages(mailbox.delivered, len(keys))
    assert resync.ok and resync.new_messages == 1
    assert len(keys) == len(set(keys)) == 3
    changes = [o.data["changes"] for o in resync.observations if o.kind == "expectation"]
    assert ["met"] not in changes                  # the reply read again after the resync resolves nothing twice
    assert mailbox.store.folder_states(mailbox_name(mailbox.settings))["INBOX"].uidvalidity != old


def test_a_server_that_trickles_bytes_cannot_hold_the_sweep_past_imap_sweep_timeout(mailbox, figures):
    for n in range(4):
        mailbox.deliver("INBOX", mailbox.other(n))
    mailbox.settings = replace(mailbox.settings, folders=("INBOX",), sweep_timeout=1.5)
    # two bodies come at full speed, then the server answers one byte every 50 ms: no read ever times out (5 s)
    mailbox.proxy.trickle_on(b"BODY.PEEK[]", after=2)
    started = time.monotonic()
    result = mailbox.sweeper().sweep()
    took = time.monotonic() - started
    stored = len(mailbox.stored_keys())
    figures.messages(2, stored)
    figures.breaches(sum(s == "breached" for s in mailbox.states().values()))

    assert mailbox.proxy.trickling.is_set()
    assert took < 1.5 + 2.0, f"the sweep took {took:.1f} s"
    assert not result.ok and result.timed_out
    assert "imap.sweep_timeout = 1.5 s" in result.error and "what was read is kept" in result.error
    assert result.new_messages == 2 and stored == 2          # what it had read is saved ...
    assert mailbox.store.folder_states(mailbox_name(mailbox.settings))["INBOX"].last_uid == 2
    assert set(mailbox.states().values()) == {"open"}      # ... and no deadline is judged after a partial sweep
    assert [o.kind for o in result.observations if o.kind == "sweep_failed"] == ["sweep_failed"]

    mailbox.proxy.trickle_on(None)
    again = mailbox.sweeper().sweep()
    assert again.ok and again.new_messages == 2 and len(mailbox.stored_keys()) == 4
