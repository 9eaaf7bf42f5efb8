"""The `alerts:` section of config.yaml: which triggers, how severe, how often, where to, and when to wait."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from ..duration import Duration
from ..model import SEVERITIES
from .maintenance import MaintenanceWindow, window_end

TRIGGERS = ("new_findings", "breaches", "score_drop")
Trigger = Literal["new_findings", "breaches", "score_drop"]


@dataclass(frozen=True)
class EmailAlertConfig:
    """`email: {to: [audit-team@example.test], subject_prefix: "[Mystery Shopper]"}`; sent through `smtp:`."""

    to: list[str] = field(default_factory=list)
    subject_prefix: str = "[Mystery Shopper]"
    from_: str = ""    # `from:` the alerts' sender (default: shopper.address, what the SMTP server lets it send as)

    def __post_init__(self) -> None:
        if any(c in self.from_ for c in "\r\n"):
            raise ValueError("from: an address cannot contain a line break")
        if not self.to:
            raise ValueError("to lists no address: add one, or remove alerts.email")
        if any("\n" in a or "\r" in a for a in self.to):
            raise ValueError("to: an address cannot contain a line break")


@dataclass(frozen=True)
class WebhookConfig:
    """`webhook: {url: ..., format: json|slack}`, or `url_env: NAME` to read the URL (a secret) from the environment."""

    url: str = ""
    url_env: str = ""
    format: Literal["json", "slack"] = "json"
    timeout: Duration = Duration(10)

    def __post_init__(self) -> None:
        if bool(self.url) == bool(self.url_env):
            raise ValueError("needs exactly one of url or url_env (the name of an environment "
                             "variable holding the URL, e.g. SHOPPER_ALERT_WEBHOOK)")
        if self.url and not self.url.lower().startswith(("https://", "http://")):
            # the URL itself is not repeated: it may hold a token
            raise ValueError("url must start with https:// (or http://)")
        if self.timeout.seconds <= 0:
            raise ValueError(f"timeout must be positive, not {self.timeout}")


@dataclass(frozen=True)
class AlertsConfig:
    """Alerts after a run or sweep. Nothing is sent unless `email` or `webhook` is set."""

    on: list[Trigger] = field(default_factory=lambda: list(TRIGGERS))
    min_severity: Literal["critical", "major", "minor", "info"] = "major"
    score_drop: int = 10
    cooldown: Duration = Duration(24 * 3600)
    email: EmailAlertConfig | None = None
    webhook: WebhookConfig | None = None
    maintenance: list[MaintenanceWindow] = field(default_factory=list)

    def __post_init__(self) -> None:
        unknown = [t for t in self.on if t not in TRIGGERS]
        if unknown:
            raise ValueError(f"on: {', '.join(map(repr, unknown))} is not a trigger ({', '.join(TRIGGERS)})")
        if self.min_severity not in SEVERITIES:
            raise ValueError(f"min_severity {self.min_severity!r} is not one of {', '.join(SEVERITIES)}")
        if self.score_drop < 1:
            raise ValueError(f"score_drop must be at least 1 point, not {self.score_drop}")
        if self.cooldown.seconds < 0:
            raise ValueError("cooldown cannot be negative")

    @property
    def channels(self) -> tuple[str, ...]:
        """The configured ways out: 'email', 'webhook'."""
        return tuple(name for name, c in (("email", self.email), ("webhook", self.webhook)) if c is not None)

    @property
    def enabled(self) -> bool:
        return bool(self.channels and self.on)

    def serious_enough(self, severity: str) -> bool:
        """`major` passes min_severity major, `minor` does not; an unknown severity does not."""
        if severity not in SEVERITIES:
            return False
        return SEVERITIES.index(severity) <= SEVERITIES.index(self.min_severity)

    def held_until(self, now: datetime) -> datetime | None:
        """When the maintenance window holding `now` ends; None when alerts may go out now."""
        return window_end(self.maintenance, now)
