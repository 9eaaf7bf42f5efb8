"""Finding addresses on a page: `mailto:` links first, then addresses written in the text."""
from __future__ import annotations

import re
from urllib.parse import unquote

from ..errors import StepError
from .text import text_matcher

ADDRESS_IN_TEXT = re.compile(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
                             r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+")
_COLLECT = """els => els.map(e => [e.getAttribute('href') || '', (e.innerText || e.textContent || '').trim(),
  ((e.closest('p,li,div,section,footer') || e).innerText || '').slice(0, 400)])"""


def addresses_on_page(page, within: str | None, match: str | None, timeout_ms: float) -> list[tuple[str, str]]:
    """(address, context) pairs in page order; `match` (`/regex/i` or text) filters on address or context."""
    page.locator("body").wait_for(timeout=timeout_ms)
    # a region is a preference: a page without it (no <main> landmark) is searched whole
    scope = page.locator(within).first if within and page.locator(within).count() else page.locator("body")
    found: list[tuple[str, str]] = []
    for href, text, around in scope.locator("a[href^='mailto:' i]").evaluate_all(_COLLECT):
        addr = unquote(href.split(":", 1)[1].split("?", 1)[0]).strip()
        for a in addr.split(","):
            if a and a not in [f[0] for f in found]:
                found.append((a.strip(), f"{text} {around}"))
    text = scope.inner_text(timeout=timeout_ms)
    for m in ADDRESS_IN_TEXT.finditer(text):
        addr = m.group(0).rstrip(".")
        if addr not in [f[0] for f in found]:
            found.append((addr, text[max(0, m.start() - 200): m.end() + 50]))
    if match:
        pattern = text_matcher(match)

        def hit(text: str) -> bool:
            return bool(pattern.search(text)) if isinstance(pattern, re.Pattern) else pattern.lower() in text.lower()

        # the address itself matching beats its link text or paragraph matching
        scored = [(2 if hit(a) else 1 if hit(c) else 0, i, a, c) for i, (a, c) in enumerate(found)]
        found = [(a, c) for score, _, a, c in sorted(scored, key=lambda t: (-t[0], t[1])) if score]
    return found


def find_address(page, within: str | None, match: str | None, timeout_ms: float) -> str:
    found = addresses_on_page(page, within, match, timeout_ms)
    if not found:
        where = f" in {within!r}" if within else ""
        raise StepError(f"no email address{where} on {page.url}" + (f" matching {match!r}" if match else "")
                        + ": check `find`/`within`/`match`, or give `to` directly")
    return found[0][0]
