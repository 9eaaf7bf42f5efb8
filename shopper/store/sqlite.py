"""SQLite store (WAL), and the runs half every store shares: runs with their journeys, steps, observations, findings."""
from __future__ import annotations

import errno
import json
import os
import shutil
import sqlite3
import threading
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator, Self

from ..errors import ConfigError, StoreError
from .alerts import AlertStoreMixin
from .codec import to_json as _j
from .dialect import SQLITE, insert_sql, retry_conflicts, upsert_sql
from .mail import MailStoreMixin
from .migrate import apply_migrations
from .queue import QueueStoreMixin

JOURNEY_COLUMNS = ("run_id", "name", "path", "site", "tags", "status", "started_at", "duration_ms", "error",
                   "evidence", "blocked", "reason")
STEP_COLUMNS = ("run_id", "journey", "idx", "kind", "label", "status", "started_at", "duration_ms", "detail",
                "error", "evidence", "url", "title", "line")
FINDING_COLUMNS = ("run_id", "fingerprint", "kind", "severity", "journey", "step", "title", "detail", "subject",
                   "reason", "evidence", "data")
OBSERVATION_INSERT = insert_sql("observations", ("run_id", "journey", "step", "kind", "at", "data", "evidence"))


@dataclass(frozen=True)
class RunRow:
    id: str
    started_at: str
    finished_at: str | None
    status: str
    kind: str
    summary: dict[str, Any]


class RunStoreMixin:
    """Runs, journeys, steps, observations and findings, over a store's `tx()` and `query()`."""

    def __enter__(self) -> Self:
        """`with open_store(url) as store:` closes it however the block ends."""
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- writing ----------------------------------------------------------------------------------
    @retry_conflicts
    def begin_run(self, run_id: str, started_at: str, kind: str = "run", owner: dict[str, Any] | None = None) -> None:
        """A run in state 'running'; `owner` (host, pid) lets a later run tell that its process died."""
        with self.tx() as db:
            db.execute("INSERT INTO runs(id, started_at, status, kind, summary) VALUES (?, ?, 'running', ?, ?)",
                       (run_id, started_at, kind, _j({"owner": owner} if owner else {})))

    @retry_conflicts
    def mark_interrupted(self, run_id: str, finished_at: str, summary: dict[str, Any]) -> bool:
        """A run still 'running' becomes 'interrupted' (True); False when it finished (or was marked) meanwhile."""
        with self.tx() as db:
            rows = db.execute("UPDATE runs SET status='interrupted', finished_at=?, summary=? WHERE id=? AND "
                              "status='running' RETURNING id", (finished_at, _j(summary), run_id)).fetchall()
        return bool(rows)

    def unfinished_runs(self) -> list[RunRow]:
        return [RunRow(r["id"], r["started_at"], r["finished_at"], r["status"], r["kind"], json.loads(r["summary"]))
                for r in self.query("SELECT * FROM runs WHERE status='running' ORDER BY started_at, id")]

    def journeys_started(self, run_id: str) -> list[str]:
        """Journeys a run gave a token to (it does so before each starts), in order, whether or not they ended."""
        return list(dict.fromkeys(r[0] for r in self.query(
            "SELECT journey FROM journey_tokens WHERE run_id=? ORDER BY created_at", run_id)))

    @retry_conflicts
    def finish_run(self, run_id: str, finished_at: str, status: str, summary: dict[str, Any]) -> None:
        with self.tx() as db:
            db.execute("UPDATE runs SET finished_at=?, status=?, summary=? WHERE id=?",
                       (finished_at, status, _j(summary), run_id))

    @retry_conflicts
    def save_journey(self, run_id: str, j: Any) -> None:
        """Store one JourneyResult with its steps and observations (one transaction)."""
        with self.tx() as db:
            db.execute(upsert_sql("journey_runs", JOURNEY_COLUMNS, key=("run_id", "name")),
                       (run_id, j.name, j.path, j.site, _j(j.tags), j.status, j.started_at, j.duration_ms,
                        j.error, _j(j.evidence), _j(j.blocked_requests), getattr(j, "reason", None)))
            db.executemany(upsert_sql("steps", STEP_COLUMNS, key=("run_id", "journey", "idx")),
                           [(run_id, j.name, s.index, s.kind, s.label, s.status, s.started_at, s.duration_ms,
                             s.detail, s.error, _j(s.evidence), s.url, s.title, s.line) for s in j.steps])
            db.executemany(OBSERVATION_INSERT,
                           [(run_id, o.journey, o.step, o.kind, o.at, _j(o.data), _j(list(o.evidence)))
                            for o in j.observations])

    @retry_conflicts
    def save_statuses(self, run_id: str, j: Any) -> None:
        """A journey's settled status and its steps' (known once the run's checks ran)."""
        with self.tx() as db:
            db.execute("UPDATE journey_runs SET status=? WHERE run_id=? AND name=?", (j.status, run_id, j.name))
            db.executemany("UPDATE steps SET status=? WHERE run_id=? AND journey=? AND idx=?",
                           [(s.status, run_id, j.name, s.index) for s in j.steps])

    @retry_conflicts
    def save_observations(self, run_id: str, observations: list[Any]) -> None:
        with self.tx() as db:
            db.executemany(OBSERVATION_INSERT,
                           [(run_id, o.journey, o.step, o.kind, o.at, _j(o.data), _j(list(o.evidence)))
                            for o in observations])

    @retry_conflicts
    def save_invalid(self, run_id: str, path: str, problems: list[str]) -> None:
        with self.tx() as db:
            db.execute(insert_sql("invalid_journeys", ("run_id", "path", "problems")), (run_id, path, _j(problems)))

    @retry_conflicts
    def save_findings(self, run_id: str, findings: list[Any]) -> None:
        with self.tx() as db:
            db.executemany(upsert_sql("findings", FINDING_COLUMNS, key=("run_id", "fingerprint")),
                           [(run_id, f.fingerprint, f.kind, f.severity, f.journey, f.step, f.title, f.detail,
                             f.subject, f.reason, _j(list(f.evidence)), _j(f.data)) for f in findings])

    # -- reading ------------------------------------------------------------------------------
    def runs(self, limit: int = 50, kind: str | None = "run") -> list[RunRow]:
        sql = "SELECT * FROM runs" + (" WHERE kind=?" if kind else "") + " ORDER BY started_at DESC, id DESC LIMIT ?"
        rows = self.query(sql, *((kind,) if kind else ()), limit)
        return [RunRow(r["id"], r["started_at"], r["finished_at"], r["status"], r["kind"], json.loads(r["summary"]))
                for r in rows]

    def run(self, run_id: str) -> RunRow | None:
        rows = self.query("SELECT * FROM runs WHERE id=?", run_id)
        if not rows:
            return None
        r = rows[0]
        return RunRow(r["id"], r["started_at"], r["finished_at"], r["status"], r["kind"], json.loads(r["summary"]))

    def last_run(self) -> RunRow | None:
        runs = self.runs(limit=1)
        return runs[0] if runs else None

    def previous_run(self, run_id: str, look_back: int = 200) -> RunRow | None:
        """The latest earlier run of the same journeys, the one a score change compares with: a run of
        browse_shop alone is no baseline for a run of all six. A run that stored no journeys takes the latest."""
        cur = self.run(run_id)
        if cur is None:
            return None
        rows = self.query("SELECT id FROM runs WHERE kind='run' AND (started_at < ? OR (started_at = ? AND id < ?)) "
                          f"ORDER BY started_at DESC, id DESC LIMIT {int(look_back)}", cur.started_at,
                          cur.started_at, cur.id)
        names = self._journey_names(cur.id)
        for r in rows:
            if not names or self._journey_names(r["id"]) == names:
                return self.run(r["id"])
        return None

    def _journey_names(self, run_id: str) -> frozenset[str]:
        return frozenset(r[0] for r in self.query("SELECT name FROM journey_runs WHERE run_id=?", run_id))

    def runs_up_to(self, run_id: str, limit: int, *, inclusive: bool = True) -> list[dict[str, Any]]:
        """Up to `limit` runs of kind 'run' ending with `run_id` (or just before it), newest first: id,
        started_at and the summary as a dict (one indexed query)."""
        cur = self.run(run_id)
        if cur is None:
            return []
        # the run itself whatever its kind: a trial's report shows the record it is kept out of
        rows = self.query("SELECT id, started_at, summary FROM runs WHERE (kind='run' OR id=?) AND "
                          f"(started_at < ? OR (started_at = ? AND id {'<=' if inclusive else '<'} ?)) "
                          "ORDER BY started_at DESC, id DESC LIMIT ?", cur.id if inclusive else "",
                          cur.started_at, cur.started_at, cur.id, limit)
        return [{"id": r["id"], "started_at": r["started_at"],
                 "summary": (json.loads(r["summary"]) if isinstance(r["summary"], str) else r["summary"]) or {}}
                for r in rows]

    def fingerprints_by_run(self, run_ids: list[str]) -> dict[str, set[str]]:
        out: dict[str, set[str]] = {r: set() for r in run_ids}
        if run_ids:
            marks = ",".join("?" * len(run_ids))
            for r in self.query(f"SELECT run_id, fingerprint FROM findings WHERE run_id IN ({marks})", *run_ids):
                out[r["run_id"]].add(r["fingerprint"])
        return out

    def journey_statuses_by_run(self, run_ids: list[str]) -> dict[str, dict[str, str]]:
        """{run id: {journey name: status}} for the journeys each run ran."""
        out: dict[str, dict[str, str]] = {r: {} for r in run_ids}
        if run_ids:
            marks = ",".join("?" * len(run_ids))
            for r in self.query(f"SELECT run_id, name, status FROM journey_runs WHERE run_id IN ({marks})", *run_ids):
                out[r["run_id"]][r["name"]] = r["status"]
        return out

    def find_fingerprints(self, prefix: str, run_id: str | None = None) -> list[tuple[str, str]]:
        """(run id, fingerprint) of findings whose fingerprint starts with `prefix`, newest run first."""
        sql = "SELECT f.run_id, f.fingerprint FROM findings f JOIN runs r ON r.id = f.run_id WHERE f.fingerprint LIKE ?"
        args: list[Any] = [prefix.replace("%", "").replace("_", "") + "%"]
        if run_id:
            sql += " AND f.run_id = ?"
            args.append(run_id)
        return [(r["run_id"], r["fingerprint"]) for r in self.query(sql + " ORDER BY r.started_at DESC, r.id DESC",
                                                                    *args)]

    def count_runs(self) -> int:
        return int(self.query("SELECT COUNT(*) AS n FROM runs")[0]["n"])

    def journeys(self, run_id: str) -> list[dict[str, Any]]:
        out = []
        for r in self.query("SELECT * FROM journey_runs WHERE run_id=? ORDER BY started_at, name", run_id):
            d = dict(r)
            for k in ("tags", "evidence", "blocked"):
                d[k] = json.loads(d[k])
            d["steps"] = [{**dict(s), "evidence": json.loads(s["evidence"])}
                          for s in self.query("SELECT * FROM steps WHERE run_id=? AND journey=? ORDER BY idx",
                                              run_id, r["name"])]
            out.append(d)
        return out

    def observations(self, run_id: str, kind: str | None = None) -> list[dict[str, Any]]:
        sql = "SELECT * FROM observations WHERE run_id=?" + (" AND kind=?" if kind else "") + " ORDER BY id"
        return [{**dict(r), "data": json.loads(r["data"]), "evidence": json.loads(r["evidence"])}
                for r in self.query(sql, run_id, *((kind,) if kind else ()))]

    def findings(self, run_id: str) -> list[dict[str, Any]]:
        order = "CASE severity WHEN 'critical' THEN 0 WHEN 'major' THEN 1 WHEN 'minor' THEN 2 ELSE 3 END"
        return [{**dict(r), "evidence": json.loads(r["evidence"]), "data": json.loads(r["data"])}
                for r in self.query(f"SELECT * FROM findings WHERE run_id=? ORDER BY {order}, journey, kind, title",
                                    run_id)]

    def invalid(self, run_id: str) -> list[dict[str, Any]]:
        return [{"path": r["path"], "problems": json.loads(r["problems"])}
                for r in self.query("SELECT * FROM invalid_journeys WHERE run_id=?", run_id)]


class SqliteStore(RunStoreMixin, MailStoreMixin, AlertStoreMixin, QueueStoreMixin):
    """The default store: one SQLite file; writers take turns (BEGIN IMMEDIATE, 30 s busy timeout)."""

    dialect = SQLITE

    def __init__(self, path: str | Path, timeout: float = 30.0):
        """`timeout`: how long a writer waits for another process's transaction before giving up (seconds)."""
        self.path = Path(path)
        self.timeout = timeout
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as e:
            raise self._explain(e) from None
        try:
            self._db = sqlite3.connect(str(self.path), timeout=timeout, check_same_thread=False,
                                       isolation_level=None)
        except sqlite3.Error as e:
            raise ConfigError(f"cannot open the store {self.path}: {e} (check store: in config.yaml)") from e
        self._db.row_factory = sqlite3.Row
        self._lock = threading.RLock()
        try:
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute(f"PRAGMA busy_timeout={int(timeout * 1000)}")
            self._db.execute("PRAGMA synchronous=NORMAL")   # WAL: safe from corruption, fsync at checkpoints
            self._db.execute("PRAGMA foreign_keys=ON")
        except sqlite3.OperationalError as e:
            self._db.close()
            raise self._explain(e) from None
        self.migrate()

    def _explain(self, e: Exception) -> StoreError:
        """The store failing for a reason outside it (read-only, locked, full), with what to do about it."""
        where, text = self.path.parent, str(e)
        elsewhere = "or point store: (config.yaml) / SHOPPER_STORE at another place"
        try:
            read_only = bool(os.statvfs(where).f_flag & os.ST_RDONLY) or not os.access(where, os.W_OK)
            full = shutil.disk_usage(where).free < 64 * 1024
        except OSError:
            read_only = full = False
        if "locked" in text or "busy" in text:
            return StoreError(f"the store {self.path} is locked by another process (waited {self.timeout:g} s): "
                              f"let the other run, sweep or scheduler finish, {elsewhere}")
        if read_only or "readonly" in text:
            return StoreError(f"the store {self.path} cannot be written ({text}): {where} is read-only; make it "
                              f"writable (permissions, mount options) {elsewhere}")
        if full or "full" in text or getattr(e, "errno", None) == errno.ENOSPC:
            return StoreError(f"no space left for the store {self.path} ({text}): free space on the filesystem "
                              f"of {where} (see `df {where}`) {elsewhere}")
        return StoreError(f"the store {self.path} failed: {text}: check the file and its directory {where}")

    # -- plumbing -----------------------------------------------------------------------------
    @contextmanager
    def tx(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            try:
                self._db.execute("BEGIN IMMEDIATE")
            except sqlite3.OperationalError as e:
                raise self._explain(e) from None
            try:
                yield self._db
                self._db.execute("COMMIT")
            except sqlite3.OperationalError as e:   # nothing of the transaction is kept
                if self._db.in_transaction:
                    self._db.execute("ROLLBACK")
                raise self._explain(e) from None
            except BaseException:
                if self._db.in_transaction:
                    self._db.execute("ROLLBACK")
                raise

    def query(self, sql: str, *args: Any) -> list[sqlite3.Row]:
        with self._lock:
            try:
                return self._db.execute(sql, args).fetchall()
            except sqlite3.OperationalError as e:
                if "no such" in str(e) or "syntax" in str(e):
                    raise   # our own SQL is wrong: a bug, not the user's to fix
                raise self._explain(e) from None

    def migrate(self) -> int:
        with self.tx() as db:
            apply_migrations(db, SQLITE)
        return self.schema_version

    @property
    def schema_version(self) -> int:
        return self.query("SELECT COALESCE(MAX(version), 0) FROM schema_version")[0][0]

    def close(self) -> None:
        with self._lock:
            self._db.close()
