"""A report by mail: to whom, from which sender, through the configured SMTP server. The message itself (HTML,
text, the single file attached) is the reports' to build: the command line passes the builder in."""
from __future__ import annotations

from dataclasses import dataclass
from email.message import EmailMessage
from typing import Any, Callable, Mapping

from .errors import ConfigError


@dataclass(frozen=True)
class Mailed:
    """What the SMTP server did with the report: `accepted` recipients, else why not."""

    ok: bool
    accepted: tuple[str, ...]
    why: str
    subject: str


def mail_report(config: Any, environ: Mapping[str, str], to: list[str] | None,
                build: Callable[..., EmailMessage]) -> Mailed:
    """Send the report `build(to=..., sender=..., redactor=...)` makes to `to` (default: alerts.email.to).
    Nobody to send to, or no SMTP server, is a configuration error naming the fix."""
    from .probes.mail import mail_sender
    from .probes.smtp import send
    from .publish import report_sender
    from .secrets import Redactor

    to = to or (config.alerts.email.to if config.alerts.email else [])
    if not to:
        raise ConfigError("whom to? give --to ADDR (repeatable) or set alerts.email.to in config.yaml")
    redactor = Redactor()
    sender = mail_sender(config, redactor, environ)
    if sender.settings is None:
        raise ConfigError("no SMTP server configured: set smtp.host (and smtp.user with $SHOPPER_SMTP_PASSWORD) "
                          "in config.yaml to email reports")
    msg = build(to=list(to), sender=report_sender(config, sender.address), redactor=redactor)
    result = send(sender.settings, msg)
    why = "" if result.ok else \
        "; ".join(f"{a}: {c} {t}" for a, (c, t) in result.refused.items()) or f"DATA {result.data_code}"
    return Mailed(result.ok, tuple(result.accepted), why, str(msg["Subject"]))
