"""An SMTP server on loopback that records every message it accepts and can be told to refuse (aiosmtpd).

    server = RecordingSmtpServer().start()
    server.reject_rcpt("gone@shop.test")                     # 550 5.1.1 ... User unknown
    server.reject_data("552 5.2.2 Mailbox full")
    server.require_auth("shopper", "s3cret")                  # MAIL without AUTH -> 530
    ... send to ("127.0.0.1", server.port) ...
    [msg] = server.wait_for(1, timeout=5)                     # no sleeping: a Condition
    msg.message["Subject"], msg.rcpt_tos, msg.data
    server.stop()

The demo's company mail system builds on it (override `accept()` to deliver somewhere).
"""
from __future__ import annotations

import logging
import ssl
import threading
from dataclasses import dataclass
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default as default_policy

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session

log = logging.getLogger(__name__)

AUTH_REQUIRED = "530 5.7.0 Authentication required"


@dataclass(frozen=True)
class ReceivedMessage:
    """One accepted message: the envelope as the client gave it and the raw bytes of DATA."""

    mail_from: str
    rcpt_tos: tuple[str, ...]
    data: bytes
    peer: str
    login: str | None  # the AUTH user, None when the client did not authenticate

    @property
    def message(self) -> EmailMessage:
        return message_from_bytes(self.data, policy=default_policy)  # type: ignore[return-value]


class _BoundPortController(Controller):
    """aiosmtpd's Controller, able to bind port 0: it reads the real port before its self-test connection."""

    def _trigger_server(self) -> None:
        assert self.server is not None
        self.port = self.server.sockets[0].getsockname()[1]
        super()._trigger_server()


class RecordingSmtpServer:
    """Accepts mail on host:port (a free port by default) and keeps it in memory; thread-safe."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0, hostname: str = "mx.shop.test", *,
                 starttls: ssl.SSLContext | None = None, implicit_tls: ssl.SSLContext | None = None):
        """`starttls`: offer STARTTLS with this server context; `implicit_tls`: speak TLS from the start (port 465 style)."""
        self.host = host
        self._starttls = starttls
        self._implicit_tls = implicit_tls
        self._requested_port = port
        self.hostname = hostname
        self._cond = threading.Condition()
        self._messages: list[ReceivedMessage] = []
        self._rcpt_rejects: dict[str, str] = {}
        self._data_reject: str | None = None
        self._credentials: tuple[str, str] | None = None
        self._controller: _BoundPortController | None = None

    # -- lifecycle -----------------------------------------------------------------------------

    @property
    def port(self) -> int:
        if self._controller is None:
            raise RuntimeError("RecordingSmtpServer is not started")
        return self._controller.port

    def start(self) -> "RecordingSmtpServer":
        if self._controller is not None:
            raise RuntimeError("RecordingSmtpServer is already started")
        controller = _BoundPortController(
            _Handler(self), hostname=self.host, port=self._requested_port,
            server_hostname=self.hostname, authenticator=self._authenticate,
            auth_require_tls=False,  # loopback only: AUTH PLAIN/LOGIN over plain text is fine here
            tls_context=self._starttls, require_starttls=False, ssl_context=self._implicit_tls,
        )
        controller.start()
        self._controller = controller
        log.info("recording SMTP server on %s:%d", self.host, self.port)
        return self

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def __enter__(self) -> "RecordingSmtpServer":
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    # -- behaviour -----------------------------------------------------------------------------

    def reject_rcpt(self, address: str, reply: str | None = None) -> None:
        """Refuse RCPT TO:<address> with `reply` (default: 550 5.1.1 ... User unknown)."""
        reply = reply or f"550 5.1.1 <{address}>: Recipient address rejected: User unknown"
        _check_reply(reply)
        with self._cond:
            self._rcpt_rejects[address.lower()] = reply

    def reject_data(self, reply: str | None = "552 5.2.2 Mailbox full") -> None:
        """Refuse every message at the end of DATA with `reply`; None accepts again."""
        if reply is not None:
            _check_reply(reply)
        with self._cond:
            self._data_reject = reply

    def require_auth(self, user: str | None, password: str | None = None) -> None:
        """Accept MAIL only after AUTH as user/password; None lets anyone send again."""
        with self._cond:
            self._credentials = None if user is None else (user, password or "")

    def reset(self) -> None:
        """Forget messages and refusals, drop the AUTH requirement."""
        with self._cond:
            self._messages.clear()
            self._rcpt_rejects.clear()
            self._data_reject = None
            self._credentials = None

    # -- what arrived --------------------------------------------------------------------------

    @property
    def messages(self) -> list[ReceivedMessage]:
        with self._cond:
            return list(self._messages)

    def wait_for(self, count: int, timeout: float) -> list[ReceivedMessage]:
        """Block until at least `count` messages arrived; TimeoutError (saying what did) after `timeout` s."""
        with self._cond:
            if not self._cond.wait_for(lambda: len(self._messages) >= count, timeout):
                raise TimeoutError(
                    f"SMTP server {self.host}:{self.port} received {len(self._messages)} message(s) "
                    f"in {timeout:g}s, expected {count}"
                )
            return list(self._messages)

    def accept(self, received: ReceivedMessage) -> None:
        """Called for each accepted message; records it and wakes waiters. Subclasses may deliver too."""
        with self._cond:
            self._messages.append(received)
            self._cond.notify_all()

    # -- hooks called from the server thread ---------------------------------------------------

    def _authenticate(self, server: SMTP, session: Session, envelope: Envelope,
                      mechanism: str, auth_data: object) -> AuthResult:
        with self._cond:
            credentials = self._credentials
        if not isinstance(auth_data, LoginPassword) or credentials is None:
            return AuthResult(success=False, handled=False)
        given = (auth_data.login.decode("utf-8", "replace"), auth_data.password.decode("utf-8", "replace"))
        return AuthResult(success=given == credentials, handled=False, auth_data=auth_data)

    def _mail_refusal(self, session: Session) -> str | None:
        with self._cond:
            required = self._credentials is not None
        return AUTH_REQUIRED if required and not session.authenticated else None

    def _rcpt_refusal(self, address: str) -> str | None:
        with self._cond:
            return self._rcpt_rejects.get(address.lower())

    def _data_refusal(self) -> str | None:
        with self._cond:
            return self._data_reject


class _Handler:
    """aiosmtpd hooks; all decisions are the server's, taken under its lock."""

    def __init__(self, server: RecordingSmtpServer):
        self.server = server

    async def handle_MAIL(self, server: SMTP, session: Session, envelope: Envelope,
                          address: str, mail_options: list[str]) -> str:
        refusal = self.server._mail_refusal(session)
        if refusal:
            return refusal
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    async def handle_RCPT(self, server: SMTP, session: Session, envelope: Envelope,
                          address: str, rcpt_options: list[str]) -> str:
        refusal = self.server._rcpt_refusal(address)
        if refusal:
            return refusal
        envelope.rcpt_tos.append(address)
        envelope.rcpt_options.extend(rcpt_options)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        refusal = self.server._data_refusal()
        if refusal:
            return refusal
        data = envelope.original_content or b""
        login = getattr(session.auth_data, "login", None)
        self.server.accept(ReceivedMessage(
            mail_from=envelope.mail_from or "",
            rcpt_tos=tuple(envelope.rcpt_tos),
            data=data,
            peer=f"{session.peer[0]}:{session.peer[1]}" if session.peer else "",
            login=login.decode("utf-8", "replace") if isinstance(login, bytes) else None,
        ))
        return "250 2.0.0 Ok: queued"


def _check_reply(reply: str) -> None:
    code = reply[:3]
    if not (code.isdigit() and code[0] in "45" and (len(reply) == 3 or reply[3] == " ")):
        raise ValueError(f"{reply!r} is not a 4xx/5xx SMTP reply like '550 5.1.1 User unknown'")
