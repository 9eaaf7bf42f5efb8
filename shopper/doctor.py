"""`runner.py doctor`: before a run, check what the selected journeys need — secrets, SMTP, IMAP, a browser,
a writable store — and name the fix for each problem. These are the shopper's own set-up, never the site's."""
from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from typing import Any, Callable, Iterable, Mapping

from .errors import ConfigError, ProbeError
from .journey import Journey, _strings
from .template import references


@dataclass(frozen=True)
class Check:
    """One thing checked: what, whether it is fine, what was seen, and the fix when it is not."""

    name: str
    ok: bool
    detail: str
    fix: str = ""

    def line(self) -> str:
        return f"  {'ok  ' if self.ok else 'FAIL'}  {self.name}: {self.detail}" + (f"\n        fix: {self.fix}"
                                                                                 if self.fix else "")


@dataclass(frozen=True)
class Needs:
    browser: bool
    smtp: bool
    imap: bool
    secrets: tuple[str, ...]

    def describe(self) -> str:
        parts = [w for w, on in (("a browser", self.browser), ("SMTP", self.smtp), ("IMAP", self.imap)) if on]
        if self.secrets:
            parts.append("secrets " + ", ".join(self.secrets))
        return ", ".join(parts) or "nothing beyond the store"


def needs_of(journeys: Iterable[Journey]) -> Needs:
    """What the journeys' steps use: a step kind says so with `needs` ('smtp', 'imap') and `uses_page`."""
    browser = smtp = imap = False
    secrets: set[str] = set()
    for j in journeys:
        for step in j.steps:
            browser |= step.uses_page
            wanted = getattr(step.spec, "needs", ())
            smtp |= "smtp" in wanted
            imap |= "imap" in wanted
            for text in _strings(step.spec):
                secrets |= {r.name.removeprefix("secret:") for r in references(text) if r.is_secret}
    return Needs(browser, smtp, imap, tuple(sorted(secrets)))


def _safely(name: str, fn: Callable[[], str], fix: str) -> Check:
    try:
        return Check(name, True, fn())
    except (ProbeError, ConfigError, OSError) as e:
        return Check(name, False, str(e), fix)


def check_secrets(names: Iterable[str], environ: Mapping[str, str]) -> list[Check]:
    return [Check(f"secret {n}", True, "set") if environ.get(n) else
            Check(f"secret {n}", False, "not set", f"export {n}=... in the environment that runs the shopper")
            for n in names]


def check_smtp(config: Any, environ: Mapping[str, str]) -> Check:
    from .probes import smtp
    from .probes.mail import mail_sender
    from .secrets import Redactor

    fix = ("set smtp.host, smtp.port, smtp.security and smtp.user in config.yaml (the password in "
           f"${config.smtp.password_env}); see docs/configuration.md")

    def run() -> str:
        sender = mail_sender(config, Redactor(), environ)
        if sender.settings is None:
            raise ConfigError("no SMTP server configured (smtp.host is empty)")
        smtp.verify(sender.settings, sender.address)
        return f"{sender.settings.where}: connected" + (" and logged in" if sender.settings.user else "")

    return _safely("smtp", run, fix)


def check_imap(config: Any, environ: Mapping[str, str]) -> Check:
    from .probes.imap import ImapMailbox
    from .probes.mail import imap_settings
    from .secrets import Redactor

    fix = ("set imap.host, imap.port, imap.security and imap.user in config.yaml (the password in "
           f"${config.imap.password_env}); see docs/mail.md")

    def run() -> str:
        settings = imap_settings(config, Redactor(), environ)
        if settings is None:
            raise ConfigError("no mailbox configured (imap.host is empty)")
        with ImapMailbox(settings):
            pass
        return f"{settings.address}: logged in as {settings.user}"

    return _safely("imap", run, fix)


def check_browser(config: Any) -> Check:
    from .compose import browser_for

    def run() -> str:
        with browser_for(config, always_headless=True) as probe:
            return f"{probe.choice.source}: {probe.choice.executable or 'playwright'} {probe.version}"

    return _safely("browser", run, "run `make setup` (installs Chromium), or set browser.executable in config.yaml "
                                   "($SHOPPER_BROWSER)")


def check_sandbox() -> Check:
    """Chromium's sandbox: on for an unprivileged user; off as root (a warning, not a failure: tests and
    containers run as root), with the fix."""
    from .probes.browser import SANDBOX_FIX, sandbox_on

    if sandbox_on():
        return Check("browser sandbox", True, "on (running as an unprivileged user)")
    return Check("browser sandbox", True, "OFF: running as root, so Chromium starts with --no-sandbox", SANDBOX_FIX)


def check_store(config: Any) -> Check:
    from .store import open_store

    def run() -> str:
        var = config.var_path
        var.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=var, prefix=".doctor-"):
            pass
        with open_store(config.store_url) as store:
            store.count_runs()
        return f"{config.store_url} (var dir {var} writable)"

    return _safely("store", run, f"make {config.var_path} writable (or set var_dir / --var-dir / $SHOPPER_VAR_DIR, "
                                 "or store: for PostgreSQL)")


def doctor(config: Any, journeys: list[Journey], environ: Mapping[str, str] = os.environ) -> tuple[Needs, list[Check]]:
    """Everything the journeys need, checked for real (connect, log in, start the browser)."""
    needs = needs_of(journeys)
    checks = check_secrets(needs.secrets, environ)
    if needs.smtp:
        checks.append(check_smtp(config, environ))
    if needs.imap or config.imap.host:   # every run sweeps when a mailbox is configured
        checks.append(check_imap(config, environ))
    if needs.browser:
        checks.append(check_browser(config))
        checks.append(check_sandbox())
    checks.append(check_store(config))
    return needs, checks


def report_lines(journeys: list[Journey], needs: Needs, checks: list[Check]) -> list[str]:
    bad = [c for c in checks if not c.ok]
    lines = [f"doctor: {len(journeys)} journey(s) need {needs.describe()}"]
    lines += [c.line() for c in checks]
    lines.append(f"{len(bad)} problem(s) of the shopper's own set-up: fix them before a run" if bad else
                 "everything the journeys need is in place")
    return lines

