"""Read bounces written as prose (qmail, Exim, Sendmail, providers): failed recipients and their error text."""
from __future__ import annotations

import re
from dataclasses import dataclass

from shopper.mail.patterns import lazy

ADDRESS = lazy(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")

# Lines after which a bounce quotes the message it returns.
# [ \t]*, not \s*: a \s* that may run over line ends is tried again from every blank line (five times the work);
# the marker line itself is found the same, and the blank lines before it stay with the prose
_ORIGINAL_MARKERS = lazy(
    r"^[ \t]*(?:[-=_*]{2,}[ \t]*)?(?:"
    r"below this line is a copy of the message|this is a copy of the message|"
    r"original message(?: follows| headers| header)?\b|message headers follow|message text follows|"
    r"the header of the original message|unsent message below|"
    r"the (?:original|returned) message(?:'s headers?)? (?:follows?|(?:was|is|were|are) (?:attached|included|below|as follows))|"
    r"(?:returned|undelivered|original|failed) (?:mail|message)(?: headers?)?(?: follows?)?\s*[-=:]*\s*$|"
    r"headers? of (?:the )?(?:original|returned|your) message|"
    r"text of (?:the )?(?:original|returned) message|"
    r"a copy of the original message|content of the original message|copy of your message"
    r")", re.M)   # reads lower-cased text: faster than re.I
_ORIGINAL_MARKERS_ANY_CASE = lazy(_ORIGINAL_MARKERS.pattern, re.I | re.M)
_HEADER_LINE = lazy(
    r"^(?:Return-Path|Received|From|To|Subject|Date|Message-I[Dd]|DKIM-Signature|MIME-Version|"
    r"Content-Type|X-[A-Za-z-]+|Reply-To|Cc|In-Reply-To|References):", re.I)
_STRONG_HEADER = lazy(r"^(?:Return-Path|Received|Message-I[Dd]|DKIM-Signature|Date|From):", re.I)
_STRONG_STARTS = frozenset("RrMmDdFf")   # the first characters _STRONG_HEADER can match (no other letter folds to them)
_NOT_RECIPIENT = lazy(r"^(?:mailer-daemon|postmaster|mail-daemon|noreply|no-reply|"
                            r"double-bounce|bounce[s]?)@", re.I)


# "kijitora@example.com <neko@example.net>": the address in angle brackets is the one meant (Exim's
# "malformed address" lines, "name <address>" written with an address as the name).
_ADDRESS_AS_NAME = lazy(ADDRESS.pattern + r"\s+(?=<" + ADDRESS.pattern + ">)")
# Classic (V5) sendmail: "While talking to host:", ">>> MAIL From:<...>", "<<< 550 ...", "550 host (smtp)... ..."
# come before the line naming the recipient they are about.
_TRANSCRIPT_LINE = lazy(r"^(?:While talking to \S+:|>>> |<<< |\d{3} [A-Za-z0-9.-]+ \(\w+\)\.\.\. )")
_TRANSCRIPT_STARTS = ("W", ">", "<")   # the first characters it can match, besides a digit
_ID_LINE = lazy(r"^\s*(?:message-id|in-reply-to|references|x-[\w-]*id|to|from|cc|sender|reply-to|"
                      r"return-path|original sender|sender-mta)\s*:", re.I)


@dataclass(frozen=True)
class Segment:
    """The error text a prose bounce gives for one failed recipient."""
    recipient: str
    text: str


def split_original(text: str) -> tuple[str, str]:
    """(bounce prose, quoted original) — cut at a 'copy of the message' line or a pasted header block."""
    low = text.lower()
    # lower() keeps the length (and so the cut) except for a few letters such as 'İ': then read case by case
    m = _ORIGINAL_MARKERS.search(low) if len(low) == len(text) else _ORIGINAL_MARKERS_ANY_CASE.search(text)
    cut = m.start() if m else -1
    lines = text.split("\n")
    offset = 0
    limit = cut if cut >= 0 else len(text)
    for i, line in enumerate(lines):
        if offset >= limit:
            break
        if line[:1] in _STRONG_STARTS and _STRONG_HEADER.match(line) and i + 1 < len(lines):
            window = lines[i:i + 4]
            hits = sum(1 for w in window if _HEADER_LINE.match(w) or (w[:1] in " \t" and w.strip()))
            if hits >= 3:
                cut = offset
                break
        offset += len(line) + 1
    if cut < 0:
        return text, ""
    return text[:cut], text[cut:]


def segments(prose: str, excluded: set[str], preferred: list[str]) -> list[Segment]:
    """Split bounce prose into per-recipient error text.

    A segment starts at a line naming a recipient and runs to the next line naming one; segments of
    the same recipient are joined. `preferred` (e.g. X-Failed-Recipients) fixes the recipients when
    given; `excluded` holds addresses that are not recipients (the sender, the daemon).
    """
    wanted = [a.lower() for a in preferred]
    low = prose.lower()
    if wanted and not any(a in low for a in wanted):
        # The header names an address the prose does not (rewritten, or a list); trust the prose if it
        # names someone, else the header with the whole prose as its error text.
        return segments(prose, excluded, []) or [Segment(a, " ".join(prose.split())) for a in wanted]
    order: list[str] = []
    texts: dict[str, list[str]] = {}
    current = ""
    pending: list[str] = []   # a sendmail session transcript: it belongs to the address line after it
    for line in prose.split("\n"):
        context = _TRANSCRIPT_LINE.match(line) if line.startswith(_TRANSCRIPT_STARTS) or line[:1].isdecimal() \
            else None
        line = line.lstrip("> \t") if line.startswith(">") and not context else line
        if ":" in line and _ID_LINE.match(line):   # each of its names ends in a colon
            continue
        if "@" not in line:
            named = []
        else:   # an address standing as a name needs an address in angle brackets after it
            named = [a.lower().rstrip(".") for a in ADDRESS.findall(_ADDRESS_AS_NAME.sub("", line) if "<" in line
                                                                     else line)]
        named = [a for a in named if a not in excluded and not _NOT_RECIPIENT.match(a)]
        if wanted:
            named = [a for a in named if a in wanted]
        if context and (pending or not named):
            pending.append(line.strip())
            continue
        if named:
            current = named[0]
            if current not in texts:
                order.append(current)
                texts[current] = []
            texts[current].extend(pending)
            pending = []
        if current:
            texts[current].append(line.strip())
    if current and pending:
        texts[current].extend(pending)
    if wanted:
        missing = [a for a in wanted if a not in texts]
        for address in missing:
            order.append(address)
            texts[address] = [prose]
        order = sorted(order, key=wanted.index)
    return [Segment(a, " ".join(" ".join(texts[a]).split())) for a in order]
