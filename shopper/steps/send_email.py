"""`send_email`: write to a company as a customer, with a token so replies and bounces can be matched."""
from __future__ import annotations

from ..errors import ConfigError, ProbeError, SetupError, StepError
from ..probes.smtp import DeliveryUnknown
from ..mail.outgoing import compose, new_token, plus_address
from ..page.addresses import find_address
from .registry import step_kind


def send_as_customer(ctx, to: str, subject: str, body: str, *, from_addr: str | None = None,
                     found_on_page: bool = False) -> dict:
    """Compose with a fresh token, send through the shopper's SMTP server, record `mail_sent`; the record."""
    sender = ctx.probes.mail
    if sender is None:
        raise SetupError("mail is not configured: set smtp and shopper in config.yaml")
    token = new_token(ctx.state.rng)
    if from_addr is None:
        from_addr = plus_address(sender.address, token) if sender.plus_addressing else sender.address
    msg = compose(from_addr=from_addr, from_name=sender.name, to=to, subject=subject, body=body, token=token,
                  journey=ctx.journey, now=ctx.clock.now())
    # written ahead: if the process dies once the server has it, the store still knows this mail (delivery
    # unknown until the step's own `mail_sent` record replaces it), so a reply to it still matches
    ctx.write_ahead("mail_sending", {"token": token, "message_id": msg["Message-ID"], "to": to, "from": from_addr,
                                     "subject": str(msg["Subject"])})
    try:
        result = sender.send(msg)
    except DeliveryUnknown as e:
        # the server may have it: keep it as sent (replies still match; a retry never sends it twice)
        data = {"token": token, "message_id": msg["Message-ID"], "to": to, "from": from_addr,
                "subject": str(msg["Subject"]), "ok": False, "delivery": "unknown", "refused": {},
                "data_code": None, "data_text": str(e), "found_on_page": found_on_page}
        ctx.record("mail_sent", data)
        raise StepError(str(e)) from None
    except (ProbeError, ConfigError) as e:   # the shopper's own SMTP server: not the company's fault
        ctx.write_ahead("mail_not_sent", {"token": token})
        raise SetupError(str(e)) from None
    data = {"token": token, "message_id": msg["Message-ID"], "to": to, "from": from_addr,
            "subject": str(msg["Subject"]), "ok": result.ok,
            "refused": {addr: {"code": code, "text": text} for addr, (code, text) in result.refused.items()},
            "data_code": result.data_code, "data_text": result.data_text, "found_on_page": found_on_page}
    ctx.record("mail_sent", data)
    ctx.state.last_sent = data
    return data


@step_kind("send_email", writes="always")
class SendEmail:
    """Send a customer's email through the shopper's SMTP server. The address is `to` (literal or a
    variable) or one found on the page (`find: true`, optionally `within` a region and `match`ing a
    word such as `/unsubscribe/i`). A rejection at send time (4xx/5xx on RCPT or DATA) is recorded
    and becomes a `broken_email` finding; follow with `expect_reply` to wait for an answer.

        - send_email: {to: "${support_address}", subject: "Where is my order?", body: "Hello, ..."}
        - send_email: {find: true, match: "/unsubscribe/i", subject: unsubscribe, body: "Please unsubscribe me."}
    """

    subject: str = "Question"
    body: str = "Hello,\n\nCould you help me, please?\n\nKind regards"
    to: str | None = None
    find: bool = False
    within: str | None = None
    match: str | None = None

    needs = ("smtp",)

    def problems(self) -> list[str]:
        if (self.to is None) == (not self.find):
            return ["give either 'to' (an address) or 'find: true' (an address on the page)"]
        if (self.within or self.match) and not self.find:
            return ["'within' and 'match' go with 'find: true'"]
        return []

    @property
    def uses_page(self) -> bool:
        return self.find

    def run(self, ctx) -> str:
        to = ctx.value(self.to) if self.to else find_address(ctx.page, self.within and ctx.value(self.within),
                                                             self.match and ctx.value(self.match), ctx.timeout_ms)
        data = send_as_customer(ctx, to, ctx.value(self.subject), ctx.value(self.body), found_on_page=self.find)
        refused, result_ok = data["refused"], data["ok"]
        if not result_ok:
            why = "; ".join(f"{a}: {r['code']} {r['text']}" for a, r in refused.items()) or \
                f"DATA {data['data_code']} {data['data_text']}"
            return f"{to} refused the message at send time ({why})"
        return f"sent to {to} ({data['token']})"
