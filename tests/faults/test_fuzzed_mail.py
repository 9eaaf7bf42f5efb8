"""Fuzzed mail: hypothesis input and mutated corpus bounces; classify and sweep never crash, each bounded in time.

The corpus is read, mutated in memory and never written. Budgets are small (max_examples, deadline)
so the whole file runs in well under 30 s.
"""
from __future__ import annotations

import random
import time
from datetime import datetime, timezone
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shopper.clock import ManualClock
from shopper.mail.classify import classify
from shopper.mail.corpus import default_corpus
from shopper.probes.imap import ImapSettings
from shopper.secrets import Secret
from shopper.store import open_store
from shopper.sweep import Sweeper

pytestmark = pytest.mark.faults
ROOT = Path(__file__).resolve().parents[2]
CORPUS = default_corpus(ROOT) / "eml"
PER_MESSAGE_S = 2.0   # generous: a message takes milliseconds; a pathological regex would take minutes
KINDS = {"bounce", "delay", "autoreply", "acknowledgement", "helpdesk_status", "transactional", "reply", "newsletter",
         "other", "feedback"}


def corpus_files() -> list[Path]:
    if not CORPUS.is_dir():
        pytest.skip(f"bounce corpus not found at {CORPUS} (set SHOPPER_CORPUS)")
    return sorted(CORPUS.glob("*.eml"))


def timed_classify(raw: bytes):
    started = time.monotonic()
    result = classify(raw)
    return result, time.monotonic() - started


# -- mutations of real bounces ---------------------------------------------------------------------
def broken_mime(raw: bytes, rng: random.Random) -> bytes:
    """Boundaries cut, renamed or left open; the message truncated somewhere in the middle."""
    out = raw.replace(b"boundary=", b"boundary=x" if rng.random() < 0.5 else b"boundary=")
    lines = out.split(b"\n")
    lines = [ln for ln in lines if not (ln.startswith(b"--") and rng.random() < 0.5)]
    out = b"\n".join(lines)
    return out[: rng.randrange(len(out) // 2, len(out) + 1)] if out else out


def eight_bit_headers(raw: bytes, rng: random.Random) -> bytes:
    junk = bytes(rng.randrange(0x80, 0x100) for _ in range(40))
    return (b"Subject: " + junk + b"\r\nFrom: \xff\xfe" + junk[:10] + b" <x@\xe9.test>\r\nX-8bit: " + junk + b"\r\n"
            + raw)


def nested(raw: bytes, depth: int = 100) -> bytes:
    msg = raw
    for i in range(depth):
        msg = (b"From: mailer-daemon@relay%d.test\r\nSubject: nested %d\r\nMIME-Version: 1.0\r\n"
               b"Content-Type: message/rfc822\r\n\r\n" % (i, i)) + msg
    return msg


def giant_headers(raw: bytes, rng: random.Random) -> bytes:
    received = b"".join(b"Received: from h%d.test by mx.test; Mon, 1 Jan 2024 00:00:00 +0000\r\n" % i
                        for i in range(5000))
    return b"Subject: " + b"A" * 1_000_000 + b"\r\nX-Long:" + b" folded\r\n" * 20000 + received + raw


def byte_flips(raw: bytes, rng: random.Random) -> bytes:
    data = bytearray(raw)
    for _ in range(max(1, len(data) // 200)):
        data[rng.randrange(len(data))] = rng.randrange(256)
    return bytes(data)


MUTATIONS = {"broken_mime": broken_mime, "eight_bit_headers": eight_bit_headers, "giant_headers": giant_headers,
             "byte_flips": byte_flips}


def test_mutated_corpus_files_classify_without_crash_each_bounded(figures):
    rng = random.Random(13)
    files = corpus_files()
    picked = rng.sample(files, min(40, len(files)))
    cases = crashes = 0
    slowest = (0.0, "")
    problems = []
    for path in picked:
        raw = path.read_bytes()
        variants = {name: fn(raw, rng) for name, fn in MUTATIONS.items() if name != "giant_headers"}
        for name, mutated in variants.items():
            cases += 1
            try:
                result, took = timed_classify(mutated)
            except Exception as e:  # a crash is the finding of this test: count it, report them all
                crashes += 1
                problems.append(f"{path.name} {name}: {type(e).__name__}: {e}")
                continue
            if result.kind not in KINDS:
                problems.append(f"{path.name} {name}: unknown kind {result.kind!r}")
            slowest = max(slowest, (took, f"{path.name} {name}"))
    figures.fuzz(cases, crashes)
    assert problems == []
    assert slowest[0] < PER_MESSAGE_S, f"slowest: {slowest[1]} took {slowest[0]:.2f}s"


@pytest.mark.parametrize("shape", ["nested", "giant_headers"])
def test_nested_rfc822_and_giant_headers_are_bounded(shape, figures):
    rng = random.Random(7)
    files = corpus_files()
    crashes = 0
    took_max = 0.0
    for path in rng.sample(files, 3):
        raw = path.read_bytes()
        mutated = nested(raw, 100) if shape == "nested" else giant_headers(raw, rng)
        try:
            result, took = timed_classify(mutated)
        except Exception:
            crashes += 1
            raise
        finally:
            figures.fuzz(1, crashes)
            crashes = 0
        took_max = max(took_max, took)
        assert result.kind in KINDS
    assert took_max < 5 * PER_MESSAGE_S, f"a {shape} message took {took_max:.2f}s"


_header = st.sampled_from([b"From", b"To", b"Subject", b"Content-Type", b"Content-Transfer-Encoding",
                           b"Message-ID", b"In-Reply-To", b"References", b"Auto-Submitted", b"List-Id",
                           b"List-Unsubscribe", b"Date", b"MIME-Version", b"X-Failed-Recipients"])
_value = st.one_of(st.binary(max_size=200),
                   st.sampled_from([b"multipart/report; report-type=delivery-status; boundary=b",
                                    b"multipart/mixed; boundary=", b"message/rfc822", b"base64",
                                    b"quoted-printable", b"=?utf-8?b?////?=", b"=?x-unknown?q?=ff?=",
                                    b"<a@b>", b"auto-replied", b"<mailto:>, <https://\xff>"]))
_body = st.one_of(st.binary(max_size=2000),
                  st.sampled_from([b"--b\r\nContent-Type: message/delivery-status\r\n\r\nStatus: 5.1.1\r\n"
                                   b"Final-Recipient: rfc822;\xff@\r\nAction: failed\r\n--b--",
                                   b"--b\r\nContent-Type: text/plain\r\n\r\n550 5.1.1 user unknown\r\n",
                                   b"=\r\n=ZZ=\r\n" * 50, b"\x00" * 100]))


@settings(max_examples=150, deadline=2000, suppress_health_check=[HealthCheck.too_slow], database=None,
          derandomize=True)
@given(headers=st.lists(st.tuples(_header, _value), max_size=12), body=_body)
def test_hypothesis_messages_never_crash_classify(headers, body):
    raw = b"".join(name + b": " + value + b"\r\n" for name, value in headers) + b"\r\n" + body
    try:
        result, took = timed_classify(raw)
    except Exception:
        _HYPOTHESIS["crashes"] += 1
        raise
    finally:
        _HYPOTHESIS["cases"] += 1
    assert result.kind in KINDS
    assert took < PER_MESSAGE_S


_HYPOTHESIS = {"cases": 0, "crashes": 0}


def test_hypothesis_figures(figures):
    """Hands the hypothesis test's counts to the summary (it runs just before, in file order)."""
    figures.fuzz(_HYPOTHESIS["cases"], _HYPOTHESIS["crashes"])
    assert _HYPOTHESIS["crashes"] == 0


@pytest.mark.imap
def test_sweep_stores_every_mutated_message_once_and_never_crashes(imap_user, tmp_path, figures):
    rng = random.Random(21)
    files = corpus_files()
    raws = []
    for path in rng.sample(files, 6):
        raw = path.read_bytes()
        raws += [broken_mime(raw, rng), eight_bit_headers(raw, rng), byte_flips(raw, rng)]
    raws += [nested(files[0].read_bytes(), 100), giant_headers(files[1].read_bytes(), rng)]
    raws = [r if r.strip() else b"Subject: empty\r\n\r\n" for r in raws]
    raws = [r + b"\r\nunique %d\r\n" % i for i, r in enumerate(raws)]   # no two alike: each must be stored
    when = datetime.now(timezone.utc).replace(microsecond=0)
    for raw in raws:
        imap_user.server.append(imap_user.login, "INBOX", raw, when=when)
    settings_ = ImapSettings(host=imap_user.server.host, port=imap_user.server.port, security="none",
                             user=imap_user.login, password=Secret("SHOPPER_IMAP_PASSWORD", imap_user.password))
    store = open_store(str(tmp_path / "shopper.db"))
    try:
        started = time.monotonic()
        try:
            result = Sweeper(store, settings_, ManualClock(when)).sweep()
        except Exception:
            figures.fuzz(len(raws), 1)
            raise
        took = time.monotonic() - started
        again = Sweeper(store, settings_, ManualClock(when)).sweep()
        stored = len(store.messages(limit=1000))
    finally:
        store.close()
    figures.fuzz(len(raws), 0 if result.ok else 1)
    figures.messages(len(raws), stored)
    assert result.ok, result.error
    assert result.new_messages == len(raws) and again.new_messages == 0 and stored == len(raws)
    assert took < PER_MESSAGE_S * len(raws)
