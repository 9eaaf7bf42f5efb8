"""The IMAP probe: the only code that talks IMAP; read-only, incremental sweeps of the shopper's mailbox.

A sweep never changes the mailbox: folders are opened with EXAMINE and bodies read with BODY.PEEK, so
no \\Seen flag is ever set. `fetch_new` returns the messages that arrived since a `FolderState` plus
the state to store next; the state covers exactly the messages returned, so a sweep that fails half
way (a ProbeError) can simply be retried from the old state: nothing is lost, nothing is counted twice.

    with ImapMailbox(settings) as box:
        for folder in box.folders():
            batch = box.fetch_new(folder, states.get(folder), since=run_started)
            ...  # hand batch.messages on, then store batch.state
"""
from __future__ import annotations

import hashlib
import imaplib
import logging
import re
import socket
import ssl
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from email.parser import BytesHeaderParser
from email.policy import compat32

from imapclient import IMAPClient
from imapclient import exceptions as imap_errors

from shopper.errors import ProbeError
from shopper.secrets import Secret

log = logging.getLogger(__name__)

JUNK = "\\Junk"
# Names tried, in order, when the server does not mark its junk folder with SPECIAL-USE (RFC 6154).
JUNK_NAMES = ("Junk", "Spam", "Junk E-mail", "Junk Email", "[Gmail]/Spam", "Bulk Mail")
SECURITY_MODES = ("ssl", "starttls", "none")
FETCH_BATCH = 500  # UIDs per FETCH command
FETCH_BATCH_BYTES = 8 * 1024 * 1024  # and at most about this much message data per FETCH
IDLE_SLICE = 1.0  # how often a waiting IDLE looks at the stop event (seconds)
NOOP_POLL = 1.0  # how often to poll with NOOP when the server has no IDLE


@dataclass(frozen=True)
class ImapSettings:
    """Where the shopper's mailbox is and how to read it (the `imap:` section of config.yaml)."""

    host: str
    port: int
    security: str = "ssl"  # ssl | starttls | none
    user: str = ""
    password: Secret | None = None
    folders: tuple[str, ...] = ("INBOX", JUNK)  # JUNK: the special-use junk folder, skipped if absent
    timeout: float = 30.0
    max_fetch_bytes: int = 256 * 1024
    verify_tls: bool = True
    ca_file: str | None = None
    sweep_timeout: float | None = 900.0   # a whole sweep's limit: a server that trickles bytes cannot hold it
    trusted_authserv_ids: tuple[str, ...] = ()   # the shopper's provider's Authentication-Results authserv-id

    @property
    def address(self) -> str:
        return f"{self.host}:{self.port}"


@dataclass(frozen=True)
class FolderState:
    """How far a folder has been read: valid while the server keeps the same UIDVALIDITY."""

    folder: str
    uidvalidity: int
    last_uid: int
    highestmodseq: int | None = None


@dataclass(frozen=True)
class FetchedMessage:
    """One message as read from the server; `raw` is cut after max_fetch_bytes of body when `truncated`."""

    folder: str
    uid: int
    uidvalidity: int
    size: int  # RFC822.SIZE: the full size, also when truncated
    internaldate: datetime  # aware, UTC
    raw: bytes
    truncated: bool


@dataclass(frozen=True)
class FolderBatch:
    """The result of one `fetch_new`: new messages in UID order and the state to store after them."""

    folder: str
    messages: tuple[FetchedMessage, ...]
    state: FolderState | None   # None: nothing read before the deadline, keep the stored state
    resynced: bool  # UIDVALIDITY changed: everything since `since` was fetched again
    complete: bool = True   # False: the sweep's deadline stopped the reading; `state` covers what was read


@dataclass(frozen=True)
class ImapHooks:
    """Test seams: called between IMAP commands, so a test can make mail arrive at an exact point."""

    after_search: Callable[[str, tuple[int, ...]], None] | None = None  # (folder, UIDs found)
    after_batch: Callable[[str, tuple[int, ...]], None] | None = None  # (folder, UIDs of a FETCH batch)
    before_idle: Callable[[str], None] | None = None  # (folder) just before each IDLE command


class ImapSetupError(ProbeError):
    """A problem retrying will not fix until config.yaml or the account changes (watch() stops on it)."""


class ImapAuthError(ImapSetupError):
    """The server refused the login."""


class SweepDeadline(ProbeError):
    """The sweep's overall deadline (imap.sweep_timeout) passed while talking to the server."""


def message_key(raw: bytes) -> str:
    """A digest that recognises the same message across a UIDVALIDITY resync (or in two folders).

    Built from Message-ID, Date and From (whitespace-normalised) and a hash of the first KB of the
    body (line endings normalised), so it also tells apart messages without any headers.

    >>> message_key(b"Message-ID: <a@x>\\r\\n\\r\\nhi\\r\\n") == message_key(b"Message-ID: <a@x>\\n\\nhi\\n")
    True
    """
    head, body = _split_message(raw)
    fields = BytesHeaderParser(policy=compat32).parsebytes(head) if head else None
    parts = []
    for name in ("Message-ID", "Date", "From"):
        value = fields.get(name) if fields is not None else None
        parts.append(" ".join(str(value).split()) if value is not None else "")
    first_kb = body[:2048].replace(b"\r\n", b"\n")[:1024]
    parts.append(hashlib.sha256(first_kb).hexdigest())
    return hashlib.sha256("\0".join(parts).encode("utf-8", "surrogateescape")).hexdigest()[:32]


def _split_message(raw: bytes) -> tuple[bytes, bytes]:
    """(header block, body); a message without a blank line after its headers is all body."""
    if raw.startswith((b"\r\n", b"\n")):  # no header block at all
        return b"", raw.split(b"\n", 1)[1]
    end = _HEADER_END.search(raw)
    if end is None:
        return b"", raw
    return raw[:end.start()], raw[end.end():]


_HEADER_END = re.compile(rb"\r?\n\r?\n")


class ImapMailbox:
    """One IMAP connection to the shopper's mailbox. Use as a context manager (connects and closes)."""

    def __init__(self, settings: ImapSettings, *, batch_size: int = FETCH_BATCH, hooks: ImapHooks | None = None):
        self.settings = settings
        self.batch_size = batch_size
        self.hooks = hooks or ImapHooks()
        self.notes: list[str] = []  # things worth telling the user that are not errors (no junk folder...)
        self._client: IMAPClient | None = None
        self._selected: str | None = None
        self._last_seen: dict[str, int] = {}  # highest UID handed out per folder on this connection
        self._deadline: float | None = None   # time.monotonic() after which the connection is cut
        self._watchdog: threading.Timer | None = None
        self.expired = False

    def __enter__(self) -> "ImapMailbox":
        self.connect()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- connection --------------------------------------------------------------------------
    def connect(self) -> None:
        """Connect, secure (ssl/starttls) and log in; ProbeError saying which server and what to check."""
        s = self.settings
        if s.security not in SECURITY_MODES:
            raise ImapSetupError(f"imap.security is {s.security!r}: use one of {', '.join(SECURITY_MODES)}")
        if s.password is None:
            raise ImapAuthError(f"no IMAP password for user {s.user} on {s.address}: set SHOPPER_IMAP_PASSWORD")
        context = self._tls_context() if s.security != "none" else None
        with self._connecting():
            client = IMAPClient(s.host, s.port, ssl=s.security == "ssl", ssl_context=context, timeout=s.timeout)
        try:
            client.normalise_times = False  # keep INTERNALDATE's zone: we compare against `since`
            if s.security == "starttls":
                if not client.has_capability("STARTTLS"):
                    raise ImapSetupError(f"{s.address} does not offer STARTTLS: set imap.security to ssl "
                                         f"(usually port 993), or none only on a trusted network")
                with self._connecting():
                    client.starttls(context)
            self._login(client)
            if client.has_capability("CONDSTORE"):
                with self._talking("enabling CONDSTORE"):
                    client.enable("CONDSTORE")
        except BaseException:
            client.shutdown()
            raise
        self._client = client

    def _tls_context(self) -> ssl.SSLContext:
        s = self.settings
        try:
            context = ssl.create_default_context(cafile=s.ca_file)
        except (OSError, ssl.SSLError) as e:
            raise ImapSetupError(f"imap.ca_file {s.ca_file} cannot be used ({e}): point it at a PEM CA file") from None
        if not s.verify_tls:
            context.check_hostname = False
            context.verify_mode = ssl.CERT_NONE
        return context

    @contextmanager
    def _connecting(self) -> Iterator[None]:
        """Turn socket and TLS failures while connecting into errors that say what to check."""
        s = self.settings
        where = "check imap.host/port in config.yaml and that the server is up"
        try:
            yield
        except ssl.SSLCertVerificationError as e:
            raise ImapSetupError(f"TLS certificate of {s.address} is not trusted ({e.verify_message}): "
                                 f"set imap.ca_file to the server's CA, or imap.verify_tls: false for a test "
                                 f"server") from None
        except ssl.SSLError as e:
            raise ProbeError(f"TLS handshake with {s.address} failed ({e.reason or e}): check imap.security "
                             f"(ssl for port 993, starttls for port 143) and imap.port") from None
        except socket.gaierror as e:
            raise ProbeError(f"cannot connect to {s.address} (host name does not resolve: {e.strerror}): "
                             f"check imap.host in config.yaml") from None
        except ConnectionRefusedError:
            raise ProbeError(f"cannot connect to {s.address} (connection refused): {where}") from None
        except TimeoutError:
            raise ProbeError(f"cannot connect to {s.address} (no answer within {s.timeout:g} s): {where}; "
                             f"a firewall may be dropping the connection") from None
        except OSError as e:
            raise ProbeError(f"cannot connect to {s.address} ({e.strerror or e}): {where}") from None
        except imaplib.IMAP4.error as e:
            raise ProbeError(f"{s.address} did not answer like an IMAP server ({e}): check imap.port and "
                             f"imap.security (ssl for port 993, starttls or none for port 143)") from None

    def _login(self, client: IMAPClient) -> None:
        s = self.settings
        assert s.password is not None
        password = s.password.reveal()
        try:
            client.login(s.user, password)
        except imap_errors.LoginError as e:
            said = str(e).replace(password, "***") if password else str(e)
            raise ImapAuthError(f"IMAP login failed for user {s.user} on {s.address}: check SHOPPER_IMAP_PASSWORD "
                                f"and imap.user in config.yaml (server said: {said})") from None
        except (imaplib.IMAP4.abort, OSError) as e:
            raise ProbeError(f"connection to {s.address} lost during login ({type(e).__name__}): "
                             f"check that the server is up") from None

    def set_deadline(self, deadline: float | None) -> None:
        """Cut the connection at `deadline` (time.monotonic()): a read blocked on a server that trickles bytes
        ends then with SweepDeadline, and fetch_new returns what it read before it."""
        if self._watchdog is not None:
            self._watchdog.cancel()
            self._watchdog = None
        self._deadline = deadline
        if deadline is not None:
            self._watchdog = threading.Timer(max(0.0, deadline - time.monotonic()), self._expire)
            self._watchdog.daemon = True
            self._watchdog.start()

    def past_deadline(self) -> bool:
        return self.expired or (self._deadline is not None and time.monotonic() >= self._deadline)

    def _expire(self) -> None:
        self.expired = True
        client = self._client
        if client is None:
            return
        try:
            client.socket().shutdown(socket.SHUT_RDWR)   # the blocked recv() returns at once
        except OSError as e:
            log.debug("cutting the IMAP connection at the sweep deadline: %s", e)

    def close(self) -> None:
        """Log out (best effort: a dead connection is just dropped)."""
        if self._watchdog is not None:
            self._watchdog.cancel()
            self._watchdog = None
        if self.expired:
            self._drop()
            return
        client, self._client = self._client, None
        self._selected = None
        if client is None:
            return
        try:
            client.logout()
        except (imaplib.IMAP4.error, OSError) as e:
            log.debug("IMAP logout from %s failed (%s); dropping the connection", self.settings.address, e)
            client.shutdown()

    def _require(self) -> IMAPClient:
        if self._client is None:
            raise ProbeError(f"not connected to {self.settings.address}: call connect() first (or use `with`)")
        return self._client

    @contextmanager
    def _talking(self, doing: str) -> Iterator[None]:
        """Map a failure mid-conversation to ProbeError; a lost connection is closed for good."""
        if self.past_deadline():
            self._drop()
            raise SweepDeadline(self.deadline_text(doing))
        try:
            yield
        except (imaplib.IMAP4.error, OSError) as e:
            if self.expired:   # our own watchdog cut the connection
                self._drop()
                raise SweepDeadline(self.deadline_text(doing)) from None
            self._failed(e, doing)

    def _failed(self, e: Exception, doing: str) -> None:
        if isinstance(e, imaplib.IMAP4.abort):  # includes imapclient's AbortError: the connection is gone
            self._drop()
            raise ProbeError(f"connection to IMAP server {self.settings.address} lost while {doing} ({e}): "
                             f"retry with a new connection") from None
        if isinstance(e, OSError):
            self._drop()
            raise ProbeError(f"connection to IMAP server {self.settings.address} lost while {doing} "
                             f"({e.strerror or type(e).__name__}): retry with a new connection") from None
        raise ProbeError(f"IMAP server {self.settings.address} refused {doing}: {e}") from None

    def deadline_text(self, doing: str) -> str:
        return (f"the sweep's deadline (imap.sweep_timeout = {self.settings.sweep_timeout:g} s) passed while "
                f"{doing} on {self.settings.address}; what was read is kept, the rest is read next time")

    def _drop(self) -> None:
        client, self._client = self._client, None
        self._selected = None
        if client is not None:
            client.shutdown()

    # -- folders -----------------------------------------------------------------------------
    def folders(self) -> list[str]:
        """The server's names for settings.folders (JUNK resolved); ProbeError naming missing folders."""
        client = self._require()
        with self._talking("listing folders"):
            listing = client.list_folders()
        selectable = [(flags, delim, name) for flags, delim, name in listing
                      if not {b"\\Noselect", b"\\NonExistent"} & {f for f in flags}]
        names = [name for _, _, name in selectable]
        found: list[str] = []
        missing: list[str] = []
        for wanted in self.settings.folders:
            if wanted == JUNK:
                junk = _junk_folder(selectable)
                if junk is None:
                    note = (f"no junk folder on {self.settings.address} (no \\Junk SPECIAL-USE, none named "
                            f"{', '.join(JUNK_NAMES)}): junk is not swept")
                    log.info("%s", note)
                    self.notes.append(note)
                elif junk not in found:
                    found.append(junk)
                continue
            real = next((n for n in names if n == wanted or (wanted.upper() == "INBOX" and n.upper() == "INBOX")),
                        None)
            if real is None:
                missing.append(wanted)
            elif real not in found:
                found.append(real)
        if missing:
            raise ImapSetupError(f"IMAP folder(s) {', '.join(repr(m) for m in missing)} do not exist for "
                                 f"{self.settings.user} on {self.settings.address}: fix imap.folders in "
                                 f"config.yaml (existing folders: {', '.join(sorted(names)) or 'none'})")
        return found

    # -- sweeping ----------------------------------------------------------------------------
    def fetch_new(self, folder: str, state: FolderState | None, *, since: datetime | None = None) -> FolderBatch:
        """Messages of `folder` that are newer than `state`, and the state after them.

        No state (first sweep) or a changed UIDVALIDITY (resynced=True): every message whose
        INTERNALDATE is >= `since` (all when since is None); the returned state still covers the
        whole folder so that the next sweep is incremental. A naive `since` is taken as UTC.
        """
        client = self._require()
        with self._talking(f"opening folder {folder}"):
            info = client.select_folder(folder, readonly=True)  # EXAMINE: nothing we do sets \Seen
            self._selected = folder
            _take_untagged(client, "EXISTS")  # from here on, an EXISTS means mail newer than `top`
            top = _highest_uid(client)
        uidvalidity = int(info[b"UIDVALIDITY"])
        modseq = info.get(b"HIGHESTMODSEQ")
        resynced = state is not None and state.uidvalidity != uidvalidity
        if resynced:
            log.warning("UIDVALIDITY of %s on %s changed (%s -> %s): reading it again since %s",
                        folder, self.settings.address, state.uidvalidity, uidvalidity, since)
        incremental = state is not None and not resynced
        floor = _utc(since) if since is not None and not incremental else None
        low = state.last_uid + 1 if incremental else 1
        if incremental:   # the usual sweep: one FETCH per UID range, sizes, dates and bodies at once
            messages, cut = _until_deadline(self._fetch_range(client, folder, uidvalidity, low, top))
            if cut:
                return _partial(folder, messages, state, uidvalidity, resynced)
            last_uid = max(top, state.last_uid)
            self._last_seen[folder] = last_uid
            new_state = FolderState(folder, uidvalidity, last_uid, int(modseq) if modseq is not None else None)
            log.debug("%s %s: %d new message(s), last UID %d", self.settings.address, folder, len(messages), last_uid)
            return FolderBatch(folder, messages, new_state, resynced)
        uids: list[int] = []
        if top >= low:
            criteria: list[object] = ["UID", f"{low}:{top}"]
            if floor is not None:
                criteria += ["SINCE", (floor - timedelta(days=1)).date()]  # SEARCH dates ignore zones
            with self._talking(f"searching {folder}"):
                uids = sorted(u for u in client.search(criteria) if low <= u <= top)
        if self.hooks.after_search:
            self.hooks.after_search(folder, tuple(uids))
        messages, cut = _until_deadline(self._fetch(client, folder, uidvalidity, uids, floor))
        if cut:
            return _partial(folder, messages, state, uidvalidity, resynced)
        last_uid = max(top, state.last_uid) if incremental else top
        self._last_seen[folder] = last_uid
        new_state = FolderState(folder, uidvalidity, last_uid, int(modseq) if modseq is not None else None)
        log.debug("%s %s: %d new message(s), last UID %d", self.settings.address, folder, len(messages), last_uid)
        return FolderBatch(folder, messages, new_state, resynced)

    def _fetch_range(self, client: IMAPClient, folder: str, uidvalidity: int, low: int,
                     top: int) -> Iterator[FetchedMessage]:
        """UIDs low..top (gaps allowed) in chunks of batch_size: the first max_fetch_bytes of each message,
        with its size and date, in one FETCH per chunk."""
        if self.hooks.after_search:
            self.hooks.after_search(folder, ())
        limit = self.settings.max_fetch_bytes
        part = b"BODY[]<0>"
        start = low
        while start <= top:
            end = min(top, start + self.batch_size - 1)
            with self._talking(f"reading messages in {folder}"):
                got = client.fetch(list(range(start, end + 1)), ["RFC822.SIZE", "INTERNALDATE",
                                                                 f"BODY.PEEK[]<0.{limit}>"])
            for uid in sorted(u for u in got if start <= u <= end):
                item = got[uid]
                raw = item.get(part)
                if raw is None or b"RFC822.SIZE" not in item or b"INTERNALDATE" not in item:
                    log.debug("%s UID %d vanished during FETCH (expunged)", folder, uid)
                    continue
                size = int(item[b"RFC822.SIZE"])
                yield FetchedMessage(folder, uid, uidvalidity, size, _utc(item[b"INTERNALDATE"]), bytes(raw),
                                     size > limit)
            if self.hooks.after_batch:
                self.hooks.after_batch(folder, tuple(sorted(got)))
            start = end + 1

    def _fetch(self, client: IMAPClient, folder: str, uidvalidity: int, uids: Sequence[int],
               floor: datetime | None) -> Iterator[FetchedMessage]:
        limit = self.settings.max_fetch_bytes
        for chunk in _chunks(uids, self.batch_size):
            with self._talking(f"reading sizes and dates in {folder}"):
                meta = client.fetch(chunk, ["RFC822.SIZE", "INTERNALDATE"])
            wanted = []
            for uid in chunk:
                item = meta.get(uid, {})
                if b"RFC822.SIZE" not in item or b"INTERNALDATE" not in item:
                    log.debug("%s UID %d vanished before FETCH (expunged)", folder, uid)
                    continue
                when = _utc(item[b"INTERNALDATE"])
                if floor is None or when >= floor:
                    wanted.append((uid, int(item[b"RFC822.SIZE"]), when))
            for group in _byte_batches(wanted, limit, self.batch_size):
                yield from self._fetch_bodies(client, folder, uidvalidity, group, limit)
            if self.hooks.after_batch:
                self.hooks.after_batch(folder, tuple(chunk))

    def _fetch_bodies(self, client: IMAPClient, folder: str, uidvalidity: int,
                      group: list[tuple[int, int, datetime]], limit: int) -> Iterator[FetchedMessage]:
        small = [uid for uid, size, _ in group if size <= limit]
        large = [uid for uid, size, _ in group if size > limit]
        with self._talking(f"reading messages in {folder}"):
            whole = client.fetch(small, ["BODY.PEEK[]"]) if small else {}
            parts = client.fetch(large, [f"BODY.PEEK[HEADER]<0.{limit}>", f"BODY.PEEK[TEXT]<0.{limit}>"]) if large else {}
        for uid, size, when in group:
            if size <= limit:
                raw = whole.get(uid, {}).get(b"BODY[]")
                truncated = False
            else:
                item = parts.get(uid, {})
                head, text = item.get(b"BODY[HEADER]<0>"), item.get(b"BODY[TEXT]<0>")
                raw = None if head is None and text is None else (head or b"") + (text or b"")
                truncated = True
            if raw is None:
                log.debug("%s UID %d vanished before its body was read (expunged)", folder, uid)
                continue
            yield FetchedMessage(folder, uid, uidvalidity, size, when, bytes(raw), truncated)

    # -- waiting -----------------------------------------------------------------------------
    def wait_for_change(self, timeout: float, stop: threading.Event | None = None) -> bool:
        """Wait on the folder last read by fetch_new; True when new mail arrived (IDLE, or NOOP polls).

        Returns False after `timeout` s or within a second of `stop` being set. Nothing slips in
        between the sweep and the wait: mail announced (EXISTS) in the answer to one of fetch_new's
        commands or to a NOOP counts at once, and IDLE runs in 1 s cycles because Dovecot 2.3 holds
        back, until DONE, what changed just before IDLE started.
        """
        client = self._require()
        folder = self._selected
        if folder is None or folder not in self._last_seen:
            raise ProbeError("wait_for_change needs a folder read by fetch_new on this connection first")
        if _take_untagged(client, "EXISTS"):
            return True
        deadline = time.monotonic() + timeout
        if not client.has_capability("IDLE"):
            return self._poll_noop(client, folder, deadline, stop)
        with self._talking(f"checking {folder} for new mail"):
            _text, responses = client.noop()
        if _announces_mail(responses):
            return True
        with self._talking(f"waiting (IDLE) on {folder}"):
            return self._idle_until(client, deadline, stop)

    def _idle_until(self, client: IMAPClient, deadline: float, stop: threading.Event | None) -> bool:
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or (stop is not None and stop.is_set()):
                return False
            slice_ = min(remaining, IDLE_SLICE)
            if self.hooks.before_idle:
                self.hooks.before_idle(self._selected or "")
            client.idle()
            started = time.monotonic()
            responses = client.idle_check(timeout=slice_)
            if any(r[:1] == (b"BYE",) for r in responses):
                self._drop()
                raise ProbeError(f"IMAP server {self.settings.address} closed the connection during IDLE "
                                 f"({_bye_text(responses)}): reconnect")
            if not responses and slice_ >= 0.2 and time.monotonic() - started < slice_ / 2:
                # idle_check returns at once with nothing only when the socket hit EOF.
                self._drop()
                raise ProbeError(f"IMAP server {self.settings.address} closed the connection during IDLE: reconnect")
            _text, held_back = client.idle_done()
            if _announces_mail(responses) or _announces_mail(held_back):
                return True

    def _poll_noop(self, client: IMAPClient, folder: str, deadline: float, stop: threading.Event | None) -> bool:
        while time.monotonic() < deadline and not (stop is not None and stop.is_set()):
            wait = min(NOOP_POLL, max(0.0, deadline - time.monotonic()))
            if stop is not None:
                stop.wait(wait)
            else:
                threading.Event().wait(wait)
            with self._talking(f"polling {folder} (NOOP)"):
                _text, responses = client.noop()
            if _announces_mail(responses):
                return True
        return False


def watch(settings: ImapSettings, on_batch: Callable[[FolderBatch], None], stop_event: threading.Event, *,
          since: datetime | None, states: Mapping[str, FolderState] | None = None,
          poll_interval: float = 30.0, idle_folder: str = "INBOX",
          backoff: tuple[float, float] = (0.2, 30.0)) -> dict[str, FolderState]:
    """Sweep settings.folders until `stop_event` is set, handing each batch with news to `on_batch`.

    Keeps one connection: reads every folder, then IDLEs on `idle_folder` (INBOX) for up to
    `poll_interval` s, so INBOX mail is handed over within about a second and other folders are
    polled each cycle. A lost connection is reopened with exponential backoff (`backoff` = first,
    max delay); a refused login or a missing folder stops the watch (ImapSetupError). Returns the
    last states.
    """
    states = dict(states or {})
    first_delay, max_delay = backoff
    delay = first_delay
    while not stop_event.is_set():
        try:
            with ImapMailbox(settings) as box:
                delay = first_delay
                folders = box.folders()
                # The IDLE folder is read last so that it is still selected when IDLE starts.
                order = [f for f in folders if f.upper() != idle_folder.upper()]
                order += [f for f in folders if f.upper() == idle_folder.upper()]
                while not stop_event.is_set():
                    for folder in order:
                        batch = box.fetch_new(folder, states.get(folder), since=since)
                        if batch.messages or batch.state != states.get(folder):
                            on_batch(batch)
                        states[folder] = batch.state
                    if order[-1:] and order[-1].upper() == idle_folder.upper():
                        box.wait_for_change(poll_interval, stop_event)
                    else:
                        stop_event.wait(poll_interval)
        except ImapSetupError:
            raise
        except ProbeError as e:
            log.warning("IMAP watch on %s: %s; reconnecting in %.1f s", settings.address, e, delay)
            stop_event.wait(delay)
            delay = min(max_delay, delay * 2)
    return states


def _until_deadline(messages: Iterator[FetchedMessage]) -> tuple[tuple[FetchedMessage, ...], bool]:
    """The messages read before the sweep's deadline, and whether it cut the reading short."""
    got: list[FetchedMessage] = []
    try:
        for m in messages:
            got.append(m)
    except SweepDeadline as e:
        log.warning("%s", e)
        return tuple(got), True
    return tuple(got), False


def _partial(folder: str, messages: tuple[FetchedMessage, ...], state: FolderState | None, uidvalidity: int,
             resynced: bool) -> FolderBatch:
    """A batch cut by the deadline: its state covers the messages read (UIDs ascend), or keeps the stored one."""
    if not messages:
        return FolderBatch(folder, (), None, resynced, complete=False)
    return FolderBatch(folder, messages, FolderState(folder, uidvalidity, messages[-1].uid), resynced, complete=False)


def _highest_uid(client: IMAPClient) -> int:
    """The highest UID in the selected folder now (`UID SEARCH UID *`), 0 when it is empty."""
    return max(client.search(["UID", "*"]), default=0)


def _announces_mail(responses: Sequence[tuple[object, ...]]) -> bool:
    return any(len(r) > 1 and r[1] == b"EXISTS" for r in responses)


def _take_untagged(client: IMAPClient, name: str) -> list[bytes]:
    """Remove and return the untagged responses `name` that arrived with earlier commands' answers.

    imapclient hands over unsolicited responses only for NOOP and IDLE; for other commands
    imaplib keeps them in `untagged_responses`, which is where an EXISTS announcing new mail
    during a SEARCH or FETCH ends up. (Private to imapclient, but stable since imapclient 0.x.)
    """
    return client._imap.untagged_responses.pop(name, None) or []


def _junk_folder(listing: Sequence[tuple[tuple[bytes, ...], bytes | None, str]]) -> str | None:
    for flags, _delim, name in listing:
        if any(f.lower() == b"\\junk" for f in flags):
            return name
    for wanted in JUNK_NAMES:
        for _flags, delim, name in listing:
            leaf = name.rsplit(delim.decode(), 1)[-1] if delim else name
            if name.lower() == wanted.lower() or (leaf.lower() == wanted.lower() and "/" not in wanted):
                return name
    return None


def _bye_text(responses: Sequence[tuple[object, ...]]) -> str:
    for r in responses:
        if r[:1] == (b"BYE",):
            return b" ".join(t for t in r[1:] if isinstance(t, bytes)).decode(errors="replace") or "BYE"
    return "BYE"


def _utc(when: datetime) -> datetime:
    return when.replace(tzinfo=timezone.utc) if when.tzinfo is None else when.astimezone(timezone.utc)


def _chunks(items: Sequence[int], size: int) -> Iterator[list[int]]:
    for i in range(0, len(items), size):
        yield list(items[i:i + size])


def _byte_batches(items: list[tuple[int, int, datetime]], limit: int, count: int) -> Iterator[list[tuple[int, int, datetime]]]:
    """Split (uid, size, date) into FETCH groups of at most `count` messages and ~FETCH_BATCH_BYTES."""
    group: list[tuple[int, int, datetime]] = []
    total = 0
    for item in items:
        cost = min(item[1], 2 * limit)
        if group and (len(group) >= count or total + cost > FETCH_BATCH_BYTES):
            yield group
            group, total = [], 0
        group.append(item)
        total += cost
    if group:
        yield group


__all__ = ["ImapSettings", "FolderState", "FetchedMessage", "FolderBatch", "ImapHooks", "ImapMailbox",
           "ImapAuthError", "ImapSetupError", "SweepDeadline", "message_key", "watch", "JUNK", "JUNK_NAMES"]
