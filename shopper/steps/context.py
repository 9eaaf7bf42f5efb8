"""What a running step may use: the page, values, the clock, probes, and a way to record observations."""
from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping
from urllib.parse import urljoin

from ..clock import Clock
from ..errors import SetupError, StepError
from ..model import Observation
from ..secrets import Redactor
from ..template import MissingSecret, UndefinedVariable, resolve

log = logging.getLogger(__name__)
_MARK_SECRET_FIELDS = """(els, values) => els.forEach(e => {
  if (values.some(v => String(e.value || '').includes(v))) e.setAttribute('data-shopper-secret', '');
})"""


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:60] or "x"


def _no_lookup(host: str) -> list[str]:
    from ..probes.dns import DnsFailure

    raise DnsFailure("error", host, "A/AAAA", "no resolver")


@dataclass
class JourneyState:
    """State that lives for one journey: variables, what was recorded, and the masks for secrets."""

    journey: str
    variables: dict[str, str]
    redactor: Redactor
    environ: Mapping[str, str]
    clock: Clock
    artifact_dir: Path
    var_dir: Path
    base_url: str = ""
    site_hosts: tuple[str, ...] = ()   # the audited site's hosts (base URL's and the profile's `hosts`)
    observations: list[Observation] = field(default_factory=list)
    secret_selectors: list[Any] = field(default_factory=list)   # locators filled with secrets: masked in screenshots
    last_status: int | None = None
    last_url: str | None = None
    last_title: str | None = None
    journey_token: str = ""            # in ${shopper_email} (plus-addressing): replies to forms match by it
    last_sent: dict[str, Any] | None = None
    expectation_defaults: Any = None   # config.expectations
    rng: Any = None                    # random.Random in tests; None: the secrets module
    started_at: Any = None             # datetime the journey started (clock time)
    last_mail: dict[str, Any] | None = None   # the message wait_for_mail found last
    page_timeout: float | None = None  # the page's default timeout as last set (seconds)
    reach: Any = None                  # shopper.probes.reach.ReachPolicy of this journey (site origins + allow)
    secret_origins: Mapping[str, list[str]] = field(default_factory=dict)   # ENV -> other origins it may go to
    write_ahead: Any = None   # stores observations at once (the runner's after_step): mail about to go


@dataclass
class StepContext:
    """Passed to `StepKind.run(ctx)`; one per step."""

    state: JourneyState
    page: Any
    index: int
    timeout_ms: float
    probes: Any   # shopper.probes.Probes: resolver, link fetcher, (later) mail

    @property
    def journey(self) -> str:
        return self.state.journey

    @property
    def clock(self) -> Clock:
        return self.state.clock

    # -- values -------------------------------------------------------------------------------
    def value(self, text: str) -> str:
        """Resolve `${...}` for use (secrets revealed). Raises StepError naming the fix."""
        return self._resolve(text).text

    def display(self, text: str) -> str:
        """Resolve `${...}` for showing (secrets masked)."""
        return self._resolve(text).display

    def has_secret(self, text: str) -> bool:
        return self._resolve(text).has_secret

    def _resolve(self, text: str):
        try:
            return resolve(str(text), self.state.variables, self.state.redactor, self.state.environ)
        except UndefinedVariable as e:
            raise StepError(f"variable '{e.name}' is not defined (known: {', '.join(e.known) or 'none'})") from None
        except MissingSecret as e:
            raise SetupError(f"secret {e.env_name} is not set: export {e.env_name}=... in the environment "
                            f"that runs the shopper") from None

    def set_var(self, name: str, value: str) -> None:
        self.state.variables[name] = value

    def url(self, text: str) -> str:
        """A journey URL made absolute against the site's base URL."""
        return urljoin(self.state.base_url.rstrip("/") + "/", self.value(text)) if self.state.base_url else self.value(text)

    def settle(self) -> bool:
        """Wait for the page to stop changing after an action (requests done, DOM quiet), at most the
        step's timeout; False when it did not. Every action step and the checkout call this."""
        if self.page is None:
            return True
        from ..probes.settle import settle

        return settle(self.page, self.timeout_ms)

    # -- recording ----------------------------------------------------------------------------
    def record(self, kind: str, data: dict[str, Any], evidence: tuple[str, ...] = ()) -> Observation:
        clean = self.state.redactor.redact_data(data)
        obs = Observation(kind=kind, journey=self.journey, step=self.index, data=clean,
                          at=self.clock.now().isoformat(), evidence=tuple(evidence))
        self.state.observations.append(obs)
        return obs

    def write_ahead(self, kind: str, data: dict[str, Any]) -> None:
        """Store this at once, before the act it announces (mail about to be sent): a process killed mid-act
        leaves its record. Not one of the step's observations: the act's own record follows and replaces it."""
        if self.state.write_ahead is not None:
            self.state.write_ahead([Observation(kind=kind, journey=self.journey, step=self.index,
                                                data=self.state.redactor.redact_data(data),
                                                at=self.clock.now().isoformat())])

    def may_follow(self, url: str, via: str) -> bool:
        """Whether the reach policy lets the journey open or fetch `url`; a refusal is recorded (`link_refused`).

        A name that does not resolve is allowed here: the fetch fails as a dead link, which it is."""
        from ..probes.dns import DnsFailure
        from ..probes.reach import ReachPolicy

        policy = self.state.reach or ReachPolicy.build([self.state.base_url], [], _no_lookup)
        try:
            reach = policy.check(url)
        except DnsFailure:
            return True
        if reach.allowed:
            return True
        self.record("link_refused", reach.observation(via))
        return False

    def withhold_secret(self, typed: str, field: str) -> bool:
        """True when `typed` holds a secret that must not go into the current page: its origin is neither the
        audited site's own nor one the site's `secret_origins` names for that secret. Then the field is to be
        left empty; the refusal is recorded (`secret_withheld`) and the step's result says why."""
        from ..probes.reach import ReachPolicy, origin

        secrets = [v for v in self.state.redactor.values if v and v in typed]
        if not secrets or self.page is None:
            return False
        url = self.page.url
        here = origin(url)
        own = (self.state.reach or ReachPolicy.build([self.state.base_url], [], _no_lookup)).own
        if here is not None and here in own:
            return False
        for value in secrets:
            named = {origin(o) for env, origins in self.state.secret_origins.items()
                     if self.state.environ.get(env) == value for o in origins}
            if here is None or here not in named:
                self.record("secret_withheld", {"url": url, "field": field})
                return True
        return False

    def artifact_path(self, name: str) -> Path:
        """A path for a new artifact of this step, under the run's artifact dir."""
        self.state.artifact_dir.mkdir(parents=True, exist_ok=True)
        return self.state.artifact_dir / f"step-{self.index + 1:02d}-{slug(name)}"   # numbered like the steps

    def relative(self, path: Path) -> str:
        """An artifact path as stored: relative to the var dir."""
        return str(path.resolve().relative_to(self.state.var_dir.resolve()))

    def screenshot(self, name: str, full_page: bool = False, locator: Any = None) -> str:
        """Take a screenshot (secret-filled fields masked) and return its stored path."""
        path = self.artifact_path(name).with_suffix(".png")
        masks = list(self.state.secret_selectors) + self._secret_masks()
        target = locator if locator is not None else self.page
        kwargs: dict[str, Any] = {"path": str(path), "timeout": self.timeout_ms, "mask": masks}
        if locator is None:
            kwargs["full_page"] = full_page
        target.screenshot(**kwargs)
        return self.relative(path)

    def _secret_masks(self) -> list[Any]:
        """Locators of whatever shows a secret in any spelling: text a page echoes, fields that hold one."""
        spellings = sorted(self.state.redactor.spellings)
        if not spellings or self.page is None:
            return []
        try:
            self.page.locator("input, textarea").evaluate_all(_MARK_SECRET_FIELDS, spellings)
        except Exception as e:  # a page that is gone has nothing to show either
            log.debug("could not look for secrets in fields: %s", e)
        return [self.page.locator("[data-shopper-secret]"), *(self.page.get_by_text(v) for v in spellings)]
