"""`expect_reply`: leave an expectation: an acknowledgement and an answer must arrive in time."""
from __future__ import annotations

from ..duration import Duration
from ..errors import StepError
from ..mail.senders import site_mail_domains
from .registry import step_kind


@step_kind("expect_reply", writes="never")
class ExpectReply:
    """After `send_email` (the last message sent) or a web form submitted with `${shopper_email}`
    (`form: true`), expect replies: an acknowledgement within `ack_within` (an auto-reply counts) and
    a person's answer within `answer_within`. Later sweeps resolve it: met, bounced or breached
    (`unanswered_email`, `unanswered_form`, `closed_without_answer`, `no_acknowledgement`).
    Who may answer: `from_domain`/`from_addresses`; by default the domain written to, or for a form the
    audited site's domains (its base URL's and the profile's `hosts`); `from_anyone: true` lifts the rule.

        - expect_reply: {ack_within: 1h, answer_within: 2d}
        - expect_reply: {form: true, from_domain: "${company_domain}", answer_within: 2d}
    """

    form: bool = False
    ack_within: Duration | None = None
    answer_within: Duration | None = None
    from_domain: str | None = None
    from_addresses: list[str] | None = None
    from_anyone: bool = False
    uses_page = False
    needs = ("imap",)   # the reply is read by sweeps

    def run(self, ctx) -> str:
        if self.form:
            token, channel = ctx.state.journey_token, "web_form"
            target = ctx.state.last_url or ""
            default_from = site_mail_domains(ctx.state.base_url, ctx.state.site_hosts)
        else:
            sent = ctx.state.last_sent
            if sent is None:
                raise StepError("nothing was sent yet: put expect_reply after a send_email step, "
                                "or use `form: true` after submitting a form with ${shopper_email}")
            token, channel, target = sent["token"], "email", sent["to"]
            default_from = [target.rsplit("@", 1)[-1]]
        reply_from = [ctx.value(a) for a in self.from_addresses or []]
        if self.from_domain:
            reply_from.append(ctx.value(self.from_domain))
        if self.from_anyone:
            reply_from, default_from = [], []
        defaults = ctx.state.expectation_defaults
        ack = self.ack_within or defaults.ack_within
        answer = self.answer_within or defaults.answer_within
        ctx.record("expectation_left", {"token": token, "channel": channel, "target": target,
                                   "reply_from": reply_from or default_from,
                                   "ack_within_s": ack.seconds if ack else None,
                                   "answer_within_s": answer.seconds})
        return f"{channel} reply to {target} expected within {answer}" + (f", acknowledged within {ack}" if ack else "")
