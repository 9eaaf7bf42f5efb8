"""SIGKILL of `runner.py run` mid-journey and of `runner.py sweep` mid-sweep, on SQLite and PostgreSQL.

The kill comes at an exact point, never after a sleep: mid-journey when the shopper's second mail
reaches RCPT (a proxy in front of the SMTP server stalls on it), mid-sweep when the sweep opens its
second folder (a proxy in front of Dovecot stalls on it). Then: the store is consistent, what the
killed journey sent and expects is there once, the next run reports the interrupted one, and after
it nothing is lost or counted twice.
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from demo.mailserver.messages import person_reply, postfix_bounce
from shopper.expectations import Expectation
from shopper.mail.outgoing import compose
from shopper.store import open_store

from .configs import sending_config
from .servers import TcpProxy

pytestmark = pytest.mark.faults
ROOT = Path(__file__).resolve().parents[2]
JOURNEY = """name: write_support
steps:
  - send_email: {to: "support@shop.test", subject: "Where is my kettle?", body: "Hello, order KC-1."}
  - expect_reply: {answer_within: 2d}
  - send_email: {to: "webmaster@shop.test", subject: "Site problem", body: "The careers page is broken."}
  - expect_reply: {answer_within: 2d}
"""


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request, tmp_path) -> str:
    if request.param == "sqlite":
        return str(tmp_path / "var" / "shopper.db")
    request.applymarker(pytest.mark.postgres)
    return request.getfixturevalue("pg_url")


def runner(cfg: Path, *args: str, env: dict | None = None, **popen) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, str(ROOT / "runner.py"), *args, "--config", str(cfg)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, **(env or {})}, **popen)


def kill_when(proc: subprocess.Popen, stalled, what: str) -> None:
    """SIGKILL `proc` as soon as the proxy holds it at the chosen point (`stalled` is set)."""
    try:
        assert stalled.wait(60), f"never reached {what}"
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.communicate(timeout=30)
    assert proc.returncode == -signal.SIGKILL


def count(store, table: str) -> int:
    return store.query(f"SELECT COUNT(*) FROM {table}")[0][0]


def sent_rows(store) -> tuple[set[str], int]:
    """(Message-IDs of the mail the store knows was accepted, how many it holds as written ahead: delivery unknown)."""
    rows = store.query("SELECT message_id, ok FROM sent_messages")
    return {r[0] for r in rows if r[1]}, sum(1 for r in rows if not r[1])


def server_ids(smtp) -> set[str]:
    return {m.message["Message-ID"] for m in smtp.messages}


@pytest.mark.smtp
def test_sigkill_mid_journey_keeps_what_was_sent_and_the_next_run_reports_it(store_url, smtp, tmp_path, figures):
    (tmp_path / "write_support.yaml").write_text(JOURNEY)
    proxy = TcpProxy(smtp.port)
    proxy.stall_on(b"webmaster@shop.test")       # the second mail's RCPT: the journey is in its third step
    cfg = sending_config(tmp_path, proxy.port, store=store_url)
    try:
        kill_when(runner(cfg, "run", str(tmp_path / "write_support.yaml"), "--no-report"), proxy.stalled,
                  "the journey's second mail")
        store = open_store(store_url)
        try:
            (run,) = store.runs()
            assert run.status == "running" and store.journeys(run.id) == []
            (accepted, ahead), expected = sent_rows(store), count(store, "expectations")
        finally:
            store.close()
        figures.messages(1, len(accepted))
        figures.messages(1, expected)
        # the first mail, stored as it was sent; the second, held at RCPT, written ahead (delivery unknown)
        assert len(smtp.messages) == 1 and accepted == server_ids(smtp) and ahead == 1 and expected == 1

        proxy.stall_on(None)
        second = runner(cfg, "run", str(tmp_path / "write_support.yaml"), "--no-report")
        out, err = second.communicate(timeout=120)
    finally:
        proxy.close()
    assert second.returncode == 2, out + err      # no mailbox configured (the shopper's set-up): expectations wait
    assert "probe_unavailable" in out
    assert f"run {run.id} (started " in out and "was interrupted before it finished: 0 journey(s) saved; " \
                                               "interrupted in write_support" in out
    store = open_store(store_url)
    try:
        statuses = {r.id: r.status for r in store.runs()}
        (accepted, ahead), expected = sent_rows(store), count(store, "expectations")
        tokens = [r[0] for r in store.query("SELECT token FROM expectations")]
    finally:
        store.close()
    sent = len(accepted)
    assert ahead == 1   # the first run's mail held at RCPT when it was killed: known, delivery unknown
    figures.messages(3, sent)
    figures.messages(3, expected)
    assert statuses[run.id] == "interrupted" and sorted(statuses.values()) == ["interrupted", "setup_error"]
    assert len(smtp.messages) == 3 and sent == 3 and expected == 3 and len(set(tokens)) == 3


@pytest.mark.imap
def test_sigkill_mid_sweep_loses_and_doubles_nothing(store_url, imap_user, tmp_path, figures):
    now = datetime.now(timezone.utc).replace(microsecond=0)
    created = now - timedelta(days=1)
    store = open_store(store_url)
    originals = {}
    try:
        for token, to in (("ms-aaaaaaaaaaaa", "support@shop.test"), ("ms-bbbbbbbbbbbb", "webmaster@shop.test")):
            msg = compose(from_addr=f"alex+{token}@mail.test", from_name="Alex", to=to, subject="Help", body="Hi",
                          token=token, journey="write_support", now=created)
            originals[to] = msg.as_bytes()
            store.begin_run("run-" + token, created.isoformat())
            store.record_sent("run-" + token, "write_support", 0, token, msg["Message-ID"], msg["From"], to,
                              "Help", created.isoformat(), True, {})
            store.add_expectation(Expectation(token=token, journey="write_support", channel="email", target=to,
                                              created_at=created, answer_deadline=created + timedelta(days=2),
                                              run_id="run-" + token, step=1))
    finally:
        store.close()
    dovecot, login = imap_user.server, imap_user.login
    dovecot.append(login, "INBOX", person_reply(originals["support@shop.test"], sender="ann@shop.test",
                                                text="Shipped.", when=now), when=now)
    dovecot.append(login, "INBOX", b"From: shop@shop.test\r\nSubject: offer\r\n\r\nBuy\r\n", when=now)
    dovecot.append(login, "Junk", postfix_bounce(originals["webmaster@shop.test"], recipient="webmaster@shop.test",
                                                 status="5.2.2", diagnostic="552 5.2.2 Mailbox full", when=now,
                                                 remote_mta="mx.shop.test"), when=now)
    proxy = TcpProxy(dovecot.port)
    proxy.stall_on(b"Junk")                       # EXAMINE Junk: INBOX is swept and stored, Junk not yet
    cfg = tmp_path / "config.yaml"
    cfg.write_text(f"""var_dir: {tmp_path / 'var'}
store: "{store_url}"
imap: {{host: 127.0.0.1, port: {proxy.port}, security: none, user: "{login}", folders: [INBOX, Junk], timeout: 60s}}
""")
    env = {"SHOPPER_IMAP_PASSWORD": imap_user.password, "SHOPPER_NOW": now.isoformat()}
    try:
        kill_when(runner(cfg, "sweep", env=env), proxy.stalled, "the sweep's second folder")
        store = open_store(store_url)
        try:
            assert count(store, "messages") == 2 and {e.target: e.state for e in store.expectations()} == {
                "support@shop.test": "met", "webmaster@shop.test": "open"}
            killed = [r for r in store.runs(kind="sweep") if r.status == "running"]
            assert len(killed) == 1
        finally:
            store.close()
        proxy.stall_on(None)
        second = runner(cfg, "sweep", env=env)
        out, err = second.communicate(timeout=120)
    finally:
        proxy.close()
    assert second.returncode == 1, out + err      # the bounce is a finding
    assert f"sweep {killed[0].id} (started " in out and "was interrupted before it finished" in out
    assert "sweep: 1 new message(s)" in out and "bounced_mailbox" in out, out + err
    store = open_store(store_url)
    try:
        keys = [r[0] for r in store.query("SELECT key FROM messages")]
        states = {e.target: e.state for e in store.expectations()}
        status = store.run(killed[0].id).status
    finally:
        store.close()
    figures.messages(3, len(keys))
    figures.messages(len(set(keys)), len(keys))
    figures.breaches(sum(s == "breached" for s in states.values()))
    assert len(keys) == len(set(keys)) == 3
    assert states == {"support@shop.test": "met", "webmaster@shop.test": "bounced"}
    assert status == "interrupted"


@pytest.mark.smtp
@pytest.mark.browser
def test_sigkill_of_run_with_workers_keeps_what_each_worker_sent(smtp, tmp_path):
    """B4: with --workers each step is written ahead too; a run killed mid-journey keeps every mail sent."""
    paths = []
    for n in (1, 2):
        paths.append(tmp_path / f"write_support_{n}.yaml")
        paths[-1].write_text(JOURNEY.replace("name: write_support", f"name: write_support_{n}"))
    proxy = TcpProxy(smtp.port)
    proxy.stall_on(b"webmaster@shop.test")       # each journey's second mail: both are in their third step
    cfg = sending_config(tmp_path, proxy.port)
    try:
        run = runner(cfg, "run", *map(str, paths), "--workers", "2", "--no-report")
        smtp.wait_for(2, timeout=120)   # both first mails are in; then one second mail is held at RCPT
        kill_when(run, proxy.stalled, "a journey's second mail")
    finally:
        proxy.close()
    store = open_store(str(tmp_path / "var" / "shopper.db"))
    try:
        rows, expected = store.query("SELECT message_id FROM sent_messages"), count(store, "expectations")
    finally:
        store.close()
    # every mail a server accepted is in the store (written ahead before it went), whenever the kill came
    assert len(smtp.messages) == 2 and server_ids(smtp) <= {r[0] for r in rows} and len(rows) in (3, 4)
    assert expected >= 1
