"""The only code that sends mail: one SMTP transaction, with every RCPT and DATA reply kept as evidence.

What the server says about the message (a recipient refused, a mailbox full at DATA) is an
observation and comes back in the SendResult. What stops us talking to the server at all
(connection, TLS, login, a refused sender) is a ProbeError naming host:port and what to check.
The password never appears in an error, a log line or a repr.
"""
from __future__ import annotations

import copy
import io
import logging
import smtplib
import socket
import ssl
from dataclasses import dataclass, field
from email.generator import BytesGenerator
from email.message import EmailMessage
from email.utils import getaddresses
from typing import Mapping

from shopper.errors import ConfigError, ProbeError
from shopper.secrets import Secret

log = logging.getLogger(__name__)

SECURITY_MODES = ("ssl", "starttls", "none")
PASSWORD_ENV = "SHOPPER_SMTP_PASSWORD"  # named in errors when no Secret says where the password came from


@dataclass(frozen=True)
class SmtpSettings:
    """Where and how to submit mail. `helo` defaults to the sender's domain (no reverse DNS of this host)."""

    host: str
    port: int
    security: str = "starttls"
    user: str = ""
    password: Secret | None = None
    timeout: float = 30.0
    helo: str | None = None
    verify_tls: bool = True
    ca_file: str | None = None

    def __post_init__(self) -> None:
        if self.security not in SECURITY_MODES:
            raise ConfigError(
                f"smtp security {self.security!r} is not one of {', '.join(SECURITY_MODES)} "
                "(ssl for port 465, starttls for 587, none only for a local test server)"
            )
        if self.timeout <= 0:
            raise ConfigError(f"smtp timeout must be positive, not {self.timeout!r}")

    @property
    def where(self) -> str:
        return f"[{self.host}]:{self.port}" if ":" in self.host else f"{self.host}:{self.port}"


@dataclass(frozen=True)
class SendResult:
    """What the server answered: who it took, who it refused (RCPT reply per address), and the DATA reply."""

    accepted: tuple[str, ...]
    refused: Mapping[str, tuple[int, str]] = field(default_factory=dict)
    data_code: int | None = None
    data_text: str = ""
    ok: bool = False  # at least one recipient accepted and DATA answered 250

    def __post_init__(self) -> None:
        # a plain dict copy (not MappingProxyType): dataclasses.asdict, json and pickle must work on results
        object.__setattr__(self, "refused", dict(self.refused))


class DeliveryUnknown(ProbeError):
    """The connection was lost mid-transaction (after RCPT or DATA): the server may have the message.

    Sending it again could write to the recipient twice, so callers record it as sent with an unknown
    outcome and never retry it.
    """

    def __init__(self, message: str, recipients: tuple[str, ...]):
        super().__init__(message)
        self.recipients = recipients


def send(settings: SmtpSettings, message: EmailMessage) -> SendResult:
    """Submit `message` to its To/Cc/Bcc recipients (Bcc is not transmitted); raise ProbeError if we cannot."""
    sender, recipients = envelope(message)
    helo = settings.helo or _ascii_domain(sender.rpartition("@")[2]) or "localhost"
    client = _connect(settings, helo)
    try:
        _secure_and_login(client, settings)
        return _transaction(client, settings, message, sender, recipients)
    except (smtplib.SMTPException, OSError) as exc:
        raise _probe_error(exc, settings, "talking to") from None
    finally:
        _quit(client, settings)


def verify(settings: SmtpSettings, sender: str) -> None:
    """Connect, secure and log in as a send from `sender` would, then quit: ProbeError naming the fix when it cannot."""
    client = _connect(settings, settings.helo or _ascii_domain(sender.rpartition("@")[2]) or "localhost")
    try:
        try:
            _secure_and_login(client, settings)
        except (smtplib.SMTPException, OSError) as exc:
            raise _probe_error(exc, settings, "logging in to") from None
    finally:
        _quit(client, settings)


def envelope(message: EmailMessage) -> tuple[str, list[str]]:
    """(envelope sender, recipients) from Sender/From and To/Cc/Bcc, recipients deduplicated in order."""
    sender_values = message.get_all("Sender") or message.get_all("From") or []
    senders = [addr for _, addr in getaddresses([str(v) for v in sender_values]) if addr]
    if not senders:
        raise ValueError("the message has no From address to send it from")
    values = [str(v) for h in ("To", "Cc", "Bcc") for v in (message.get_all(h) or [])]
    recipients = list(dict.fromkeys(addr for _, addr in getaddresses(values) if addr))
    if not recipients:
        raise ValueError("the message has no To, Cc or Bcc recipient")
    return senders[0], recipients


# -- connection ----------------------------------------------------------------------------------

def _connect(settings: SmtpSettings, helo: str) -> smtplib.SMTP:
    client: smtplib.SMTP
    if settings.security == "ssl":
        client = smtplib.SMTP_SSL(local_hostname=helo, timeout=settings.timeout, context=_tls_context(settings))
    else:
        client = smtplib.SMTP(local_hostname=helo, timeout=settings.timeout)
    # smtplib sets _host only when the constructor connects; TLS needs it for SNI and hostname checks,
    # and connecting here instead lets us close the socket when the greeting never comes.
    client._host = settings.host  # type: ignore[attr-defined]
    try:
        code, greeting = client.connect(settings.host, settings.port)
    except (smtplib.SMTPException, OSError) as exc:
        client.close()
        raise _probe_error(exc, settings, "connecting to") from None
    if code != 220:
        client.close()
        raise ProbeError(f"SMTP server {settings.where} refused the connection ({code} {_reply_text(greeting)})")
    return client


def _secure_and_login(client: smtplib.SMTP, settings: SmtpSettings) -> None:
    client.ehlo_or_helo_if_needed()
    if settings.security == "starttls":
        if not client.has_extn("starttls"):
            raise ProbeError(
                f"SMTP server {settings.where} does not offer STARTTLS: use security: ssl if it is an "
                "implicit-TLS port (465), or security: none only for a trusted local server"
            )
        client.starttls(context=_tls_context(settings))
        client.ehlo()
    if settings.user:
        _login(client, settings)
    elif settings.password is not None:
        log.warning("SMTP password set but no user for %s: not logging in", settings.where)


def _login(client: smtplib.SMTP, settings: SmtpSettings) -> None:
    env = settings.password.name if settings.password is not None else PASSWORD_ENV
    if settings.password is None:
        raise ProbeError(
            f"SMTP user {settings.user} at {settings.where} has no password: set it in {env}"
        )
    if settings.security == "none" and settings.host not in ("127.0.0.1", "::1", "localhost"):
        log.warning("sending the SMTP password to %s without TLS (security: none)", settings.where)
    if not client.has_extn("auth"):
        hint = "; many servers offer AUTH only after STARTTLS" if settings.security == "none" else ""
        raise ProbeError(f"SMTP server {settings.where} offers no AUTH, so user {settings.user} cannot log in{hint}")
    try:
        client.login(settings.user, settings.password.reveal())
    except smtplib.SMTPAuthenticationError as exc:
        reply = _scrub(_reply_text(exc.smtp_error), settings)
        raise ProbeError(
            f"SMTP login failed for user {settings.user} at {settings.where} ({exc.smtp_code} {reply}): "
            f"check the user and the password in {env}"
        ) from None
    except smtplib.SMTPException as exc:
        if "No suitable authentication method" not in str(exc):
            raise
        offered = client.esmtp_features.get("auth", "").strip() or "none"
        raise ProbeError(
            f"SMTP server {settings.where} offers no login method we know (it offers: {offered}; "
            "we speak CRAM-MD5, PLAIN, LOGIN)"
        ) from None


def _tls_context(settings: SmtpSettings) -> ssl.SSLContext:
    try:
        context = ssl.create_default_context(cafile=settings.ca_file)
    except (OSError, ssl.SSLError) as exc:
        raise ProbeError(
            f"cannot load the CA file {settings.ca_file} for SMTP server {settings.where}: {exc}; "
            "check ca_file in the smtp settings"
        ) from None
    if not settings.verify_tls:
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    return context


def _quit(client: smtplib.SMTP, settings: SmtpSettings) -> None:
    try:
        client.quit()
    except (smtplib.SMTPException, OSError) as exc:
        log.debug("QUIT to %s failed (%s); closing the connection", settings.where, exc)
        client.close()


# -- the transaction -----------------------------------------------------------------------------

def _transaction(client: smtplib.SMTP, settings: SmtpSettings, message: EmailMessage,
                 sender: str, recipients: list[str]) -> SendResult:
    international = not all(a.isascii() for a in (sender, *recipients))
    data = _flatten(message, international)
    options: list[str] = []
    if international:
        if not client.has_extn("smtputf8"):
            raise ProbeError(
                f"SMTP server {settings.where} does not support SMTPUTF8, needed for the non-ASCII address in "
                f"{', '.join(a for a in (sender, *recipients) if not a.isascii())}"
            )
        options += ["SMTPUTF8", "BODY=8BITMIME"]
    elif not data.isascii() and client.has_extn("8bitmime"):
        options.append("BODY=8BITMIME")

    code, reply = client.mail(sender, options)
    if code != 250:
        _rset(client, settings)
        hint = ("it requires a login: set the smtp user and the password in " + PASSWORD_ENV
                if code == 530 else "check the shopper's from address and that this server relays mail for it")
        raise ProbeError(
            f"SMTP server {settings.where} refused the sender {sender} ({code} {_reply_text(reply)}): {hint}"
        )

    accepted: list[str] = []
    refused: dict[str, tuple[int, str]] = {}
    stage = "RCPT"
    try:
        for rcpt in recipients:
            code, reply = client.rcpt(rcpt)
            if code in (250, 251):
                accepted.append(rcpt)
            else:
                refused[rcpt] = (code, _reply_text(reply))
        if not accepted:
            _rset(client, settings)
            log.info("SMTP %s refused every recipient: %s", settings.where, refused)
            return SendResult(accepted=(), refused=refused)
        stage = "DATA"
        try:
            data_code, data_reply = client.data(data)
        except smtplib.SMTPDataError as exc:  # the DATA command itself (before the message) was refused
            data_code, data_reply = exc.smtp_code, exc.smtp_error
    except (smtplib.SMTPServerDisconnected, OSError) as exc:
        when = {"RCPT": "after RCPT, before the message was sent",
                "DATA": "during DATA, before the server confirmed the message"}[stage]
        raise DeliveryUnknown(
            f"SMTP server {settings.where} closed the connection {when} ({exc or type(exc).__name__}): delivery "
            f"unknown, so it is not sent again (the recipient may have it); check the server's log for "
            f"{message.get('Message-ID', 'the message')}", tuple(accepted or recipients)) from None
    if data_code != 250:
        _rset(client, settings)
    result = SendResult(accepted=tuple(accepted), refused=refused, data_code=data_code,
                        data_text=_reply_text(data_reply), ok=data_code == 250)
    log.info("SMTP %s: sent %s to %s -> %d %s", settings.where, message.get("Message-ID", "?"),
             ", ".join(accepted), data_code, result.data_text)
    return result


def _flatten(message: EmailMessage, international: bool) -> bytes:
    bare = copy.copy(message)  # shallow, but deleting headers rebinds the list: `message` keeps its Bcc
    del bare["Bcc"]
    del bare["Resent-Bcc"]
    policy = message.policy.clone(utf8=True) if international else message.policy
    out = io.BytesIO()
    BytesGenerator(out, policy=policy).flatten(bare, linesep="\r\n")
    return out.getvalue()


def _rset(client: smtplib.SMTP, settings: SmtpSettings) -> None:
    try:
        client.rset()
    except (smtplib.SMTPException, OSError) as exc:
        log.debug("RSET to %s failed: %s", settings.where, exc)


# -- errors --------------------------------------------------------------------------------------

def _probe_error(exc: BaseException, settings: SmtpSettings, doing: str) -> ProbeError:
    where = settings.where
    if isinstance(exc, ProbeError):
        return exc
    if isinstance(exc, ConnectionRefusedError):
        text = (f"cannot connect to SMTP server {where}: connection refused; check the smtp host and port "
                "and that the server is running")
    elif isinstance(exc, socket.gaierror):
        text = f"cannot find the SMTP host {settings.host} ({exc.strerror}); check the smtp host name"
    elif isinstance(exc, TimeoutError) or isinstance(exc.__context__, TimeoutError):  # smtplib wraps read timeouts
        text = (f"SMTP server {where} did not answer within {settings.timeout:g}s while {doing} it; check the "
                "port and security (ssl for 465, starttls for 587) and any firewall")
    elif isinstance(exc, ssl.SSLCertVerificationError):
        text = (f"the TLS certificate of SMTP server {where} is not trusted ({exc.verify_message}); "
                "set ca_file to its CA, or verify_tls: false for a test server")
    elif isinstance(exc, ssl.SSLError):
        text = (f"TLS with SMTP server {where} failed ({exc.reason or exc}); check security: ssl is for "
                "implicit-TLS ports (465), starttls for 587/25")
    elif isinstance(exc, smtplib.SMTPConnectError):
        text = f"SMTP server {where} refused the connection ({exc.smtp_code} {_reply_text(exc.smtp_error)})"
    elif isinstance(exc, smtplib.SMTPServerDisconnected):
        text = (f"SMTP server {where} closed the connection while {doing} it ({exc or 'no reason given'}); "
                "check the port and security (ssl for 465, starttls for 587)")
    elif isinstance(exc, smtplib.SMTPResponseException):
        text = f"SMTP server {where} answered {exc.smtp_code} {_reply_text(exc.smtp_error)} while {doing} it"
    else:
        text = f"SMTP error while {doing} {where}: {type(exc).__name__}: {exc}"
    return ProbeError(_scrub(text, settings))


def _reply_text(reply: bytes | str) -> str:
    text = reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)
    return " ".join(text.split("\n")).strip()


def _scrub(text: str, settings: SmtpSettings) -> str:
    secret = settings.password.reveal() if settings.password is not None else ""
    return text.replace(secret, "***") if secret else text


def _ascii_domain(domain: str) -> str:
    domain = domain.strip().rstrip(".")
    return domain if domain.isascii() else domain.encode("idna").decode("ascii")
