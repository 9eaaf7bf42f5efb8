"""`wait`: wait for an element, a URL or a network response — never a fixed sleep."""
from __future__ import annotations

import fnmatch
import re
from typing import Literal

from ..errors import StepError
from .registry import step_kind
from .soft import Soft
from ..page.targets import Targeted
from ..page.text import text_matcher


def url_matches(pattern: str, url: str) -> bool:
    """`/regex/` or a glob (`**/api/chat*`) or a plain substring."""
    m = text_matcher(pattern)
    if isinstance(m, re.Pattern):
        return bool(m.search(url))
    if any(c in pattern for c in "*?["):
        return fnmatch.fnmatch(url, pattern)
    return pattern in url


@step_kind("wait", shorthand="selector", writes="never")
class Wait(Soft, Targeted):
    """Wait until something happens. Exactly one of: an element (selector/text/label/role, with
    `state`), `url`, `response` (a URL pattern, optionally with `status`), or `load`.

        - wait: "#chat-log .answer"
        - wait: {url: "**/orders/*"}
        - wait: {response: "**/chat", status: 200}
        - wait: {load: networkidle}
    """

    state: Literal["visible", "hidden", "attached", "detached"] = "visible"
    url: str | None = None
    response: str | None = None
    status: int | None = None
    load: Literal["load", "domcontentloaded", "networkidle"] | None = None

    def problems(self) -> list[str]:
        given = sum([self.has_target(), self.url is not None, self.response is not None, self.load is not None])
        if given != 1:
            return ["give exactly one of an element (selector/text/label/role), url, response or load"]
        return self.target_problems(required=False)

    def run(self, ctx) -> str:
        t = ctx.timeout_ms
        if self.url is not None:
            pattern = ctx.value(self.url)
            ctx.page.wait_for_url(lambda u: url_matches(pattern, u), timeout=t)
            return f"at {ctx.page.url}"
        if self.load is not None:
            ctx.page.wait_for_load_state(self.load, timeout=t)
            return f"load state {self.load}"
        if self.response is not None:
            return self._wait_response(ctx, ctx.value(self.response), t)
        self.locate(ctx).wait_for(state=self.state, timeout=t)
        return f"{self.describe_target(ctx)} is {self.state}"

    def _wait_response(self, ctx, pattern: str, timeout: float) -> str:
        def wanted(url: str, status: int) -> bool:
            return url_matches(pattern, url) and (self.status is None or status == self.status)

        # A response that already came during the previous step counts: the action came first.
        for obs in reversed(ctx.state.observations):
            if obs.kind == "response" and obs.step is not None and obs.step >= ctx.index - 1 \
                    and wanted(obs.data["url"], obs.data["status"]):
                return f"response {obs.data['status']} from {obs.data['url']}"
        try:
            resp = ctx.page.wait_for_event("response", lambda r: wanted(r.url, r.status), timeout=timeout)
        except Exception as e:
            raise StepError(f"no response matching {pattern!r}"
                            f"{f' with status {self.status}' if self.status else ''} came in time") from e
        return f"response {resp.status} from {resp.url}"
