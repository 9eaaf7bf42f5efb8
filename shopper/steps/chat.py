"""`chat`: ask the site's chat widget a question and record the answer."""
from __future__ import annotations

from ..errors import StepError
from .registry import step_kind

_WAIT = """([el, before, message]) => {
  const text = (el.innerText || el.textContent || '');
  if (text === before) return false;
  let rest = text.startsWith(before) ? text.slice(before.length) : text;
  const i = rest.indexOf(message);
  if (i >= 0) rest = rest.slice(i + message.length);
  return rest.trim().length > 0;
}"""


@step_kind("chat", writes="always")
class Chat:
    """Open the chat widget (`open`), type `message` into `input`, send it (`send`, or Enter), and wait
    for the answer to appear in `log` (or in a new `answer` element). The answer is saved in `into`.
    Elements are Playwright selectors; `role=...[name=/.../i]` keeps journeys generic.

        - chat: {open: "role=button[name=/chat/i]", input: "role=textbox[name=/message|question/i]",
                 log: "role=log", message: "Did my payment for ${order_no} go through?", into: chat_answer}
    """

    message: str = ""
    input: str = "role=textbox"
    log: str = "role=log"
    open: str | None = None
    send: str | None = None
    answer: str | None = None
    into: str | None = None

    def problems(self) -> list[str]:
        return [] if self.message else ["missing 'message': what to ask"]

    def defines(self) -> list[str]:
        return [self.into] if self.into else []

    def run(self, ctx) -> str:
        page, t = ctx.page, ctx.timeout_ms
        if self.open:
            page.locator(ctx.value(self.open)).first.click(timeout=t)
        log = page.locator(ctx.value(self.log)).first
        log.wait_for(state="attached", timeout=t)
        message = ctx.value(self.message)
        answers = page.locator(ctx.value(self.answer)) if self.answer else None
        count = answers.count() if answers is not None else 0
        before = log.inner_text(timeout=t)
        box = page.locator(ctx.value(self.input)).first
        box.fill(message, timeout=t)
        if self.send:
            page.locator(ctx.value(self.send)).first.click(timeout=t)
        else:
            box.press("Enter", timeout=t)
        try:
            if answers is not None:
                answers.nth(count).wait_for(timeout=t)
                text = answers.nth(count).inner_text(timeout=t)
            else:
                page.wait_for_function(_WAIT, arg=[log.element_handle(timeout=t), before, message], timeout=t)
                after = log.inner_text(timeout=t)
                rest = after[len(before):] if after.startswith(before) else after
                i = rest.find(message)
                text = rest[i + len(message):] if i >= 0 else rest
        except Exception as e:  # Playwright's timeout: the widget never answered
            raise StepError(f"the chat did not answer {message!r} within {t / 1000:g}s") from e
        answer = " ".join(text.split())
        if self.into:
            ctx.set_var(self.into, answer)
        ctx.record("chat_answer", {"question": ctx.display(self.message), "answer": answer[:1000], "url": page.url})
        return f"chat answered: {answer[:120]!r}"
