"""The IMAP probe against a real Dovecot: incremental sweeps, resyncs, errors, and watch()."""
from __future__ import annotations

import threading
import time
from dataclasses import replace
from datetime import datetime, timedelta, timezone

import pytest

from demo.mailserver.dovecot import free_port
from shopper.errors import ProbeError
from shopper.probes.imap import (
    JUNK,
    ImapHooks,
    FolderBatch,
    ImapAuthError,
    ImapMailbox,
    ImapSettings,
    message_key,
    watch,
)
from shopper.secrets import Secret
from tests.fixtures.dovecot import ImapUser

pytestmark = pytest.mark.imap

SINCE = datetime(2024, 6, 1, 12, 0, tzinfo=timezone.utc)


def settings_for(user: ImapUser, **changes: object) -> ImapSettings:
    base = ImapSettings(host=user.server.host, port=user.server.port, security="none", user=user.login,
                        password=Secret("SHOPPER_IMAP_PASSWORD", user.password), timeout=10.0)
    return replace(base, **changes)


def mail(n: int, *, subject: str = "Re: your question", body: bytes = b"") -> bytes:
    return (b"From: Support <support@shop.example>\r\nTo: shopper@mail.test\r\n"
            b"Subject: %s %d\r\nDate: Sat, 01 Jun 2024 12:00:00 +0000\r\n"
            b"Message-ID: <m%d@shop.example>\r\n\r\n" % (subject.encode(), n, n)
            + (body or b"Thank you for your message %d.\r\n" % n))


def append(user: ImapUser, n: int, folder: str = "INBOX", **kw: object) -> int:
    return user.server.append(user.login, folder, mail(n), **kw)


def uids(batch: FolderBatch) -> list[int]:
    return [m.uid for m in batch.messages]


def test_first_sweep_reads_everything_then_only_new_mail(imap_user: ImapUser) -> None:
    first = [append(imap_user, n) for n in range(3)]
    with ImapMailbox(settings_for(imap_user)) as box:
        batch = box.fetch_new("INBOX", None)
        assert uids(batch) == first and not batch.resynced
        assert batch.state.last_uid == first[-1]
        assert batch.state.highestmodseq is not None  # Dovecot offers CONDSTORE
        assert batch.messages[0].raw == mail(0) and not batch.messages[0].truncated
        assert batch.messages[0].size == len(mail(0))
        assert batch.messages[0].internaldate.tzinfo is not None
        later = [append(imap_user, n) for n in range(3, 5)]
        second = box.fetch_new("INBOX", batch.state)
        assert uids(second) == later
        third = box.fetch_new("INBOX", second.state)  # `last+1:*` must not return the last message again
        assert third.messages == () and third.state.last_uid == later[-1]


def test_mail_delivered_over_lmtp_is_swept(imap_user: ImapUser) -> None:
    imap_user.server.deliver_lmtp(imap_user.login, mail(7))
    with ImapMailbox(settings_for(imap_user)) as box:
        (msg,) = box.fetch_new("INBOX", None).messages
    assert msg.raw.endswith(mail(7)) and b"Return-Path: <sender@example.test>" in msg.raw
    assert message_key(msg.raw) == message_key(mail(7))


def test_sweep_never_sets_seen(imap_user: ImapUser) -> None:
    append(imap_user, 1)
    imap_user.server.append(imap_user.login, "INBOX", mail(2, body=b"x" * 300_000 + b"\r\n"))
    with ImapMailbox(settings_for(imap_user)) as box:
        batch = box.fetch_new("INBOX", None)
    assert [m.truncated for m in batch.messages] == [False, True]
    with imap_user.server.connect(imap_user.login) as client:
        client.select_folder("INBOX", readonly=True)
        flags = client.get_flags([m.uid for m in batch.messages])
    assert all(b"\\Seen" not in f for f in flags.values()), flags


def test_since_filters_the_first_sweep_but_state_covers_the_folder(imap_user: ImapUser) -> None:
    old = append(imap_user, 1, when=SINCE - timedelta(days=30))
    same_day_before = append(imap_user, 2, when=SINCE - timedelta(minutes=1))
    at = append(imap_user, 3, when=SINCE)
    after = append(imap_user, 4, when=SINCE + timedelta(hours=5))
    tz_ahead = append(imap_user, 5, when=(SINCE + timedelta(minutes=1)).astimezone(timezone(timedelta(hours=-11))))
    with ImapMailbox(settings_for(imap_user)) as box:
        batch = box.fetch_new("INBOX", None, since=SINCE)
        assert uids(batch) == [at, after, tz_ahead]
        assert batch.messages[0].internaldate == SINCE
        assert batch.state.last_uid == tz_ahead
        # Incremental sweeps take whatever is new, whatever its date (e.g. moved in from another folder).
        late_but_old = append(imap_user, 6, when=SINCE - timedelta(days=400))
        assert uids(box.fetch_new("INBOX", batch.state, since=SINCE)) == [late_but_old]
    assert old < same_day_before < at


def test_a_10mb_message_is_read_partially_and_flagged_truncated(imap_user: ImapUser) -> None:
    raw = mail(1, body=b"".join(b"line %07d of a very large attachment\r\n" % i for i in range(280_000)))
    assert len(raw) > 10_000_000
    uid = imap_user.server.append(imap_user.login, "INBOX", raw)
    settings = settings_for(imap_user)
    with ImapMailbox(settings) as box:
        (msg,) = box.fetch_new("INBOX", None).messages
    header_len = raw.index(b"\r\n\r\n") + 4
    assert (msg.uid, msg.size, msg.truncated) == (uid, len(raw), True)
    assert msg.raw == raw[: header_len + settings.max_fetch_bytes]
    assert message_key(msg.raw) == message_key(raw)


def test_messages_without_useful_headers_are_read_and_told_apart(imap_user: ImapUser) -> None:
    raws = [b"\r\nA body and not a single header.\r\n",
            b"\r\nAnother body, no header either.\r\n",
            b"this line is not a header\r\n\r\nbody\r\n",
            b"X-Only: one odd header\r\n\r\n"]
    for raw in raws:
        imap_user.server.append(imap_user.login, "INBOX", raw)
    with ImapMailbox(settings_for(imap_user)) as box:
        batch = box.fetch_new("INBOX", None)
    assert [m.raw for m in batch.messages] == raws
    assert len({message_key(m.raw) for m in batch.messages}) == len(raws)


def test_uidvalidity_change_resyncs_since_and_keys_stay_stable(imap_user: ImapUser) -> None:
    append(imap_user, 1, when=SINCE - timedelta(days=3))
    append(imap_user, 2, when=SINCE + timedelta(hours=1))
    append(imap_user, 3, when=SINCE + timedelta(hours=2))
    settings = settings_for(imap_user)
    with ImapMailbox(settings) as box:
        before = box.fetch_new("INBOX", None, since=SINCE)
    new_validity = imap_user.server.change_uidvalidity(imap_user.login, "INBOX")
    append(imap_user, 4, when=SINCE + timedelta(hours=3))
    with ImapMailbox(settings) as box:
        after = box.fetch_new("INBOX", before.state, since=SINCE)
        assert after.resynced and after.state.uidvalidity == new_validity != before.state.uidvalidity
        keys_before = [message_key(m.raw) for m in before.messages]
        keys_after = [message_key(m.raw) for m in after.messages]
        assert keys_after[:2] == keys_before and len(keys_after) == 3
        assert message_key(mail(4)) == keys_after[2]
        assert box.fetch_new("INBOX", after.state, since=SINCE).messages == ()


def test_mail_arriving_during_a_sweep_is_left_for_the_next_one(imap_user: ImapUser) -> None:
    present = [append(imap_user, n) for n in range(5)]
    arrived: list[int] = []
    hooks = ImapHooks(after_search=lambda folder, found: arrived.append(append(imap_user, 100)),
                       after_batch=lambda folder, done: arrived.append(append(imap_user, 200 + len(arrived))))
    with ImapMailbox(settings_for(imap_user), batch_size=2, hooks=hooks) as box:
        batch = box.fetch_new("INBOX", None)
    assert uids(batch) == present and batch.state.last_uid == present[-1]
    assert len(arrived) == 4  # one after the SEARCH, one after each of the 3 FETCH batches
    with ImapMailbox(settings_for(imap_user)) as box:
        assert uids(box.fetch_new("INBOX", batch.state)) == arrived


def test_new_connection_resumes_exactly_from_stored_state(imap_user: ImapUser) -> None:
    settings = settings_for(imap_user)
    [append(imap_user, n) for n in range(3)]
    with ImapMailbox(settings) as box:
        state = box.fetch_new("INBOX", None).state
    later = [append(imap_user, n) for n in range(3, 6)]
    with ImapMailbox(settings) as box:
        assert uids(box.fetch_new("INBOX", state)) == later


def test_connection_dropped_mid_sweep_raises_and_a_retry_loses_nothing(imap_user: ImapUser) -> None:
    settings = settings_for(imap_user)
    with ImapMailbox(settings) as box:
        state = box.fetch_new("INBOX", None).state
    expected = [append(imap_user, n) for n in range(6)]
    kick = ImapHooks(after_batch=lambda folder, done: imap_user.server.kick(imap_user.login))
    with ImapMailbox(settings, batch_size=2, hooks=kick) as box:
        with pytest.raises(ProbeError, match=rf"connection to IMAP server 127\.0\.0\.1:{settings.port} lost while"):
            box.fetch_new("INBOX", state)
    with ImapMailbox(settings) as box:
        assert uids(box.fetch_new("INBOX", state)) == expected


def test_wrong_password_names_user_server_and_fix(imap_user: ImapUser) -> None:
    settings = settings_for(imap_user, password=Secret("SHOPPER_IMAP_PASSWORD", "not-the-password"))
    with pytest.raises(ImapAuthError) as err:
        ImapMailbox(settings).connect()
    assert str(err.value).startswith(
        f"IMAP login failed for user {imap_user.login} on 127.0.0.1:{settings.port}: check SHOPPER_IMAP_PASSWORD")
    assert "not-the-password" not in str(err.value)


def test_closed_port_names_host_port_and_fix(imap_user: ImapUser) -> None:
    port = free_port()
    with pytest.raises(ProbeError) as err:
        ImapMailbox(settings_for(imap_user, port=port)).connect()
    assert str(err.value) == (f"cannot connect to 127.0.0.1:{port} (connection refused): "
                              f"check imap.host/port in config.yaml and that the server is up")


@pytest.mark.parametrize("security, expected", [
    ("ssl", "TLS handshake with 127.0.0.1:{port} failed"),
    ("starttls", "127.0.0.1:{port} does not offer STARTTLS"),
])
def test_tls_mismatch_says_what_to_check(imap_user: ImapUser, security: str, expected: str) -> None:
    settings = settings_for(imap_user, security=security)
    with pytest.raises(ProbeError) as err:
        ImapMailbox(settings).connect()
    assert str(err.value).startswith(expected.format(port=settings.port))
    assert "imap.security" in str(err.value)


def test_missing_folder_lists_the_existing_ones(imap_user: ImapUser) -> None:
    imap_user.server.create_folder(imap_user.login, "Sent")
    with ImapMailbox(settings_for(imap_user, folders=("INBOX", "Archive", JUNK))) as box:
        with pytest.raises(ProbeError) as err:
            box.folders()
    assert str(err.value) == (f"IMAP folder(s) 'Archive' do not exist for {imap_user.login} on "
                              f"127.0.0.1:{imap_user.server.port}: fix imap.folders in config.yaml "
                              f"(existing folders: INBOX, Sent)")


def test_junk_folder_is_found_by_name_or_skipped_with_a_note(imap_user: ImapUser) -> None:
    settings = settings_for(imap_user)
    with ImapMailbox(settings) as box:
        assert box.folders() == ["INBOX"]
        assert "no junk folder" in box.notes[0]
    imap_user.server.create_folder(imap_user.login, "Spam")
    uid = append(imap_user, 1, folder="Spam")
    with ImapMailbox(settings) as box:
        assert box.folders() == ["INBOX", "Spam"] and box.notes == []
        assert uids(box.fetch_new("Spam", None)) == [uid]


def test_junk_folder_marked_special_use_wins_over_names(imap_user: ImapUser) -> None:
    imap_user.server.create_folder(imap_user.login, "Spam")
    imap_user.server.create_folder(imap_user.login, "Bulk")  # the test server marks "Bulk" \Junk
    with ImapMailbox(settings_for(imap_user)) as box:
        assert box.folders() == ["INBOX", "Bulk"]


class WatchThread:
    """Runs watch() in a thread, records each batch and when it came, and fails loudly on errors."""

    def __init__(self, settings: ImapSettings) -> None:
        self.stop = threading.Event()
        self.batches: list[tuple[float, FolderBatch]] = []
        self.error: BaseException | None = None
        self._changed = threading.Condition()
        self._thread = threading.Thread(target=self._run, args=(settings,), daemon=True)

    def _run(self, settings: ImapSettings) -> None:
        try:
            watch(settings, self._on_batch, self.stop, since=None, states={}, backoff=(0.05, 1.0))
        except BaseException as e:  # handed to the test thread, which re-raises it
            self.error = e
            with self._changed:
                self._changed.notify_all()

    def _on_batch(self, batch: FolderBatch) -> None:
        with self._changed:
            self.batches.append((time.monotonic(), batch))
            self._changed.notify_all()

    def uids(self, folder: str = "INBOX") -> list[int]:
        return [m.uid for _, b in self.batches if b.folder == folder for m in b.messages]

    def wait_for(self, predicate, timeout: float = 10.0) -> None:
        with self._changed:
            if not self._changed.wait_for(lambda: predicate() or self.error is not None, timeout):
                raise AssertionError(f"watch() did not get there in {timeout} s; batches: {self.batches}")
        if self.error is not None:
            raise self.error

    def __enter__(self) -> "WatchThread":
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        self._thread.join(timeout=10)
        assert not self._thread.is_alive(), "watch() did not return after stop_event was set"


def test_watch_hands_new_mail_over_within_a_second_or_so(imap_user: ImapUser) -> None:
    with WatchThread(settings_for(imap_user)) as w:
        w.wait_for(lambda: len(w.batches) >= 1)  # the first sweep: an empty INBOX and its state
        sent = time.monotonic()
        uid = append(imap_user, 1)
        w.wait_for(lambda: uid in w.uids())
        latency = next(t for t, b in w.batches if uid in uids(b)) - sent
        print(f"\nwatch(): APPEND to on_batch latency {latency * 1000:.0f} ms")
        assert latency < 3.0
        stopping = time.monotonic()
    assert time.monotonic() - stopping < 3.0  # stop_event is noticed within the 1 s IDLE slices


def test_watch_survives_a_kick_without_losing_or_repeating_mail(imap_user: ImapUser,
                                                               caplog: pytest.LogCaptureFixture) -> None:
    first = append(imap_user, 1)
    with WatchThread(settings_for(imap_user)) as w:
        w.wait_for(lambda: first in w.uids())
        second = append(imap_user, 2)
        w.wait_for(lambda: second in w.uids())
        assert imap_user.login in imap_user.server.kick(imap_user.login)
        third = append(imap_user, 3)
        w.wait_for(lambda: third in w.uids())
        fourth = append(imap_user, 4)
        w.wait_for(lambda: fourth in w.uids())
    assert w.uids() == [first, second, third, fourth]
    assert "closed the connection during IDLE (Server shutting down.): reconnect; reconnecting in" in caplog.text


def test_wait_for_change_counts_mail_that_arrived_during_the_sweep(imap_user: ImapUser) -> None:
    append(imap_user, 1)
    # Mail that arrives after fetch_new chose its last UID is announced in the answer to a later
    # FETCH; it must wake the next wait at once rather than wait for the following message.
    late = ImapHooks(after_search=lambda folder, found: append(imap_user, 2))
    with ImapMailbox(settings_for(imap_user), hooks=late) as box:
        assert len(box.fetch_new("INBOX", None).messages) == 1
        started = time.monotonic()
        assert box.wait_for_change(10.0) is True
        assert time.monotonic() - started < 1.0


def test_wait_for_change_sees_mail_from_before_idle_and_stops_on_the_event(imap_user: ImapUser) -> None:
    with ImapMailbox(settings_for(imap_user)) as box:
        state = box.fetch_new("INBOX", None).state
        append(imap_user, 1)  # arrives between the sweep and IDLE: Dovecot reports it when IDLE starts
        assert box.wait_for_change(10.0) is True
        box.fetch_new("INBOX", state)
        stop = threading.Event()
        stop.set()
        started = time.monotonic()
        assert box.wait_for_change(30.0, stop) is False
        assert time.monotonic() - started < 2.0


def test_mail_arriving_just_before_idle_is_reported_within_a_cycle(imap_user: ImapUser) -> None:
    # Dovecot 2.3 does not announce, until DONE, mail that came between the last command and IDLE.
    arrived: list[int] = []
    hooks = ImapHooks(before_idle=lambda folder: arrived.append(append(imap_user, 1)) if not arrived else None)
    with ImapMailbox(settings_for(imap_user), hooks=hooks) as box:
        state = box.fetch_new("INBOX", None).state
        started = time.monotonic()
        assert box.wait_for_change(10.0) is True
        waited = time.monotonic() - started
        assert uids(box.fetch_new("INBOX", state)) == arrived
    assert waited < 2.5
