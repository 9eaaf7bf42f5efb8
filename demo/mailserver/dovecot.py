"""A private Dovecot (IMAP + LMTP) on free loopback ports, for tests, benchmarks and the demo world.

Usage::

    with DovecotServer.start(tmpdir) as dovecot:
        login = dovecot.add_user("alice", "pw")
        uid = dovecot.append(login, "INBOX", b"Subject: hi\\r\\n\\r\\nhello\\r\\n")

The server owns everything under its directory (config, base_dir, state_dir, homes, log); it never
touches a system Dovecot and is stopped by its own PID. Needs root (Debian's dovecot 2.3): mail is
stored as the `dovecot` user, logins run as `dovenull`.
"""
from __future__ import annotations

import os
import pwd
import re
import shutil
import smtplib
import socket
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Iterable, Iterator, Sequence

from imapclient import IMAPClient

DOVECOT = "/usr/sbin/dovecot"
DOVEADM = "/usr/bin/doveadm"
MAIL_DOMAIN = "mail.test"
MAIL_USER = "dovecot"  # owner of every mailbox (the brief's "userdb uid is the dovecot user")
LOGIN_USER = "dovenull"

_EX_NOTFOUND = 68  # doveadm DOVEADM_EX_NOTFOUND: e.g. kick found no connection
_APPENDUID = re.compile(rb"\[APPENDUID (\d+) ([0-9:,]+)\]")

_CONFIG = """\
# Written by demo/mailserver/dovecot.py: a private instance, loopback only.
instance_name = {instance}
base_dir = {root}/run
state_dir = {root}/state
protocols = imap lmtp
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
auth_failure_delay = 0
default_internal_user = {mail_user}
default_login_user = {login_user}
first_valid_uid = 1
log_path = {root}/dovecot.log
info_log_path = {root}/dovecot.log
mail_location = maildir:~/Maildir
mail_fsync = never
mail_max_userip_connections = 200
mailbox_list_index = yes
# IMAP IDLE: Dovecot learns of new mail through inotify; this is only the fallback poll.
mailbox_idle_check_interval = 1 secs

# One passwd-file per user: Dovecot re-reads a changed passwd-file at most once a second, but a
# file it has never opened is read at once, so users added while running can log in immediately.
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%Lu {root}/users/%Lu
}}
userdb {{
  driver = passwd-file
  args = username_format=%Lu {root}/users/%Lu
}}

namespace inbox {{
  inbox = yes
  separator = /
  # Only this name is marked \\Junk (RFC 6154), so tests can tell SPECIAL-USE from a name guess.
  mailbox "Bulk" {{
    special_use = \\Junk
  }}
}}

service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {imap_port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
# No auth penalty (anvil delays every login from an IP after a failed one, up to 15 s): one
# wrong-password test would otherwise slow down the next test's logins by seconds.
service anvil {{
  unix_listener anvil-auth-penalty {{
    mode = 0
  }}
}}
service lmtp {{
  inet_listener lmtp {{
    address = 127.0.0.1
    port = {lmtp_port}
  }}
}}
"""


class DovecotError(RuntimeError):
    """The test/demo Dovecot could not start or do what it was asked; the message holds its log tail."""


@dataclass(frozen=True)
class MailUser:
    """One mailbox account on the server."""

    login: str
    password: str


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nobody listens on right now (the usual bind-to-0 race applies)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(host: str, port: int, timeout: float, alive: "subprocess.Popen[bytes] | None" = None) -> bool:
    """True as soon as host:port accepts a connection; False after `timeout` s or if `alive` exits."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if alive is not None and alive.poll() is not None:
            return False
        try:
            with socket.create_connection((host, port), timeout=0.2):
                return True
        except OSError:
            _pause(0.02)  # not listening yet; bounded by `deadline`
    return False


def _pause(seconds: float) -> None:
    threading.Event().wait(seconds)


class DovecotServer:
    """A running private Dovecot. Create with `DovecotServer.start(tmpdir)`; stop with `.stop()` or `with`."""

    host = "127.0.0.1"

    def __init__(self, root: Path, proc: "subprocess.Popen[bytes]", port: int, lmtp_port: int):
        self.root = root
        self.config = root / "dovecot.conf"
        self.port = port
        self.lmtp_port = lmtp_port
        self._proc = proc
        self._users: dict[str, MailUser] = {}
        self._lock = threading.Lock()

    # -- lifecycle ---------------------------------------------------------------------------
    @classmethod
    def start(cls, tmpdir: str | os.PathLike[str], *, ready_timeout: float = 15.0) -> "DovecotServer":
        """Write a config under a new directory in `tmpdir`, start Dovecot, wait until IMAP and LMTP accept."""
        if os.geteuid() != 0:
            raise DovecotError("DovecotServer needs root (it runs mail as the 'dovecot' user)")
        if not os.path.exists(DOVECOT):
            raise DovecotError(f"{DOVECOT} not found: apt-get install dovecot-imapd dovecot-lmtpd")
        mail_pw = pwd.getpwnam(MAIL_USER)
        root = Path(tempfile.mkdtemp(prefix="dovecot-", dir=os.fspath(tmpdir)))
        _check_reachable(root, mail_pw.pw_uid)
        root.chmod(0o755)
        (root / "state").mkdir()
        home = root / "home"
        home.mkdir()
        os.chown(home, mail_pw.pw_uid, mail_pw.pw_gid)
        users = root / "users"
        users.mkdir()
        os.chown(users, 0, mail_pw.pw_gid)
        users.chmod(0o750)
        last_error = ""
        for _attempt in range(3):  # a free port can be taken between our probe and Dovecot's bind
            port, lmtp_port = free_port(), free_port()
            if port == lmtp_port:
                continue
            (root / "dovecot.conf").write_text(_CONFIG.format(
                root=root, instance=f"shopper-{root.name}", imap_port=port, lmtp_port=lmtp_port,
                mail_user=MAIL_USER, login_user=LOGIN_USER))
            log = open(root / "dovecot.stderr", "ab")
            try:
                proc = subprocess.Popen([DOVECOT, "-F", "-c", str(root / "dovecot.conf")],
                                        stdin=subprocess.DEVNULL, stdout=log, stderr=log)
            finally:
                log.close()
            server = cls(root, proc, port, lmtp_port)
            if (wait_for_port(cls.host, port, ready_timeout, proc)
                    and wait_for_port(cls.host, lmtp_port, ready_timeout, proc)):
                return server
            last_error = server.log_tail()
            server.stop()
        raise DovecotError(f"Dovecot did not start on 127.0.0.1 (config {root / 'dovecot.conf'}); "
                           f"log tail:\n{last_error}")

    def stop(self) -> None:
        """Stop this instance by its own PID (Dovecot's master stops its children)."""
        if self._proc.poll() is None:
            self._proc.terminate()
            try:
                self._proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait(timeout=10)

    def remove(self) -> None:
        """Stop and delete the server's directory (mailboxes, logs)."""
        self.stop()
        shutil.rmtree(self.root, ignore_errors=True)

    @property
    def pid(self) -> int:
        return self._proc.pid

    def __enter__(self) -> "DovecotServer":
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def log_tail(self, lines: int = 30) -> str:
        """The last lines of Dovecot's log and stderr, for error messages."""
        out = []
        for name in ("dovecot.stderr", "dovecot.log"):
            path = self.root / name
            if path.exists():
                out += path.read_text(errors="replace").splitlines()[-lines:]
        return "\n".join(out)

    # -- users -------------------------------------------------------------------------------
    def add_user(self, name: str, password: str) -> str:
        """Create a mailbox account (works while running: Dovecot re-reads the passwd-file); returns the login."""
        login = (name if "@" in name else f"{name}@{MAIL_DOMAIN}").lower()
        if any(c in login + password for c in ":/\n\r") or login.startswith("."):
            raise ValueError("user names and passwords must not contain ':', '/' or newlines")
        mail_pw = pwd.getpwnam(MAIL_USER)
        with self._lock:
            if login in self._users:
                raise ValueError(f"user {login} exists already")
            home = self.root / "home" / login
            path = self.root / "users" / login
            path.write_text(f"{login}:{{PLAIN}}{password}:{mail_pw.pw_uid}:{mail_pw.pw_gid}::{home}::\n")
            os.chown(path, 0, mail_pw.pw_gid)
            path.chmod(0o640)
            self._users[login] = MailUser(login, password)
        return login

    def password(self, login: str) -> str:
        return self._user(login).password

    def _user(self, login: str) -> MailUser:
        try:
            return self._users[login.lower()]
        except KeyError:
            raise DovecotError(f"no user {login} on this server (add_user first)") from None

    # -- mail --------------------------------------------------------------------------------
    def connect(self, login: str, *, timeout: float = 30.0) -> IMAPClient:
        """An IMAPClient logged in as `login` (the caller logs out)."""
        client = IMAPClient(self.host, self.port, ssl=False, timeout=timeout)
        client.login(login, self._user(login).password)
        return client

    def append(self, user: str, folder: str, raw: bytes, *, when: datetime | None = None,
               flags: Sequence[str | bytes] = ()) -> int:
        """APPEND one message as `user` (creating `folder` if needed); returns its UID."""
        with self.connect(user) as client:
            _ensure_folder(client, folder)
            resp = client.append(folder, raw, flags=tuple(flags), msg_time=when)
        return _appended_uids(resp)[-1]

    def append_many(self, user: str, folder: str, messages: Iterable[tuple[bytes, datetime | None]],
                    *, batch: int = 500) -> list[int]:
        """APPEND many (raw, when) messages over one connection with MULTIAPPEND batches; returns UIDs."""
        uids: list[int] = []
        with self.connect(user, timeout=120.0) as client:
            _ensure_folder(client, folder)
            for chunk in _chunks(messages, batch):
                items = [{"msg": raw, "date": when} if when else {"msg": raw} for raw, when in chunk]
                typ, data = client.multiappend(folder, items)
                if typ != "OK":
                    raise DovecotError(f"MULTIAPPEND to {folder} failed: {data!r}")
                uids += _appended_uids(data[0])
        return uids

    def create_folder(self, user: str, folder: str) -> None:
        with self.connect(user) as client:
            _ensure_folder(client, folder)

    def deliver_lmtp(self, user: str, raw: bytes, *, sender: str = "sender@example.test") -> None:
        """Deliver `raw` to `user`'s INBOX through Dovecot's LMTP, as an MTA would."""
        with smtplib.LMTP(self.host, self.lmtp_port, timeout=30) as lmtp:
            refused = lmtp.sendmail(sender, [user], raw)
        if refused:
            raise DovecotError(f"LMTP refused {user}: {refused}")

    def uidvalidity(self, user: str, folder: str) -> int:
        out = self.doveadm("mailbox", "status", "-u", user, "uidvalidity", folder)
        return int(out.split("=", 1)[1])

    def change_uidvalidity(self, user: str, folder: str) -> int:
        """Give `folder` a new UIDVALIDITY (as after a server restore); returns it."""
        new = self.uidvalidity(user, folder) + 1
        self.doveadm("mailbox", "update", "-u", user, "--uid-validity", str(new), folder)
        return new

    def kick(self, user: str) -> str:
        """Drop every connection of `user` (doveadm kick); returns doveadm's report ('' if none was open)."""
        return self.doveadm("kick", user, ok_codes=(0, _EX_NOTFOUND))

    def doveadm(self, *args: str, ok_codes: tuple[int, ...] = (0,)) -> str:
        """Run doveadm against this instance; DovecotError with its output on failure."""
        proc = subprocess.run([DOVEADM, "-c", str(self.config), *args], capture_output=True, timeout=60)
        if proc.returncode not in ok_codes:
            raise DovecotError(f"doveadm {' '.join(args)} failed ({proc.returncode}): "
                               f"{proc.stderr.decode(errors='replace').strip()}")
        return proc.stdout.decode(errors="replace").strip()


def _check_reachable(path: Path, uid: int) -> None:
    """Dovecot's mail processes run as `uid`: every parent of its directory must be searchable by them."""
    for parent in path.parents:
        st = parent.stat()
        if not (st.st_mode & 0o001 or st.st_uid == uid):
            raise DovecotError(f"{parent} is not searchable by uid {uid} (mode {oct(st.st_mode & 0o777)}): "
                               f"start Dovecot in a directory such as /tmp")


def _ensure_folder(client: IMAPClient, folder: str) -> None:
    if folder.upper() != "INBOX" and not client.folder_exists(folder):
        client.create_folder(folder)


def _appended_uids(resp: bytes) -> list[int]:
    m = _APPENDUID.search(resp or b"")
    if not m:
        raise DovecotError(f"no APPENDUID in the server's answer: {resp!r}")
    uids: list[int] = []
    for part in m.group(2).split(b","):
        lo, _, hi = part.partition(b":")
        uids += range(int(lo), int(hi or lo) + 1)
    return uids


def _chunks(items: Iterable[tuple[bytes, datetime | None]], size: int) -> Iterator[list[tuple[bytes, datetime | None]]]:
    chunk: list[tuple[bytes, datetime | None]] = []
    for item in items:
        chunk.append(item)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


__all__ = ["DovecotServer", "DovecotError", "MailUser", "free_port", "wait_for_port"]
