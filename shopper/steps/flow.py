"""`flow`: run a named list of steps from the site profile (what no heuristic can know), else the journey's default."""
from __future__ import annotations

from ..errors import StepError
from .registry import step_kind


@step_kind("flow", shorthand="name")
class Flow:
    """Run the flow `name`: the site profile's `flows: {NAME: [steps]}` when it has one, else the
    journey's own `flows:` default. The runner puts the flow's steps in place of this step before the
    journey starts, each labelled `NAME: step`; profile values in them are expanded at run time
    (`${order_no}` and other extracted values work).

        - flow: place_order
    """

    name: str = ""

    def problems(self) -> list[str]:
        return [] if self.name else ["'flow' needs the name of a flow"]

    def run(self, ctx) -> str:   # never reached: the runner expands flows first
        raise StepError(f"flow '{self.name}' was not expanded")
