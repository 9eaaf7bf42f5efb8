"""`expect_no_mail`: after unsubscribing, no more mail from the list once a grace period has passed."""
from __future__ import annotations

from ..duration import Duration
from ..errors import StepError
from ..mail.links import list_id
from .registry import step_kind


@step_kind("expect_no_mail", writes="never")
class ExpectNoMail:
    """Leave an expectation of silence: mail from the current newsletter's list (or `list_id`) that
    arrives more than `grace` after this step (RFC 8058 asks for prompt removal) is an
    `unsubscribe_ignored` finding with the messages as evidence; none within `watch_for` and it is met.

        - expect_no_mail: {grace: 2d, watch_for: 7d}
    """

    grace: Duration = Duration(2 * 86400)
    watch_for: Duration = Duration(7 * 86400)
    list_id: str | None = None
    uses_page = False
    needs = ("imap",)

    def run(self, ctx) -> str:
        lid = ctx.value(self.list_id) if self.list_id else None
        if lid is None and ctx.state.last_mail is not None:
            lid = ctx.state.last_mail["classification"].get("list_id")
        lid = list_id(lid)
        if not lid:
            raise StepError("which list? give `list_id`, or put `wait_for_mail: {kind: newsletter}` before this")
        ctx.record("silence_expected", {"list_id": lid, "grace_s": self.grace.seconds,
                                        "watch_for_s": self.watch_for.seconds, "token": ctx.state.journey_token})
        return f"no mail from {lid} after {self.grace}; watching {self.watch_for}"
