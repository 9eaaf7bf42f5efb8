"""The mail half of the store: sent messages, expectations, folder states, received messages, sweeps."""
from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from .codec import parse_dt as _dt
from .codec import to_json as _j
from .dialect import insert_sql, retry_conflicts, upsert_sql

if TYPE_CHECKING:
    from ..expectations import Expectation
    from ..probes.imap import FolderState

SENT_COLUMNS = ("token", "run_id", "journey", "step", "message_id", "from_addr", "to_addr", "subject", "sent_at",
                "ok", "refused")
MESSAGE_COLUMNS = ("key", "mailbox", "folder", "uid", "uidvalidity", "received_at", "swept_at", "sweep_id", "kind",
                   "reason", "status", "recipient", "from_addr", "subject", "matched_token", "truncated", "size",
                   "classification")
FAILED_COLUMNS = ("message_key", "position", "recipient", "reason", "status", "reply_code", "hard", "action",
                  "diagnostic", "reporting_mta", "remote_mta")
JOURNEY_TOKEN_COLUMNS = ("token", "run_id", "journey", "created_at")
FOLDER_COLUMNS = ("mailbox", "folder", "uidvalidity", "last_uid", "highestmodseq", "updated_at")
EXPECTATION_INSERT = insert_sql("expectations", (
    "token", "run_id", "journey", "step", "channel", "target", "reply_from", "created_at", "ack_deadline",
    "answer_deadline", "state", "updated_at", "kind", "window_end")) + " RETURNING id"


class MailStoreMixin:
    """Sent messages, expectations, folder states and received messages.

    An expectation read from the store carries the revision of its row (`Expectation.revision`):
    `update_expectation` changes the row only if nobody changed it since that read, so concurrent sweeps
    resolve it once. The revision travels with the value, so a read elsewhere refreshes nobody's copy.
    """

    # -- sent ---------------------------------------------------------------------------------
    @retry_conflicts
    def record_sent(self, run_id: str, journey: str, step: int | None, token: str, message_id: str,
                    from_addr: str, to_addr: str, subject: str, sent_at: str, ok: bool,
                    refused: dict[str, Any]) -> None:
        with self.tx() as db:
            db.execute(upsert_sql("sent_messages", SENT_COLUMNS, key=("token",)),
                       (token, run_id, journey, step, message_id, from_addr, to_addr, subject, sent_at,
                        int(ok), _j(refused)))

    def forget_sent(self, token: str) -> None:
        """A message written ahead that never left (the shopper's own SMTP server failed): no record of it."""
        with self.tx() as db:
            db.execute("DELETE FROM sent_messages WHERE token = ?", (token,))

    def sent_tokens(self, tokens: list[str]) -> dict[str, dict[str, Any]]:
        if not tokens:
            return {}
        marks = ",".join("?" * len(tokens))
        return {r["token"]: dict(r) for r in self.query(f"SELECT * FROM sent_messages WHERE token IN ({marks})",
                                                        *tokens)}

    def known_tokens(self, tokens: list[str]) -> set[str]:
        """Which of these tokens the shopper used: on a sent message or given to a journey run (forms, lists)."""
        if not tokens:
            return set()
        marks = ",".join("?" * len(tokens))
        rows = self.query(f"SELECT token FROM sent_messages WHERE token IN ({marks}) UNION "
                          f"SELECT token FROM journey_tokens WHERE token IN ({marks})", *tokens, *tokens)
        return {r[0] for r in rows}

    @retry_conflicts
    def record_journey_token(self, token: str, run_id: str, journey: str, created_at: str) -> None:
        with self.tx() as db:
            db.execute(insert_sql("journey_tokens", JOURNEY_TOKEN_COLUMNS, ignore_conflicts=True),
                       (token, run_id, journey, created_at))

    def journey_of_token(self, token: str) -> str | None:
        rows = self.query("SELECT journey FROM journey_tokens WHERE token=?", token)
        return rows[0][0] if rows else None

    def sent_by_message_ids(self, ids: list[str]) -> dict[str, dict[str, Any]]:
        ids = [i.strip("<>") for i in ids if i]
        if not ids:
            return {}
        marks = ",".join("?" * len(ids))
        return {r["message_id"].strip("<>"): dict(r)
                for r in self.query(f"SELECT * FROM sent_messages WHERE TRIM(message_id, '<>') IN ({marks})", *ids)}

    def first_sent_at(self) -> str | None:
        rows = self.query("SELECT MIN(created_at) FROM (SELECT sent_at AS created_at FROM sent_messages "
                          "UNION ALL SELECT created_at FROM expectations) AS sent_or_expected")
        return rows[0][0]

    # -- expectations -------------------------------------------------------------------------
    @retry_conflicts
    def add_expectation(self, e: Expectation) -> int:
        with self.tx() as db:
            cur = db.execute(
                EXPECTATION_INSERT,
                (e.token, e.run_id, e.journey, e.step, e.channel, e.target, _j(list(e.reply_from)),
                 e.created_at.isoformat(), e.ack_deadline.isoformat() if e.ack_deadline else None,
                 e.answer_deadline.isoformat(), e.state, e.created_at.isoformat(), e.kind,
                 e.window_end.isoformat() if e.window_end else None))
            [(new_id,)] = cur.fetchall()
        return int(new_id)

    def expectations(self, states: tuple[str, ...] | None = None, tokens: list[str] | None = None,
                     silence_for: list[str] | None = None) -> list[Expectation]:
        """Expectations by state, by token, or (silence_for) the silence ones watching these list ids."""
        from ..expectations import Expectation

        sql, args = "SELECT * FROM expectations WHERE 1=1", []
        if states:
            sql += f" AND state IN ({','.join('?' * len(states))})"
            args += list(states)
        if tokens is not None:
            if not tokens:
                return []
            sql += f" AND token IN ({','.join('?' * len(tokens))})"
            args += list(tokens)
        if silence_for is not None:
            if not silence_for:
                return []
            sql += f" AND kind='silence' AND target IN ({','.join('?' * len(silence_for))})"
            args += list(silence_for)
        out = []
        for r in self.query(sql + " ORDER BY id", *args):
            out.append(Expectation(token=r["token"], journey=r["journey"], channel=r["channel"], target=r["target"],
                                   created_at=_dt(r["created_at"]), answer_deadline=_dt(r["answer_deadline"]),
                                   ack_deadline=_dt(r["ack_deadline"]), reply_from=tuple(json.loads(r["reply_from"])),
                                   state=r["state"], acked_at=_dt(r["acked_at"]), answered_at=_dt(r["answered_at"]),
                                   ack_missed=bool(r["ack_missed"]),
                                   bounce=json.loads(r["bounce"]) if r["bounce"] else None,
                                   resolved_at=_dt(r["resolved_at"]), id=r["id"], run_id=r["run_id"], step=r["step"],
                                   kind=r["kind"], window_end=_dt(r["window_end"]),
                                   evidence=tuple(json.loads(r["evidence"])), revision=r["revision"]))
        return out

    @retry_conflicts
    def abandon_open_expectations(self, why: str, now: str | None = None) -> int:
        """Close every open expectation without judging it (e.g. its mailbox no longer exists)."""
        now = now or datetime.now(timezone.utc).isoformat()
        with self.tx() as db:
            cur = db.execute("UPDATE expectations SET state='abandoned', updated_at=?, bounce=?, revision=revision + 1 "
                             "WHERE state='open'", (now, _j({"abandoned": why})))
            return cur.rowcount

    @retry_conflicts
    def abandon_run_expectations(self, run_id: str, why: str, now: str) -> int:
        """Close the open expectations one run left, without judging them (a trial run's)."""
        with self.tx() as db:
            cur = db.execute("UPDATE expectations SET state='abandoned', updated_at=?, bounce=?, revision=revision + 1 "
                             "WHERE state='open' AND run_id=?", (now, _j({"abandoned": why}), run_id))
            return cur.rowcount

    @retry_conflicts
    def update_expectation(self, e: Expectation, now: str) -> Expectation | None:
        """Save `e` (a changed expectation) if its row is still at `e.revision` (as `e` was read); returns the
        saved expectation, carrying the row's new revision, to change it again.

        None means another sweep changed the expectation first: its judgement stands and `e` is dropped. A stale
        copy stays stale whatever anyone reads meanwhile. An expectation never read (revision None) is saved
        whatever its row holds.
        """
        import dataclasses

        iso = lambda v: v.isoformat() if v else None  # noqa: E731
        values = (e.state, iso(e.acked_at), iso(e.answered_at), int(e.ack_missed), _j(e.bounce) if e.bounce else None,
                  iso(e.resolved_at), now, _j(list(e.evidence)), e.id)
        sql = ("UPDATE expectations SET state=?, acked_at=?, answered_at=?, ack_missed=?, bounce=?, resolved_at=?, "
               "updated_at=?, evidence=?, revision=revision + 1 WHERE id=?")
        if e.revision is not None:
            sql, values = sql + " AND revision=?", (*values, e.revision)
        with self.tx() as db:
            rows = db.execute(sql + " RETURNING revision", values).fetchall()   # all: SQLite ends the statement
        if not rows:
            return None
        return dataclasses.replace(e, revision=rows[0][0])

    # -- mailbox ------------------------------------------------------------------------------
    def folder_states(self, mailbox: str) -> dict[str, FolderState]:
        from ..probes.imap import FolderState

        return {r["folder"]: FolderState(r["folder"], r["uidvalidity"], r["last_uid"], r["highestmodseq"])
                for r in self.query("SELECT * FROM mailbox_state WHERE mailbox=?", mailbox)}

    def known_message_keys(self, keys: list[str]) -> set[str]:
        if not keys:
            return set()
        found: set[str] = set()
        for i in range(0, len(keys), 500):
            chunk = keys[i:i + 500]
            found |= {r[0] for r in self.query(f"SELECT key FROM messages WHERE key IN ({','.join('?' * len(chunk))})",
                                               *chunk)}
        return found

    @retry_conflicts
    def save_batch(self, mailbox: str, state: FolderState | None, messages: list[dict[str, Any]], now: str) -> set[str]:
        """New messages (with every failed recipient of a bounce, `failed`) and the folder's new state (None: keep
        the stored one) in one transaction: nothing lost, nothing twice. Returns the keys this call stored: a
        message a concurrent sweep stored first is not among them."""
        stored: set[str] = set()
        with self.tx() as db:
            insert = insert_sql("messages", MESSAGE_COLUMNS, ignore_conflicts=True) + " RETURNING key"
            for m in messages:
                if db.execute(insert, tuple(m[c] for c in MESSAGE_COLUMNS)).fetchall():
                    stored.add(m["key"])
            failed = [(m["key"], i, *(_column(d.get(c)) for c in FAILED_COLUMNS[2:]))
                      for m in messages if m["key"] in stored for i, d in enumerate(m.get("failed", ()))]
            if failed:
                db.executemany(insert_sql("failed_recipients", FAILED_COLUMNS, ignore_conflicts=True), failed)
            if state is not None:
                db.execute(upsert_sql("mailbox_state", FOLDER_COLUMNS, key=("mailbox", "folder")),
                           (mailbox, state.folder, state.uidvalidity, state.last_uid, state.highestmodseq, now))
        return stored

    def messages(self, token: str | None = None, unmatched: bool = False, limit: int = 200) -> list[dict[str, Any]]:
        sql, args = "SELECT * FROM messages WHERE 1=1", []
        if token:
            sql += " AND matched_token=?"
            args.append(token)
        if unmatched:
            sql += " AND matched_token IS NULL"
        rows = self.query(sql + " ORDER BY received_at DESC LIMIT ?", *args, limit)
        return [{**dict(r), "classification": json.loads(r["classification"])} for r in rows]

    def failed_recipients(self, message_key: str | None = None) -> list[dict[str, Any]]:
        """Every failed recipient of the swept bounces (of one message), in the order the bounces name them."""
        sql, args = "SELECT * FROM failed_recipients", []
        if message_key:
            sql, args = sql + " WHERE message_key=?", [message_key]
        return [{**dict(r), "hard": bool(r["hard"])}
                for r in self.query(sql + " ORDER BY message_key, position", *args)]

    @retry_conflicts
    def begin_sweep(self, sweep_id: str, started_at: str) -> None:
        with self.tx() as db:
            db.execute("INSERT INTO sweeps(id, started_at) VALUES (?, ?)", (sweep_id, started_at))

    @retry_conflicts
    def finish_sweep(self, sweep_id: str, finished_at: str, ok: bool, error: str | None, new: int) -> None:
        with self.tx() as db:
            db.execute("UPDATE sweeps SET finished_at=?, ok=?, error=?, new_messages=? WHERE id=?",
                       (finished_at, int(ok), error, new, sweep_id))

    def last_sweep(self) -> dict[str, Any] | None:
        rows = self.query("SELECT * FROM sweeps ORDER BY started_at DESC LIMIT 1")
        return dict(rows[0]) if rows else None


def _column(value: Any) -> Any:
    """Booleans as 0/1: the INTEGER columns PostgreSQL declares take no Python bool (SQLite does not mind)."""
    return int(value) if isinstance(value, bool) else value
