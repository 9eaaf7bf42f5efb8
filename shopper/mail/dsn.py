"""Read RFC 3464 delivery-status fields: the per-message block and one block per recipient."""
from __future__ import annotations

from dataclasses import dataclass
from email.message import Message

from shopper.mail.patterns import lazy

Fields = list[tuple[str, str]]   # one block of a delivery-status part: (lowercased name, unfolded value)
DsnPart = str | list[Fields]     # a delivery-status part: its parsed blocks, or its text when it was not parsed

_ADDRESS = lazy(r"[^\s<>()\"';:,\[\]]+@[^\s<>()\"';:,\[\]]+")
_RECIPIENT_FIELDS = ("final-recipient", "original-recipient", "x-actual-recipient")


@dataclass(frozen=True)
class RecipientStatus:
    """One per-recipient block of a delivery-status part."""
    recipient: str
    action: str
    status: str
    diagnostic: str
    spec: str
    remote_mta: str
    reporting_mta: str
    category: str = ""     # the MTA's own verdict (PowerMTA's X-PowerMTA-BounceCategory)


def _fields(text: str) -> list[Fields]:
    """Split DSN text into blocks of (lowercased name, value); continuation lines are unfolded."""
    blocks: list[Fields] = [[]]
    for line in text.splitlines():
        if not line.strip():
            if blocks[-1]:
                blocks.append([])
            continue
        if line[0] in " \t" and blocks[-1]:
            name, value = blocks[-1][-1]
            blocks[-1][-1] = (name, value + " " + line.strip())
            continue
        name, sep, value = line.partition(":")
        if sep and name and " " not in name.strip():
            blocks[-1].append((name.strip().lower(), value.strip()))
        elif blocks[-1]:
            name, value = blocks[-1][-1]
            blocks[-1][-1] = (name, value + " " + line.strip())
    return [b for b in blocks if b]


def address_in(value: str) -> str:
    """'rfc822; <Kiji@Example.org>' -> 'Kiji@Example.org' ('' when no address)."""
    _, _, rest = value.rpartition(";") if ";" in value else ("", "", value)
    m = _ADDRESS.search(rest) or _ADDRESS.search(value)
    if not m:
        return ""
    address = m.group(0).strip(".")
    if address.count("@") > 1 and address.startswith("@"):
        address = address.rsplit(":", 1)[-1]
    return address


def _typed(value: str) -> tuple[str, str]:
    """'smtp; 550 ...' -> ('SMTP', '550 ...')."""
    kind, sep, rest = value.partition(";")
    if sep and len(kind) < 20 and " " not in kind.strip():
        return kind.strip().upper(), rest.strip()
    return "", value.strip()


_FOLD = lazy(r"[ \t]*\r?\n[ \t]*")


def _unfold(value: str) -> str:
    return (_FOLD.sub(" ", value) if "\n" in value else value).strip()   # every fold holds a line feed


def dsn_blocks(payload: list[Message]) -> list[Fields]:
    """The field blocks of a delivery-status part that the email parser split into header blocks.

    A well-formed block is read from the parsed headers as they are; a block the parser could not read to
    its end (a line without a colon ends its headers) is read again as text, so nothing of it is lost.
    """
    blocks: list[Fields] = []
    for block in payload:
        items = [(name.strip().lower(), _unfold(value if isinstance(value, str) else str(value)))
                 for name, value in block._headers]  # noqa: SLF001 - compat32 keeps them here, no copy per call
        body = block.get_payload()
        if isinstance(body, str) and body.strip():
            head = "\n".join(f"{name}: {value}" for name, value in items)
            blocks.extend(_fields(head + "\n" + body))
        elif items:
            blocks.append(items)
    return blocks


def read_dsn(part: DsnPart) -> list[RecipientStatus]:
    """Per-recipient statuses of one delivery-status part (its text or its `dsn_blocks`), in order."""
    reporting = ""
    found: list[RecipientStatus] = []
    for block in _fields(part) if isinstance(part, str) else part:
        # A block may hold per-message fields, one recipient, or (malformed) both or several.
        current: dict[str, str] = {}
        groups: list[dict[str, str]] = []
        for name, value in block:
            if name == "reporting-mta":
                reporting = _typed(value)[1]
                continue
            if name in ("final-recipient", "original-recipient") and name in current:
                groups.append(current)
                current = {}
            if name == "final-recipient" and "original-recipient" in current and "action" in current:
                groups.append(current)
                current = {}
            current.setdefault(name, value)
        groups.append(current)
        for fields in groups:
            recipient = ""
            for name in _RECIPIENT_FIELDS:
                if name in fields:
                    recipient = address_in(fields[name])
                    if recipient:
                        break
            if not recipient and not any(n in fields for n in _RECIPIENT_FIELDS):
                continue
            spec, diagnostic = _typed(fields.get("diagnostic-code", ""))
            found.append(RecipientStatus(
                recipient=recipient,
                action=fields.get("action", "").strip().lower().split(" ")[0] if fields.get("action") else "",
                status=fields.get("status", "").strip().split(" ")[0],
                diagnostic=diagnostic,
                spec=spec,
                remote_mta=_typed(fields.get("remote-mta", ""))[1],
                reporting_mta=reporting,
                category=fields.get("x-powermta-bouncecategory", "").strip(),
            ))
    return found


def read_dsn_fields(part: DsnPart) -> list[dict[str, str]]:
    """The blocks of a report part as dicts (first value of each field), for reports other than DSNs (MDNs)."""
    out = []
    for block in _fields(part) if isinstance(part, str) else part:
        fields: dict[str, str] = {}
        for name, value in block:
            fields.setdefault(name, value)
        out.append(fields)
    return out
