"""What to publish after a run (Outputs), what publishing gave (Published) and who its mail comes from: the values
between the audit session and the publisher its entry point injects (reports.publish.publish)."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from .record import RunRecord


@dataclass(frozen=True)
class Outputs:
    """What to publish after a run: files to write, the report, alerts; `fail_on` decides what fails it."""

    json: str | Path | None = None
    junit: str | Path | None = None
    report: bool = True
    alerts: bool = True
    fail_on: tuple[str, ...] = ()


@dataclass
class Published:
    report: Path | None = None
    report_error: str | None = None   # the report could not be written (the run is stored all the same)
    alerts: list[str] = field(default_factory=list)


class Publisher(Protocol):
    """Writes what `outputs` asks for a run already in the session's store; alerts never raise."""

    def __call__(self, session: Any, run: "RunRecord", outputs: Outputs) -> Published: ...


def alerts_sender(config: Any, persona: str) -> str:
    """Who alerts come from: `alerts.email.from`, else the shopper's address."""
    email = config.alerts.email
    return (email.from_ if email is not None and email.from_ else "") or persona


def report_sender(config: Any, persona: str) -> str:
    """Who the report mail comes from: `report.from`, else the alerts' sender, else "Mystery Shopper" at the
    address the SMTP server lets the shopper send as — never the shopper persona's name, so that a reply
    reads as one to the audit tool."""
    from email.utils import formataddr

    if config.report.from_:
        return config.report.from_
    configured = alerts_sender(config, "")
    return configured or formataddr(("Mystery Shopper", persona))
