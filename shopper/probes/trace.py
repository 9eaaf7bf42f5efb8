"""A journey's Playwright trace, recorded cheaply until something goes wrong.

With `trace: on-failure` only a failing journey keeps its trace, so most traces are thrown away: they are
recorded without DOM snapshots (those cost a fifth of a journey's time: bench/runner_overhead.py) until a
step fails or its page shows an error. From that step on a new part records with DOM snapshots (when
`browser.trace_snapshots` is on), starting with the page as the failure left it: the part `show-trace`
opens shows the page. `trace: always` records snapshots from the start, as configured.

While recording cheaply the steps are not grouped live (`tracing.group` and `group_end` are two round trips
to the driver a step, a twentieth of a journey's time): `StepMarks` notes when each step began and ended,
and `group_actions` writes the same groups into the part once it is saved, the step's actions under it.

The last part of a journey that ran cleanly is left open (`OpenPart`) until the journey's checks have spoken:
a journey with findings saves it (zipped, grouped, checked for secrets, as any part), a clean one drops it
unsaved. Most journeys are clean, and zipping a trace only to delete it cost a fiftieth of a journey's time.
"""
from __future__ import annotations

import json
import logging
import os
import time
import zipfile
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)


def snapshots_from_start(trace: str, trace_snapshots: bool) -> bool:
    return trace_snapshots and trace == "always"


def start(context: Any, snapshots: bool) -> None:
    context.tracing.start(screenshots=False, snapshots=snapshots, sources=False)


def snapshot_from_here(context: Any, page: Any, part: Path, title: str) -> str:
    """Close what was recorded so far into `part` and record on with DOM snapshots, the first of the page as it
    is now (under `title`): "switched"; "lost" when the trace could not go on (the page or browser is gone:
    `part` holds what there was).

    Only on a page that is there: starting snapshots waits for a navigation in progress (a slow page that
    timed out: 26 s), and there is no site's page to show then. "kept": nothing changed, the trace goes on
    without snapshots."""
    try:   # bounded: a page busy in a script cannot hold the journey here
        page.wait_for_function("() => !!window.__shopperLeaving && !window.__shopperLeaving()", timeout=1000)
    except Exception as e:  # leaving, not loaded, or gone
        log.debug("no DOM snapshot of the failure, the page is not there: %s", _first_line(e))
        return "kept"
    part.parent.mkdir(parents=True, exist_ok=True)
    context.tracing.stop(path=str(part))
    try:
        start(context, True)
        context.tracing.group(title)
        try:   # an action the trace keeps a DOM snapshot of, before and after: the page, not changed
            page.locator("html").wait_for(state="attached", timeout=5000)
        finally:
            context.tracing.group_end()
    except Exception as e:  # the page or browser went away with the failure: the parts so far are kept
        log.debug("no DOM snapshot of the failure: %s", _first_line(e))
        return "lost"
    return "switched"


def _first_line(e: Exception) -> str:
    return str(e).splitlines()[0] if str(e) else type(e).__name__


class StepMarks:
    """When each step of a cheaply recorded trace part began and ended (wall clock): its group, written later."""

    def __init__(self) -> None:
        self.marks: list[tuple[str, float, float]] = []
        self._open: tuple[str, float] | None = None

    def begin(self, title: str) -> None:
        self._open = (title, time.time())

    def end(self) -> None:
        if self._open is not None:
            self.marks.append((*self._open, time.time()))
            self._open = None

    def take(self) -> list[tuple[str, float, float]]:
        """The marks so far (a step still open ends now); the next part starts with none."""
        self.end()
        marks, self.marks = self.marks, []
        return marks


def _time(event: dict) -> float | None:
    for key in ("startTime", "endTime", "time", "timestamp"):
        if isinstance(event.get(key), (int, float)):
            return float(event[key])
    return None


def group_actions(part: Path, marks: list[tuple[str, float, float]]) -> bool:
    """Group the actions of a saved trace part under the steps that ran them, as `tracing.group` would have.

    The part's clock is the driver's (milliseconds, its `context-options` event ties it to the wall clock to a
    millisecond); a top-level action belongs to the step whose time holds it (steps run one after another).
    False (the part left as it was) when the part cannot be read as a trace."""
    if not marks:
        return True
    try:
        with zipfile.ZipFile(part) as z:
            members = [(info, z.read(info)) for info in z.infolist()]
        raw = next(data for info, data in members if info.filename == "trace.trace")
        events = [json.loads(line) for line in raw.decode("utf-8").splitlines() if line.strip()]
        opts = next(e for e in events if e.get("type") == "context-options")
        to_mono = float(opts["monotonicTime"]) - float(opts["wallTime"])   # wall ms -> driver ms
    except (OSError, StopIteration, KeyError, TypeError, ValueError, zipfile.BadZipFile) as e:
        log.debug("trace %s: its actions are not grouped by step: %s", part, e)
        return False
    # wallTime is whole milliseconds: a step began up to 1 ms earlier in the driver's time than this says, and an
    # action belongs to the last step begun before it (an action and its answer take more than that millisecond)
    spans = [(title, start * 1000 + to_mono - 1, end * 1000 + to_mono) for title, start, end in marks]
    groups = [{"type": "before", "callId": f"shopper-step@{i + 1}", "startTime": lo, "title": title,
               "class": "Tracing", "method": "tracingGroup", "params": {}, "stack": []}
              for i, (title, lo, _) in enumerate(spans)]
    ends = [hi for _, _, hi in spans]
    ends_of: dict[str, float] = {e["callId"]: e["endTime"] for e in events
                                 if e.get("type") == "after" and isinstance(e.get("endTime"), (int, float))}
    for e in events:
        if e.get("type") != "before" or e.get("parentId") or not isinstance(e.get("startTime"), (int, float)):
            continue
        i = next((i for i in range(len(spans) - 1, -1, -1) if spans[i][1] <= e["startTime"]), None)
        if i is None or e["startTime"] > ends[i] + 1000 or e.get("class") == "Tracing":
            continue   # before the first step (the page opened), or long after the last one (closing)
        e["parentId"] = groups[i]["callId"]
        groups[i]["startTime"] = min(groups[i]["startTime"], e["startTime"])
        ends[i] = max(ends[i], ends_of.get(e.get("callId", ""), ends[i]))
    extra = [(g["startTime"], 0, g) for g in groups]
    extra += [(hi, 2, {"type": "after", "callId": g["callId"], "endTime": hi}) for g, hi in zip(groups, ends)]
    extra.sort(key=lambda k: k[:2])
    ordered, j, last = [], 0, float("-inf")
    for e in events:   # the part's own order, each group's start and end where its time falls
        t = _time(e)
        last = last if t is None else t
        while j < len(extra) and (extra[j][0], extra[j][1]) < (last, 1):
            ordered.append(extra[j][2])
            j += 1
        ordered.append(e)
    ordered += [e for _, _, e in extra[j:]]
    text = "".join(json.dumps(e, separators=(",", ":")) + "\n" for e in ordered).encode("utf-8")
    tmp = part.with_name(part.name + ".tmp")
    try:
        with zipfile.ZipFile(tmp, "w") as z:
            for info, data in members:
                z.writestr(info, text if info.filename == "trace.trace" else data)
        os.replace(tmp, part)
    except OSError as e:
        log.debug("trace %s: its actions are not grouped by step: %s", part, e)
        tmp.unlink(missing_ok=True)
        return False
    return True


class OpenPart:
    """The last part of a journey's trace, still recording in its context (which stays open until then):
    `save()` writes it to `path`, grouped by step; `drop()` discards it. Either closes the context."""

    def __init__(self, context: Any, path: Path, marks: list[tuple[str, float, float]], snapshots: bool):
        self.context, self.path, self.marks, self.snapshots = context, path, marks, snapshots

    def save(self) -> Path | None:
        """The saved part, or None when it could not be saved (the browser went away meanwhile)."""
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.context.tracing.stop(path=str(self.path))
            if not self.snapshots:
                group_actions(self.path, self.marks)
            return self.path
        except Exception as e:  # the browser or driver is gone: the journey's result stands without it
            log.warning("the trace of a journey could not be saved: %s", _first_line(e))
            return None
        finally:
            self._close()

    def drop(self) -> None:
        try:   # the chunk only: closing the context ends the tracing itself (a round trip less than stop())
            self.context.tracing.stop_chunk()
        except Exception as e:  # nothing to keep either way
            log.debug("dropping a trace: %s", _first_line(e))
        finally:
            self._close()

    def _close(self) -> None:
        try:
            self.context.close()
        except Exception as e:  # the browser may already be gone; the next journey relaunches it
            log.debug("closing a journey's browser context: %s", _first_line(e))
