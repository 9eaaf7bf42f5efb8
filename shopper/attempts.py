"""One journey's attempts: a token each, what each step sent or expects stored as the step ends, retries."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable

from .journey import Journey
from .ledger import record_outgoing_observations
from .mail.outgoing import new_token
from .retries import Attempts, run_with_retries

if TYPE_CHECKING:
    from .store.contract import Store


def attempt_journey(runner: Any, store: Store, run_id: str, journey: Journey, retries: int,
                    on_retry: Callable[[int], None] = lambda attempt: None) -> Attempts:
    """Run `journey` with `runner` (again while it fails and wrote to no one, up to `retries` more times)."""
    def once(attempt: int) -> Any:
        token = new_token(runner.rng)
        store.record_journey_token(token, run_id, journey.name, runner.clock.now().isoformat())
        if attempt > 1:
            on_retry(attempt)
        written: set[int] = set()

        def write_ahead(observations: list) -> None:   # nothing sent is forgotten if the process dies
            record_outgoing_observations(store, run_id, observations)
            written.update(map(id, observations))

        runner.after_step = write_ahead
        result = runner.run(journey, token, attempt=attempt)
        record_outgoing_observations(store, run_id, [o for o in result.observations if id(o) not in written])
        return result

    return run_with_retries(once, retries, checked=runner.keep_trace_if_failing)
