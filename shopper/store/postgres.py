"""PostgreSQL store: the same tables, migrations and methods as SQLite, for several processes writing at once."""
from __future__ import annotations

import re
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import psycopg
from psycopg import errors as pg_errors
from psycopg.conninfo import conninfo_to_dict
from psycopg.pq import TransactionStatus

from ..errors import ConfigError
from .alerts import AlertStoreMixin
from .dialect import POSTGRESQL, TransactionConflict, pyformat
from .mail import MailStoreMixin
from .migrate import apply_migrations
from .queue import QueueStoreMixin
from .sqlite import RunStoreMixin

EXPECTED_URL = "postgresql://user:password@host:port/database"
MIGRATION_LOCK = 0x5E0_5709   # pg_advisory_lock key: one migrating process per database at a time
CONNECT_TIMEOUT_S = 10
_CONFLICTS = (pg_errors.SerializationFailure, pg_errors.DeadlockDetected)


class Row(Sequence[Any]):
    """A result row addressable by index and by column name, like sqlite3.Row (`dict(row)` works too)."""

    __slots__ = ("_values", "_index")

    def __init__(self, values: Sequence[Any], index: dict[str, int]):
        self._values = tuple(values)
        self._index = index

    def __getitem__(self, key: Any) -> Any:
        return self._values[self._index[key]] if isinstance(key, str) else self._values[key]

    def __len__(self) -> int:
        return len(self._values)

    def keys(self) -> list[str]:
        return list(self._index)

    def __repr__(self) -> str:
        return f"Row({dict(zip(self._index, self._values))!r})"


def _rows(cursor: psycopg.Cursor[Any]) -> Any:
    """psycopg row factory making `Row`s."""
    index = {d.name: i for i, d in enumerate(cursor.description or ())}
    return lambda values: Row(values, index)


class PgConnection:
    """The slice of sqlite3.Connection the store's SQL uses (`execute`, `executemany`), with `?` placeholders."""

    def __init__(self, conn: psycopg.Connection[Any]):
        self._conn = conn

    def execute(self, sql: str, params: Sequence[Any] = ()) -> psycopg.Cursor[Any]:
        return self._conn.execute(pyformat(sql), tuple(params))

    def executemany(self, sql: str, seq: Sequence[Sequence[Any]]) -> psycopg.Cursor[Any]:
        cur = self._conn.cursor()
        rows = [tuple(p) for p in seq]
        if rows:
            cur.executemany(pyformat(sql), rows)
        return cur


def hide_password(text: str) -> str:
    """`scheme://user:secret@host` → `scheme://user:***@host` wherever a URL appears in `text` (libpq quotes it)."""
    return re.sub(r"(://[^:@/\s\"]*:)[^@\s\"]*@", r"\1***@", text)


def describe_url(url: str) -> tuple[dict[str, str], str]:
    """(connection parameters, `user@host:port/database` with no password) of a store URL; ConfigError if bad."""
    try:
        params = conninfo_to_dict(url)
    except psycopg.ProgrammingError as e:
        raise ConfigError(f"store: not a PostgreSQL URL ({hide_password(str(e).strip())}); expected {EXPECTED_URL} "
                          f"(set store: in config.yaml or SHOPPER_STORE)") from None
    if not params.get("dbname"):
        raise ConfigError(f"store: the PostgreSQL URL names no database; expected {EXPECTED_URL} "
                          f"(set store: in config.yaml or SHOPPER_STORE)")
    host = params.get("host") or params.get("hostaddr") or "localhost"
    where = f"{params.get('user', '(default user)')}@{host}:{params.get('port') or 5432}/{params['dbname']}"
    return params, where


class PostgresStore(RunStoreMixin, MailStoreMixin, AlertStoreMixin, QueueStoreMixin):
    """One connection per store object; every write a SERIALIZABLE transaction, retried when it loses a race."""

    dialect = POSTGRESQL

    def __init__(self, url: str):
        params, self.where = describe_url(url)
        self.url = url
        params.setdefault("connect_timeout", str(CONNECT_TIMEOUT_S))
        params.setdefault("application_name", "mystery-shopper")
        try:
            self._conn: psycopg.Connection[Any] = psycopg.connect(**params, autocommit=True, row_factory=_rows)
        except psycopg.OperationalError as e:
            reason = hide_password(str(e).strip().splitlines()[-1]) if str(e).strip() else type(e).__name__
            raise ConfigError(f"cannot connect to the PostgreSQL store {self.where}: {reason} "
                              f"(is the server running and reachable? check store: in config.yaml / "
                              f"SHOPPER_STORE)") from None
        self._db = PgConnection(self._conn)
        self._lock = threading.RLock()
        self.migrate()

    # -- plumbing -----------------------------------------------------------------------------
    @contextmanager
    def tx(self) -> Iterator[PgConnection]:
        """One SERIALIZABLE transaction; a lost race is rolled back and raised as TransactionConflict."""
        with self._lock:
            self._conn.execute("BEGIN ISOLATION LEVEL SERIALIZABLE")
            try:
                yield self._db
                self._conn.execute("COMMIT")
            except _CONFLICTS as e:
                self._rollback()
                raise TransactionConflict(str(e).strip()) from e
            except BaseException:
                self._rollback()
                raise

    def _rollback(self) -> None:
        if not self._conn.closed and self._conn.info.transaction_status != TransactionStatus.IDLE:
            self._conn.execute("ROLLBACK")

    def query(self, sql: str, *args: Any) -> list[Row]:
        with self._lock:
            return self._db.execute(sql, args).fetchall()

    def migrate(self) -> int:
        """Apply pending migrations, one process at a time (a session advisory lock, taken before the snapshot)."""
        with self._lock:
            self._conn.execute("SELECT pg_advisory_lock(%s)", (MIGRATION_LOCK,))
            try:
                with self.tx() as db:
                    apply_migrations(db, POSTGRESQL)
            finally:
                self._conn.execute("SELECT pg_advisory_unlock(%s)", (MIGRATION_LOCK,))
        return self.schema_version

    @property
    def schema_version(self) -> int:
        return self.query("SELECT COALESCE(MAX(version), 0) FROM schema_version")[0][0]

    def close(self) -> None:
        with self._lock:
            self._conn.close()
