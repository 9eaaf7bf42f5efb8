"""A journey's Playwright trace, recorded cheaply until something goes wrong.

With `trace: on-failure` only a failing journey keeps its trace, so most traces are thrown away: they are
recorded without DOM snapshots (those cost a fifth of a journey's time: bench/runner_overhead.py) until a
step fails or its page shows an error. From that step on a new part records with DOM snapshots (when
`browser.trace_snapshots` is on), starting with the page as the failure left it: the part `show-trace`
opens shows the page. `trace: always` records snapshots from the start, as configured.
"""
from __future__ import annotations

import logging
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
