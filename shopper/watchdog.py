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
import time
from dataclasses import dataclass, field
from typing import Any, Iterator

log = logging.getLogger(__name__)
STOPPED_RESPONDING = "the page stopped responding"
IDLE_S = 30.0   # the watching thread ends when no step was armed for this long (the next one starts another)


@dataclass
class Alarm:
    """One armed deadline; `fired` once the watchdog acted on it."""

    seconds: float
    fired: bool = False
    done: threading.Event = field(default_factory=threading.Event)
    due: float = 0.0   # time.monotonic() when it fires


class Watchdog:
    """`with watchdog.armed(seconds) as alarm: step()` — then `alarm.fired` says whether it had to act.

    One thread watches every step of a run, one at a time: arming writes the deadline down and wakes the
    thread only when it would otherwise sleep past it (a thread started per step cost every step 0.5 ms)."""

    def __init__(self, browser: Any, grace_s: float = 5.0):
        self.browser = browser
        self.grace_s = grace_s
        self._cv = threading.Condition()
        self._alarm: Alarm | None = None
        self._wakes_at: float | None = None   # when the thread wakes next (None: not before it is told)
        self._thread: threading.Thread | None = None

    @contextlib.contextmanager
    def armed(self, seconds: float) -> Iterator[Alarm]:
        alarm = Alarm(max(0.0, seconds))
        alarm.due = time.monotonic() + alarm.seconds
        with self._cv:
            self._alarm = alarm
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._watch, name="watchdog", daemon=True)
                self._thread.start()
            elif self._wakes_at is None or self._wakes_at > alarm.due:
                self._cv.notify()
        try:
            yield alarm
        finally:
            alarm.done.set()
            with self._cv:
                if self._alarm is alarm:
                    self._alarm = None

    def _watch(self) -> None:
        idle_since: float | None = None
        while True:
            with self._cv:
                alarm = self._alarm
                now = time.monotonic()
                if alarm is None or alarm.done.is_set():   # nothing to watch: after a while the thread ends
                    idle_since = now if idle_since is None else idle_since
                    if now - idle_since >= IDLE_S:
                        self._thread = None
                        return
                    self._wakes_at = None
                    self._cv.wait(IDLE_S)
                    continue
                idle_since = None
                if now < alarm.due:
                    self._wakes_at = alarm.due
                    self._cv.wait(alarm.due - now)
                    continue
                self._wakes_at = None
            self._fire(alarm)

    def _fire(self, alarm: Alarm) -> None:
        alarm.fired = True
        killed = self.browser.kill_pages()
        log.warning("watchdog: a step ran %gs without returning; killed %d page process(es)", alarm.seconds, killed)
        if alarm.done.wait(self.grace_s):
            return
        if self.browser.kill():
            log.warning("watchdog: the step still did not return; killed the browser")
        else:
            log.warning("watchdog: the step still did not return, and the browser process could not be found to kill")
