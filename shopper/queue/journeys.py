"""A queued run: one job per journey, each run once by whichever worker takes it, the run finished once.

The enqueuer begins the run in the store and queues one `run_journey` job per journey, carrying the
journey's text (workers need not share files). A worker claims the journey in the store before it runs
it: a job retried after its worker was lost runs the journey again only if the lost attempt had not
started a step that may write to the company (send mail, submit a form, click); otherwise the journey
is stored as interrupted, so nothing is sent twice. The worker whose journey is the last one of its run
queues `finish_run`, which sweeps, judges every journey of the run together (shopper/judge.py: the
workers only execute), scores and closes the run, and renders its one report.
"""
from __future__ import annotations

import logging
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any, Callable, Mapping

from ..clock import Clock
from ..errors import JourneyError, ShopperError
from ..journey import Journey, Step
from ..run import JourneyResult
from ..steps.registry import writes_of

if TYPE_CHECKING:
    from ..store.contract import Store

log = logging.getLogger(__name__)

@dataclass(frozen=True)
class RunRequest:
    """What a queued run asks of every journey (JSON in the job's arguments)."""

    base_url: str | None = None
    site: str | None = None
    variables: dict[str, str] = field(default_factory=dict)
    retries: int = 0

    def to_args(self) -> dict[str, Any]:
        return asdict(self)


def may_write(step: Step) -> bool:
    """A lost worker in a step that only looks can be retried; any other step may have written to the company
    (a click can submit a form), so it is marked before it starts. Declared on each step kind (writes=)."""
    return writes_of(step.kind) != "never"


def queueing_lock(name: str) -> str:
    """At most one waiting job per journey, and (as the job's lock) never two running at once."""
    return f"journey:{name}"


def enqueue_run(app: Any, store: Store, journeys: list[Journey], texts: Mapping[str, str], *, run_id: str,
                now: str, request: RunRequest, invalid: list[Any] = ()) -> list[str]:
    """Begin `run_id` and queue its journeys; returns the names left out because a job of the same journey
    (from an earlier run) is still waiting — they are stored as not run, with the reason."""
    from procrastinate.exceptions import AlreadyEnqueued

    store.begin_run(run_id, now)   # no owner: no single process owns a queued run
    for err in invalid:
        store.save_invalid(run_id, err.path, [str(p) for p in err.problems])
    store.queue_journeys(run_id, [j.name for j in journeys], now)
    task = app.tasks["shopper:run_journey"]
    left_out = []
    for j in journeys:
        lock = queueing_lock(j.name)
        try:
            task.configure(queueing_lock=lock, lock=lock).defer(
                run_id=run_id, name=j.name, path=j.path, text=texts[j.name], request=request.to_args())
        except AlreadyEnqueued:
            left_out.append(j.name)
            store.save_journey(run_id, not_run(j, now, "not run: a job of this journey from an earlier run is "
                                                         "still waiting in the queue (one at a time)"))
            if store.finish_queued_journey(run_id, j.name, "done", now) == 0:
                defer_finish(app, run_id)
    if not journeys:
        defer_finish(app, run_id)
    return left_out


def defer_finish(app: Any, run_id: str) -> None:
    from procrastinate.exceptions import AlreadyEnqueued

    try:
        app.tasks["shopper:finish_run"].configure(queueing_lock=f"finish:{run_id}").defer(run_id=run_id)
    except AlreadyEnqueued:
        log.debug("finish of %s is already queued", run_id)


def not_run(journey: Journey, now: str, why: str, status: str = "incomplete") -> JourneyResult:
    """A journey not run (what it would have found is unknown); status setup_error when the reason is the
    shopper's own set-up (this worker's config, no browser)."""
    return JourneyResult(journey.name, journey.path, list(journey.tags), status, now, 0.0, [], [], journey.site,
                         error=why)


def interrupted(journey: Journey, now: str, claim: Any) -> JourneyResult:
    return not_run(journey, now, f"interrupted: the worker running it was lost after it had started step "
                                 f"{claim.wrote_step + 1} ({claim.wrote_kind}), which may have written to the company; "
                                 f"not run again so that nothing is sent twice")


def run_queued_journey(host: Any, app: Any, *, run_id: str, name: str, path: str, text: str,
                       request: Mapping[str, Any], worker: str) -> str:
    """The body of a `run_journey` job: claim, run (or record as interrupted), store, maybe finish the run.
    Returns what happened: done, interrupted or skipped (already run by an earlier attempt)."""
    from ..journey import parse_journey
    from ..judge import attempt_observations

    store, clock = host.store, host.clock
    now = clock.now().isoformat()
    claim = store.claim_journey(run_id, name, worker, now)
    if claim.action == "done":
        log.info("%s of run %s was already run: not running it twice", name, run_id)
        if not [q for q in store.queued_journeys(run_id) if q["state"] not in ("done", "interrupted")]:
            defer_finish(app, run_id)   # the attempt that finished it may have been lost before queuing this
        return "skipped"
    req = RunRequest(**request)
    try:
        journey = parse_journey(text, path, known_vars=host.known_vars | set(req.variables))
    except JourneyError as e:   # the enqueuer validated it: this worker's config differs (site variables)
        journey = Journey(name, path, ())
        store.save_journey(run_id, not_run(journey, now, f"not run: this worker cannot load it: {e}",
                                               status="setup_error"))
        return _finish_journey(app, store, run_id, name, "done", clock)
    if claim.action == "interrupted":
        store.save_journey(run_id, interrupted(journey, now, claim))
        return _finish_journey(app, store, run_id, name, "interrupted", clock)

    def before_step(step: Step) -> None:
        if may_write(step):
            store.mark_may_write(run_id, name, step.index, step.kind, clock.now().isoformat())

    try:
        attempts, swept = host.run(journey, run_id, req, before_step)
    except ShopperError as e:   # this worker cannot run journeys (no Chromium...): the tool's problem, said as such
        store.save_journey(run_id, not_run(journey, now, f"not run: {e}", status="setup_error"))
        return _finish_journey(app, store, run_id, name, "done", clock)
    store.save_journey(run_id, attempts.final)   # what happened; the run's finish judges every journey at once
    if swept:
        store.save_observations(run_id, swept)
    if len(attempts.results) > 1:   # what each attempt found: the judge marks flaky findings across them
        store.save_observations(run_id, attempt_observations(attempts, clock.now().isoformat()))
    return _finish_journey(app, store, run_id, name, "done", clock)


def _finish_journey(app: Any, store: Store, run_id: str, name: str, state: str, clock: Clock) -> str:
    if store.finish_queued_journey(run_id, name, state, clock.now().isoformat()) == 0:
        defer_finish(app, run_id)
    return state


def wait_for_run(store: Store, run_id: str, progress: Callable[[str], None], poll_s: float = 1.0) -> Any:
    """Until the queued run is finished: a line per journey as it ends. Returns the finished RunRow."""
    import time

    reported: set[str] = set()
    while True:
        rows = store.queued_journeys(run_id)
        for r in rows:
            if r["state"] in ("done", "interrupted") and r["journey"] not in reported:
                reported.add(r["journey"])
                progress(f"[{len(reported)}/{len(rows)}] {r['journey']}: {r['state']} (worker {r['worker'] or '-'})")
        run = store.run(run_id)
        if run is not None and run.status != "running":
            return run
        time.sleep(poll_s)   # workers elsewhere write the store; the store is what we watch
