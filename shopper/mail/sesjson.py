"""Read Amazon SES notifications (JSON in the body, as SNS mails them): bounces, complaints, deliveries."""
from __future__ import annotations

import json
from dataclasses import dataclass

from shopper.mail.patterns import lazy

_WRAP = lazy(r"!\r?\n ")
_START = lazy(r'\{\s*"(?:notificationType|eventType|Type)"\s*:')


@dataclass(frozen=True)
class SesEntry:
    """One recipient named by an SES notification."""
    recipient: str
    kind: str          # bounce | complaint | delivery
    action: str
    status: str
    diagnostic: str
    reporting_mta: str


def read_ses(text: str) -> list[SesEntry]:
    """Entries of the first SES notification found in `text`; [] when there is none or it is broken."""
    m = _START.search(text)
    if not m:
        return []
    try:
        data, _ = json.JSONDecoder().raw_decode(_WRAP.sub("", text[m.start():]))
    except ValueError:
        return []
    if isinstance(data, dict) and isinstance(data.get("Message"), str):
        try:
            data = json.loads(data["Message"])
        except ValueError:
            return []
    if not isinstance(data, dict):
        return []
    kind = str(data.get("notificationType") or data.get("eventType") or "").lower()
    entries: list[SesEntry] = []
    if kind == "bounce":
        block = data.get("bounce") or {}
        mta = str(block.get("reportingMTA") or "").partition(";")[2].strip()
        for r in block.get("bouncedRecipients") or []:
            diagnostic = str(r.get("diagnosticCode") or "")
            entries.append(SesEntry(str(r.get("emailAddress") or ""), "bounce", str(r.get("action") or "failed"),
                                    str(r.get("status") or ""), diagnostic.partition(";")[2].strip() or diagnostic,
                                    mta))
    elif kind == "complaint":
        for r in (data.get("complaint") or {}).get("complainedRecipients") or []:
            entries.append(SesEntry(str(r.get("emailAddress") or ""), "complaint", "failed", "", "", ""))
    elif kind == "delivery":
        block = data.get("delivery") or {}
        response = str(block.get("smtpResponse") or "")
        for address in block.get("recipients") or []:
            entries.append(SesEntry(str(address), "delivery", "delivered", "", response,
                                    str(block.get("reportingMTA") or "")))
    return entries
