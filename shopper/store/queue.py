"""The store's half of the job queue: which journeys of a queued run are waiting, running, done or interrupted."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .dialect import insert_sql, retry_conflicts

FINAL_STATES = ("done", "interrupted")


@dataclass(frozen=True)
class Claim:
    """What a worker may do with a queued journey: `run` it, or nothing (`done` already, or now `interrupted`)."""

    action: str                 # run | done | interrupted
    attempt: int = 0
    wrote_step: int | None = None
    wrote_kind: str | None = None


class QueueStoreMixin:
    """Over a store's `tx()` and `query()`; every method one transaction, safe to run again after a lost race."""

    @retry_conflicts
    def queue_journeys(self, run_id: str, names: list[str], at: str) -> None:
        with self.tx() as db:
            db.executemany(insert_sql("queued_journeys", ("run_id", "journey", "state", "updated_at")),
                           [(run_id, n, "queued", at) for n in names])

    @retry_conflicts
    def claim_journey(self, run_id: str, name: str, worker: str, at: str) -> Claim:
        """Start an attempt. A journey found 'running' lost its worker: it runs again, unless that worker had
        started a step that may write to the company — then the caller stores it as interrupted, never runs it."""
        with self.tx() as db:
            rows = db.execute("SELECT state, attempts, wrote_step, wrote_kind FROM queued_journeys "
                              "WHERE run_id=? AND journey=?", (run_id, name)).fetchall()
            if not rows:
                raise KeyError(f"journey {name!r} is not queued in run {run_id}")
            state, attempts, wrote_step, wrote_kind = rows[0]
            if state in FINAL_STATES:
                return Claim("done", attempts)
            if state == "running" and wrote_step is not None:   # stored as interrupted by the caller
                return Claim("interrupted", attempts, wrote_step, wrote_kind)
            db.execute("UPDATE queued_journeys SET state='running', attempts=attempts+1, worker=?, updated_at=? "
                       "WHERE run_id=? AND journey=?", (worker, at, run_id, name))
            return Claim("run", attempts + 1)

    @retry_conflicts
    def mark_may_write(self, run_id: str, name: str, step: int, kind: str, at: str) -> None:
        """Before a step that may write to the company (send mail, submit a form): a lost worker is not retried."""
        with self.tx() as db:
            db.execute("UPDATE queued_journeys SET wrote_step=?, wrote_kind=?, updated_at=? "
                       "WHERE run_id=? AND journey=? AND wrote_step IS NULL", (step, kind, at, run_id, name))

    @retry_conflicts
    def finish_queued_journey(self, run_id: str, name: str, state: str, at: str) -> int:
        """Mark the journey done or interrupted; returns how many journeys of the run are still to finish."""
        with self.tx() as db:
            db.execute("UPDATE queued_journeys SET state=?, updated_at=? WHERE run_id=? AND journey=?",
                       (state, at, run_id, name))
            return db.execute("SELECT COUNT(*) FROM queued_journeys WHERE run_id=? AND state NOT IN (?, ?)",
                              (run_id, *FINAL_STATES)).fetchall()[0][0]

    def queued_journeys(self, run_id: str) -> list[dict[str, Any]]:
        return [dict(r) for r in self.query("SELECT * FROM queued_journeys WHERE run_id=? ORDER BY journey", run_id)]
