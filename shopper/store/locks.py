"""One scheduler per PostgreSQL store: a session advisory lock in the store's database, held while it runs.

Two schedulers with different var dirs (or on different machines) but the same database: the second is
refused and told who holds the lock (the holder's connection names its pid, host and start time). The lock goes
with the holder's connection: a killed scheduler frees it at once.
"""
from __future__ import annotations

import os
import socket
from typing import Any

from ..errors import ShopperError

SCHEDULER_LOCK = 0x5E0_5711     # pg_advisory_lock key (beside MIGRATION_LOCK and the queue's SCHEMA_LOCK)


class PgSchedulerLock:
    """`acquire(started)` or ShopperError naming the holder; `release()`. Same interface as SchedulerLock."""

    def __init__(self, store_url: str):
        self.store_url = store_url
        self._conn: Any = None

    def acquire(self, started: str) -> None:
        import psycopg

        from .postgres import describe_url

        params, where = describe_url(self.store_url)
        holder = f"scheduler pid {os.getpid()}@{socket.gethostname()[:16]} since {started[:16]}"
        conn = psycopg.connect(**params, autocommit=True, application_name=holder[:63])   # NAMEDATALEN - 1
        try:
            (got,) = conn.execute("SELECT pg_try_advisory_lock(%s)", (SCHEDULER_LOCK,)).fetchone()
            if not got:
                raise ShopperError(f"a scheduler is already running for this store ({self._holder(conn)}, store "
                                   f"{where}); stop it first (one scheduler per store), or use another store")
        except BaseException:
            conn.close()
            raise
        self._conn = conn

    @staticmethod
    def _holder(conn: Any) -> str:
        """Who holds the lock, as its connection says (`scheduler pid N@host since T`), or 'another process'."""
        row = conn.execute(
            "SELECT a.application_name FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
            "WHERE l.locktype = 'advisory' AND l.granted AND l.classid = 0 AND l.objid = %s AND l.objsubid = 1 "
            "AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())",
            (SCHEDULER_LOCK,)).fetchone()
        return row[0] if row and row[0] else "another process"

    def release(self) -> None:
        if self._conn is not None:
            try:
                if not self._conn.closed:
                    self._conn.execute("SELECT pg_advisory_unlock(%s)", (SCHEDULER_LOCK,))
            finally:
                self._conn.close()
                self._conn = None
