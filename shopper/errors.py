"""The one exception hierarchy: every error a user can act on names what to fix."""
from __future__ import annotations

from dataclasses import dataclass


class ShopperError(Exception):
    """Base of every error the CLI turns into one line and an exit code."""

    exit_code = 2


@dataclass(frozen=True)
class Problem:
    """One located problem in a user file: `path:line:col: message`."""

    path: str
    line: int
    col: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.col}: {self.message}"


class ConfigError(ShopperError):
    """config.yaml (or a flag/environment variable) is wrong."""

    def __init__(self, message: str, problems: list[Problem] | None = None):
        super().__init__(message)
        self.problems = problems or []


class JourneyError(ShopperError):
    """A journey file does not validate; carries every problem found, not just the first."""

    def __init__(self, path: str, problems: list[Problem]):
        super().__init__("\n".join([f"{path}: {len(problems)} problem(s)", *map(str, problems)]))
        self.path = path
        self.problems = problems


class ProbeError(ShopperError):
    """A probe could not reach or use its server; the message says which and what to check."""


class StoreError(ShopperError):
    """The store cannot be written or read (read-only, locked, disk full); the message names the fix."""


class StepError(ShopperError):
    """A step could not do what it was asked; the message says what was expected."""


class JourneyBlocked(StepError):
    """The customer cannot go on (no contact route, a checkout that stops): the step recorded why, a check
    turns that into a finding, and the rest of the journey is skipped, not failed."""


class SetupError(StepError):
    """The shopper's own set-up stops a step: a secret not set, no SMTP or IMAP server (or it cannot be
    reached or logged in to), no browser. Never a finding of the audited company: the journey's status
    is `setup_error`, it is not scored, alerted or retried, and the message names the fix."""


class NotApplicable(StepError):
    """The journey (or an optional step) does not apply to this shop: it offers no card payment, no reviews
    page, no way for a guest to cancel. An outcome, not a finding: the journey's status is `not_applicable`
    with this reason, never scored, alerted or failed in CI; nothing after it runs."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


class OrderNotPlaced(StepError):
    """`shopper.place_orders: false` (a production shop): the checkout stopped before the button that
    places the order. Not the site's fault: the step is skipped with this reason and the journey ends
    `incomplete`."""
