"""Quarantine: a message the sweep could not read is kept as `unreadable` (UID, size, the error), never a finding."""
from __future__ import annotations

import logging
from typing import Any

from .store.codec import to_json

log = logging.getLogger(__name__)
ERROR_TEXT_LIMIT = 200   # the error's own words, cut: they may quote a header, never the body


def error_text(err: BaseException) -> str:
    text = " ".join(str(err).split())
    return text[:ERROR_TEXT_LIMIT] + ("…" if len(text) > ERROR_TEXT_LIMIT else "")


def quarantine_data(m: Any, err: BaseException) -> dict[str, Any]:
    """The observation's data (and the stored classification): where the message is and what went wrong."""
    return {"kind": "unreadable", "folder": m.folder, "uid": m.uid, "uidvalidity": m.uidvalidity, "size": m.size,
            "received_at": m.internaldate.isoformat(), "error": type(err).__name__, "error_text": error_text(err),
            "truncated": m.truncated}


def quarantine_row(mailbox: str, key: str, m: Any, err: BaseException, sweep_id: str, now: str) -> dict[str, Any]:
    """The `messages` row of a quarantined message: kind `unreadable`, the error's class as its reason."""
    # The log names the message and the error's class only: never its text or body (they are the sender's).
    log.warning("quarantined UID %s (%d bytes) in %s: %s", m.uid, m.size, m.folder, type(err).__name__)
    return {"key": key, "mailbox": mailbox, "folder": m.folder, "uid": m.uid, "uidvalidity": m.uidvalidity,
            "received_at": m.internaldate.isoformat(), "swept_at": now, "sweep_id": sweep_id, "kind": "unreadable",
            "reason": type(err).__name__, "status": None, "recipient": None, "from_addr": None, "subject": "",
            "matched_token": None, "truncated": int(m.truncated), "size": m.size,
            "classification": to_json(quarantine_data(m, err)), "failed": []}
