"""The parts a run is made of, built from config in one place: the browser, the probes and the inbox the
journeys read their mail through. The audit session, the process pool's workers and the job queue's workers
all build them here."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Mapping

from .clock import Clock
from .config import Config
from .probes import Probes
from .probes.browser import BrowserProbe
from .secrets import Redactor

if TYPE_CHECKING:
    from .store.contract import Store


def browser_for(config: Config, headed: bool = False, always_headless: bool = False) -> BrowserProbe:
    """Chromium as config.browser says, not started yet (`with browser_for(config) as browser:`): the one place
    a browser is built, for runs, workers, init-site and doctor."""
    b = config.browser
    return BrowserProbe(executable=b.executable, headless=always_headless or (b.headless and not headed),
                        viewport=(b.viewport_width, b.viewport_height), locale=b.locale)


def start_browser(config: Config, headed: bool = False) -> BrowserProbe:
    """Chromium as config.browser says, started (ProbeError when it cannot start: the shopper's own set-up)."""
    return browser_for(config, headed).start()


def browser_version(browser: BrowserProbe | None) -> str:
    """What the run JSON's summary says of the browser ('' when no journey needed one)."""
    if browser is None:
        return ""
    return f"{browser.choice.source}: {browser.choice.executable or 'playwright'} {browser.version}"


def build_probes(config: Config, store: Store, clock: Clock, redactor: Redactor, environ: Mapping[str, str]) -> Probes:
    """The probes of one run (DNS, mail, links) and, with a mailbox configured, the inbox that journeys wait on
    (ValueError for a bad DNS setting)."""
    from .inbox import Inbox
    from .probes.mail import imap_settings
    from .sweep import Sweeper

    probes = Probes.from_config(config, redactor, environ)
    settings = imap_settings(config, redactor, environ)
    if settings is not None:
        probes.inbox = Inbox(Sweeper(store, settings, clock, links=probes.links), store)
    return probes


def take_swept(probes: Probes) -> list[Any]:
    """The observations of the in-journey sweeps since the last call (handed to the judge once)."""
    if probes.inbox is None:
        return []
    swept, probes.inbox.collected = probes.inbox.collected, []
    return swept
