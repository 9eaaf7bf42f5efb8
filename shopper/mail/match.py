"""Match a received message to what the shopper sent: threading headers, the token, the quoted original."""
from __future__ import annotations

from typing import Callable, Iterable

from .classify import Classification
from .tokens import TOKEN


MAX_CANDIDATES = 50   # a message naming more tokens than this is made to flood the lookup; the first ones count


def candidate_tokens(c: Classification) -> list[str]:
    """Tokens in order of trust; the plus-address a reply was sent to counts as much as threading."""
    out: list[str] = []
    for addr in c.to_addrs:
        for t in TOKEN.findall(addr.split("@", 1)[0].lower()):
            if t not in out:
                out.append(t)
    for t in c.tokens:
        if t not in out:
            out.append(t)
    return out[:MAX_CANDIDATES]


def match_token(c: Classification, known_tokens: Callable[[list[str]], Iterable[str]],
                by_message_id: Callable[[list[str]], dict[str, str]]) -> str | None:
    """The token of the sent message this one answers or reports on, or None (kept as unmatched).

    `known_tokens(candidates)` returns which candidates the shopper really sent; `by_message_id(ids)`
    maps Message-IDs of sent messages to their tokens (for replies whose clients rewrote the subject
    and bounces that quote only the original's Message-ID).
    """
    candidates = candidate_tokens(c)
    known = set(known_tokens(candidates)) if candidates else set()
    for t in candidates:
        if t in known:
            return t
    ids = [i for i in (c.in_reply_to, *c.references, c.original_message_id) if i][:MAX_CANDIDATES]
    if ids:
        found = by_message_id(ids)
        for i in ids:
            if i.strip("<>") in found:
                return found[i.strip("<>")]
    return None
