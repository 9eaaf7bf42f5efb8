"""Hostile mail through the WHOLE sweep (real Dovecot → classify → match → links → store): no message can stop it.

Each hostile message is followed by a person's good answer to a request of the shopper; every answer must
still meet its expectation, every hostile message is stored once (read, or quarantined as `unreadable`), the
folder state advances past them, and a second sweep finds nothing new.
"""
from __future__ import annotations

import base64
import random
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from demo.mailserver.messages import person_reply
from reports.render import render_html
from shopper.audit import record_sweep
from shopper.clock import ManualClock
from shopper.expectations import Expectation
from shopper.mail.outgoing import compose
from shopper.probes.imap import ImapSettings
from shopper.probes.mail import mailbox_name
from shopper.secrets import Secret
from shopper.store import open_store
from shopper.sweep import Sweeper

pytestmark = [pytest.mark.faults, pytest.mark.imap]
ROOT = Path(__file__).resolve().parents[2]
HOSTILE_CHARSETS = ("undefined", "idna", "punycode", "utf-7", "x-unknown-charset", "x-mac-klingon",
                    "unicode_escape", "hex", "base64")


def _head(n: int, extra: str = "") -> bytes:
    return (f"From: News <news@list{n}.test>\r\nTo: alex@mail.test\r\nSubject: hostile {n}\r\n"
            f"Message-ID: <hostile{n}@list.test>\r\nDate: Mon, 1 Jan 2026 10:00:00 +0000\r\n{extra}").encode()


def charset_message(n: int, charset: str, html: bool) -> bytes:
    ctype = "text/html" if html else "text/plain"
    body = "<a href='http://x.test/é'>read é +AGEA- \\u1234 xn--</a>" if html else "visit http://x.test/é \\u1234 +AGEA-"
    return (_head(n, f"List-Id: <news.list{n}.test>\r\nContent-Type: {ctype}; charset=\"{charset}\"\r\n"
                     f"Subject: =?{charset}?q?=E9t=E9?=\r\n\r\n").replace(b"Subject: hostile", b"X-Was: hostile")
            + body.encode("latin-1", "replace") + b"\r\n")


def nested_multiparts(n: int, depth: int) -> bytes:
    body = b"".join(b"--b%d\r\nContent-Type: multipart/mixed; boundary=b%d\r\n\r\n" % (i, i + 1) for i in range(depth))
    return _head(n, "MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b0\r\n\r\n") + body


def sibling_parts(n: int, count: int) -> bytes:
    part = b"--s\r\nContent-Type: text/plain; charset=idna\r\n\r\nxn--a http://y.test/\r\n"
    return _head(n, "MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=s\r\n\r\n") + part * count + b"--s--\r\n"


def nested_rfc822(n: int, depth: int) -> bytes:
    inner = b"From: a@b.test\r\nSubject: core\r\n\r\nbody\r\n"
    for i in range(depth):
        inner = b"Content-Type: message/rfc822\r\nSubject: layer %d\r\n\r\n" % i + inner
    return _head(n) + inner


def encoded_word_flood(n: int, words: int) -> bytes:
    word = base64.b64encode(b"\xff\xfe word").decode()
    flood = " ".join(f"=?utf-8?b?{word}?=" for _ in range(words))
    names = ", ".join(f"=?x-bad?q?n{i}?= <a{i}@flood.test>" for i in range(words // 10))
    return _head(n, f"X-Flood: {flood}\r\nCc: {names}\r\n").replace(b"Subject: hostile", b"Subject: " + flood.encode()
                                                                   + b" hostile") + b"\r\nflood\r\n"


def broken_headers(n: int, rng: random.Random) -> bytes:
    junk = bytes(rng.randrange(1, 256) for _ in range(3000)).replace(b"\n", b" ")
    return (b"From \xff\xfe broken\r\n: no name\r\nSubject: \x00\x00\r\nContent-Type: multipart/report; "
            b"boundary=\r\nContent-Transfer-Encoding: base64\r\n" + b"X-" + junk + b"\r\n" + _head(n)
            + b"\r\n====\xff\xff not base64 \x00\r\n")


def huge_line(n: int, size: int) -> bytes:
    return _head(n, "Content-Type: text/html; charset=punycode\r\n\r\n") + b"<a href=" + b"h" * size + b">x</a>\r\n"


def hostile_messages() -> dict[str, bytes]:
    rng = random.Random(18)
    out: dict[str, bytes] = {}
    n = 0
    for charset in HOSTILE_CHARSETS:
        for html in (False, True):
            n += 1
            out[f"charset {charset} ({'html' if html else 'plain'})"] = charset_message(n, charset, html)
    shapes = {"1,200 nested multiparts": lambda k: nested_multiparts(k, 1200),
              "3,000 nested multiparts": lambda k: nested_multiparts(k, 3000),
              "1,500 sibling parts": lambda k: sibling_parts(k, 1500),
              "300 nested message/rfc822": lambda k: nested_rfc822(k, 300),
              "encoded-word flood": lambda k: encoded_word_flood(k, 5000),
              "broken headers": lambda k: broken_headers(k, rng),
              "2 MB line": lambda k: huge_line(k, 2_000_000)}
    for name, make in shapes.items():
        n += 1
        out[name] = make(n)
    return out


@pytest.fixture
def mailbox(imap_user, tmp_path):
    store = open_store(str(tmp_path / "shopper.db"))
    yield imap_user, store
    store.close()


def test_no_hostile_message_stops_the_sweep_and_every_answer_behind_one_is_resolved(mailbox, figures, tmp_path):
    imap_user, store = mailbox
    now = datetime.now(timezone.utc).replace(microsecond=0)
    created = now - timedelta(hours=5)
    hostile = hostile_messages()
    tokens = []
    for i, name in enumerate(hostile):
        token = "ms-hostilemsg" + "abcdefghijklmnopqrstuvwxyz"[i // 26] + "abcdefghijklmnopqrstuvwxyz"[i % 26]
        msg = compose(from_addr=f"alex+{token}@mail.test", from_name="Alex", to="help@shop.test", subject="Help",
                      body="Where is my order?", token=token, journey="ask", now=created)
        store.begin_run(f"run-{token}", created.isoformat())
        store.record_sent(f"run-{token}", "ask", 0, token, msg["Message-ID"], msg["From"], "help@shop.test",
                          str(msg["Subject"]), created.isoformat(), True, {})
        store.add_expectation(Expectation(token=token, journey="ask", channel="email", target="help@shop.test",
                                          created_at=created, answer_deadline=now + timedelta(days=2),
                                          run_id=f"run-{token}", step=1))
        imap_user.server.append(imap_user.login, "INBOX", hostile[name], when=now - timedelta(hours=2))
        answer = person_reply(msg.as_bytes(), sender="ann@shop.test", text=f"Shipped today ({i}).",
                              when=now - timedelta(hours=1))
        imap_user.server.append(imap_user.login, "INBOX", answer, when=now - timedelta(hours=1))
        tokens.append(token)
    settings = ImapSettings(host=imap_user.server.host, port=imap_user.server.port, security="none",
                            user=imap_user.login, password=Secret("SHOPPER_IMAP_PASSWORD", imap_user.password),
                            folders=("INBOX",), timeout=10)
    sweeper = Sweeper(store, settings, ManualClock(now))
    crashes = 0
    try:
        result = sweeper.sweep()
    except Exception:
        crashes = 1
        raise
    finally:
        figures.fuzz(len(hostile), crashes)
    again = Sweeper(store, settings, ManualClock(now)).sweep()
    rows = store.messages(limit=1000)
    figures.messages(2 * len(hostile), len(rows))
    states = {e.token: e.state for e in store.expectations()}
    quarantined = [o.data for o in result.observations if o.kind == "mail_quarantined"]

    assert result.ok, result.error
    assert states == {t: "met" for t in tokens}
    assert result.new_messages == len(rows) == 2 * len(hostile) and again.new_messages == 0
    assert store.folder_states(mailbox_name(settings))["INBOX"].last_uid == 2 * len(hostile)
    unreadable = [r for r in rows if r["kind"] == "unreadable"]
    assert len(unreadable) == len(quarantined)
    for q in quarantined:   # UID, size, the error's class and a short text: never the message's body
        assert q["uid"] and q["size"] and q["error"] and len(q["error_text"]) <= 201
    # the report shows them as unreadable messages, never as findings of the company
    store.begin_run("sweep-run", now.isoformat(), kind="sweep")
    findings = record_sweep(store, "sweep-run", result)
    store.finish_run("sweep-run", now.isoformat(), "clean", {})
    html = render_html(store, "sweep-run", tmp_path)
    assert findings == []
    assert html.count("unreadable message: RecursionError") == len(quarantined) >= 1
    # the charsets are read (their text decoded with a safe codec), not quarantined
    readable = {r["subject"] for r in rows if r["kind"] != "unreadable"}
    assert sorted(r["matched_token"] for r in rows if r["matched_token"]) == sorted(tokens)   # answers only
    assert len(readable) >= len(HOSTILE_CHARSETS)
