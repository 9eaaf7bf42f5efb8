"""A deadline no page can stop: a timer outside the page that kills what a hung page holds.

Playwright's own timeouts run in the browser's driver and do not fire while a renderer is stuck in a
script that loops forever (and calls like `evaluate` or `title` have no timeout at all). The watchdog
does not ask the page: once a step's deadline passes it kills the browser's renderer processes, so the
waiting call fails at once; if the call still has not returned `grace_s` later, it kills the browser
(the next journey starts a new one). It never touches a Playwright object from its own thread.
"""
from __future__ import annotations

import contextlib
import logging
import threading
from dataclasses import dataclass, field
from typing import Any, Iterator

log = logging.getLogger(__name__)
STOPPED_RESPONDING = "the page stopped responding"


@dataclass
class Alarm:
    """One armed deadline; `fired` once the watchdog acted on it."""

    seconds: float
    fired: bool = False
    done: threading.Event = field(default_factory=threading.Event)


class Watchdog:
    """`with watchdog.armed(seconds) as alarm: step()` — then `alarm.fired` says whether it had to act."""

    def __init__(self, browser: Any, grace_s: float = 5.0):
        self.browser = browser
        self.grace_s = grace_s

    @contextlib.contextmanager
    def armed(self, seconds: float) -> Iterator[Alarm]:
        alarm = Alarm(max(0.0, seconds))
        timer = threading.Thread(target=self._watch, args=(alarm,), name="watchdog", daemon=True)
        timer.start()
        try:
            yield alarm
        finally:
            alarm.done.set()

    def _watch(self, alarm: Alarm) -> None:
        if alarm.done.wait(alarm.seconds):
            return
        alarm.fired = True
        killed = self.browser.kill_pages()
        log.warning("watchdog: a step ran %gs without returning; killed %d page process(es)", alarm.seconds, killed)
        if alarm.done.wait(self.grace_s):
            return
        self.browser.kill()
        log.warning("watchdog: the step still did not return; killed the browser")
