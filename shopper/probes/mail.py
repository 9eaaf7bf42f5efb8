"""Mail settings turned into probe settings: the shopper's identity, SMTP to send, IMAP to read."""
from __future__ import annotations

from dataclasses import dataclass
from email.message import EmailMessage
from typing import Mapping

from ..errors import ConfigError
from ..secrets import Redactor
from . import smtp
from .imap import ImapSettings


def _password(env_name: str, user: str, what: str, redactor: Redactor, environ: Mapping[str, str]):
    if not user:
        return None
    if env_name not in environ:
        raise ConfigError(f"{what} user {user!r} is set but its password is not: export {env_name}=... "
                          f"(or change {what}.password_env in config.yaml)")
    return redactor.secret(env_name, dict(environ))


def imap_settings(config, redactor: Redactor, environ: Mapping[str, str]) -> ImapSettings | None:
    """None when no mailbox is configured (imap.host empty)."""
    c = config.imap
    if not c.host:
        return None
    return ImapSettings(host=c.host, port=c.port, security=c.security, user=c.user,
                        password=_password(c.password_env, c.user, "imap", redactor, environ),
                        folders=tuple(c.folders), timeout=c.timeout.seconds, max_fetch_bytes=c.max_fetch_bytes,
                        verify_tls=c.verify_tls, ca_file=c.ca_file,
                        sweep_timeout=c.sweep_timeout.seconds or None,
                        trusted_authserv_ids=tuple(c.trusted_authserv_ids))


def mailbox_name(settings: ImapSettings) -> str:
    """The key folder states are stored under: one store may follow several mailboxes."""
    return f"{settings.user}@{settings.host}:{settings.port}"


@dataclass
class MailSender:
    """What send_email needs: who the shopper is and how to submit mail."""

    address: str
    name: str
    plus_addressing: bool
    settings: smtp.SmtpSettings | None

    def send(self, message: EmailMessage) -> smtp.SendResult:
        if self.settings is None:
            raise ConfigError("no SMTP server configured: set smtp.host (and smtp.user, with the password in "
                              "$SHOPPER_SMTP_PASSWORD) in config.yaml to let journeys send mail")
        return smtp.send(self.settings, message)


def mail_sender(config, redactor: Redactor, environ: Mapping[str, str]) -> MailSender:
    c = config.smtp
    settings = None
    if c.host:
        settings = smtp.SmtpSettings(host=c.host, port=c.port, security=c.security, user=c.user,
                                     password=_password(c.password_env, c.user, "smtp", redactor, environ),
                                     timeout=c.timeout.seconds, verify_tls=c.verify_tls, ca_file=c.ca_file)
    ident = config.shopper
    return MailSender(ident.address, ident.name, ident.plus_addressing, settings)
