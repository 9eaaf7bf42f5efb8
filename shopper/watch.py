"""`sweep --watch`: one sweep, then stay connected (IMAP IDLE) and resolve as mail arrives, until stopped."""
from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any, Callable, Mapping

from .audit import record_sweep, run_sweep
from .clock import Clock
from .config import Config

if TYPE_CHECKING:
    from .store.contract import Store
from .model import Finding
from .probes.mail import imap_settings
from .secrets import Redactor
from .sweep import configured_sweeper

OnSweep = Callable[[str, Any, "list[Finding]"], None]   # (run id, sweep result, findings): print, alert


def watch_mailbox(config: Config, store: Store, clock: Clock, environ: Mapping[str, str], stop: threading.Event, *,
                  on_sweep: OnSweep, progress: Callable[[str], None] = lambda s: None) -> None:
    """A first full sweep (its own run), then a run of kind 'sweep' that records every batch IDLE brings; each
    batch with news is handed to `on_sweep`. Returns when `stop` is set (or on Ctrl-C); the run ends 'stopped'."""
    redactor = Redactor()
    settings = imap_settings(config, redactor, environ)
    first_id, first, findings = run_sweep(config, store, clock=clock, environ=environ, redactor=redactor)
    on_sweep(first_id, first, findings)
    store.begin_run(run_id := f"watch-{first_id[6:]}", clock.now().isoformat(), kind="sweep")
    progress(f"watching {settings.host}:{settings.port} (IDLE); Ctrl-C to stop")

    def on_result(result) -> None:
        found = record_sweep(store, run_id, result)
        if result.new_messages or found:
            on_sweep(run_id, result, found)

    # the same Sweeper as a single sweep's: the tracking and status links in watched orders' mail are checked
    with configured_sweeper(config, store, settings, clock, redactor, environ) as sweeper:
        try:
            sweeper.watch(stop, on_result)
        except KeyboardInterrupt:
            stop.set()
    store.finish_run(run_id, clock.now().isoformat(), "stopped", {})
