"""`unsubscribe`: use the unsubscribe routes of the newsletter found by `wait_for_mail`."""
from __future__ import annotations

from typing import Literal
from urllib.parse import parse_qs, unquote, urlsplit

from ..errors import StepError
from .registry import step_kind
from .send_email import send_as_customer
from ..page.text import text_matcher


@step_kind("unsubscribe", shorthand="route", writes="always")
class Unsubscribe:
    """Unsubscribe from the current newsletter (the one `wait_for_mail` found) as a customer would:
    `one-click` (RFC 8058: POST `List-Unsubscribe=One-Click` to the List-Unsubscribe URL), `mailto`
    (the List-Unsubscribe mail address), or `link` (the unsubscribe link in the mail body, opened in
    the browser, confirming with a button matching `confirm`). Follow with `expect_no_mail`.

        - unsubscribe: one-click
        - unsubscribe: {route: link, confirm: "/unsubscribe|confirm/i"}
    """

    acts = True   # the page reacts: the runner waits for it to settle (shopper.probes.settle)

    route: Literal["one-click", "mailto", "link"] = "one-click"
    confirm: str = "/unsubscribe|confirm|yes/i"

    @property
    def uses_page(self) -> bool:
        return self.route == "link"

    @property
    def needs(self) -> tuple[str, ...]:
        return ("smtp",) if self.route == "mailto" else ()

    def run(self, ctx) -> str:
        mail = ctx.state.last_mail
        if mail is None or mail["kind"] != "newsletter":
            raise StepError("no newsletter to unsubscribe from: put `wait_for_mail: {kind: newsletter}` first")
        c = mail["classification"]
        uris = c.get("list_unsubscribe") or []
        if self.route == "one-click":
            return self._one_click(ctx, c, uris)
        if self.route == "mailto":
            return self._mailto(ctx, c, uris)
        return self._link(ctx, c)

    def _one_click(self, ctx, c: dict, uris: list[str]) -> str:
        url = next((u for u in uris if u.lower().startswith(("https://", "http://"))), None)
        if url is None or not c.get("list_unsubscribe_post"):
            self._record(ctx, c, "one-click", url or "", None, "the newsletter offers no RFC 8058 one-click unsubscribe")
            raise StepError("the newsletter has no one-click unsubscribe (List-Unsubscribe https URL with "
                            "List-Unsubscribe-Post)")
        status, error = ctx.probes.links.post(url, {"List-Unsubscribe": "One-Click"}, ctx.state.reach)
        self._record(ctx, c, "one-click", url, status, error)
        if error or status is None or status >= 400:
            raise StepError(f"one-click unsubscribe POST to {url} failed: {error or f'HTTP {status}'}")
        return f"one-click POST {url} → {status}"

    def _mailto(self, ctx, c: dict, uris: list[str]) -> str:
        uri = next((u for u in uris if u.lower().startswith("mailto:")), None)
        if uri is None:
            raise StepError("the newsletter's List-Unsubscribe has no mailto: address")
        parts = urlsplit(uri)
        to = unquote(parts.path)
        subject = (parse_qs(parts.query).get("subject") or ["unsubscribe"])[0]
        # from the subscribed address: that is the one the list must drop
        data = send_as_customer(ctx, to, subject, "Please unsubscribe me.",
                                from_addr=ctx.state.variables.get("shopper_email"))
        self._record(ctx, c, "mailto", to, None, None if data["ok"] else "refused at send time")
        return f"unsubscribe mail sent to {to}"

    def _link(self, ctx, c: dict) -> str:
        links = c.get("links") or []
        url = next((u for u, text in links if "unsubscribe" in (u + " " + text).lower()), None)
        if url is None:
            raise StepError("the newsletter's body has no unsubscribe link")
        if not ctx.may_follow(url, "unsubscribe"):
            raise StepError(f"the newsletter's unsubscribe link {url[:200]} was not followed: the reach policy "
                            "refused it (docs/security.md)")
        response = ctx.page.goto(url, timeout=ctx.timeout_ms, wait_until="load")
        status = response.status if response is not None else None
        button = ctx.page.get_by_role("button", name=text_matcher(ctx.value(self.confirm)))
        if button.count():
            button.first.click(timeout=ctx.timeout_ms)
        self._record(ctx, c, "link", url, status, None if status and status < 400 else f"HTTP {status}")
        return f"unsubscribe link {url} → {status}"

    @staticmethod
    def _record(ctx, c: dict, route: str, target: str, status, error) -> None:
        ctx.record("unsubscribe_request", {"route": route, "target": target, "status": status, "error": error,
                                           "list_id": c.get("list_id")})
