"""One scheduler per PostgreSQL store: a session advisory lock in the store's database, held while it runs.

Two schedulers with different var dirs (or on different machines) but the same database: the second is
refused and told who holds the lock (the holder's connection names its pid, host and start time). The lock goes
with the holder's connection: a killed scheduler frees it at once.
"""
from __future__ import annotations

import os
import socket
import threading
from typing import Any

from ..errors import ShopperError

SCHEDULER_LOCK = 0x5E0_5711     # pg_advisory_lock key (beside MIGRATION_LOCK and the queue's SCHEMA_LOCK)


_HELD: dict[str, list[Any]] = {}   # store URL -> [connection, holders in this process]
_HELD_LOCK = threading.Lock()


class PgSchedulerLock:
    """`acquire(started)` or ShopperError naming the holder; `release()`. Same interface as SchedulerLock.

    Within one process the lock is shared: a caller that takes it around `enqueue_on_schedule` (which takes
    it too) does not lock itself out; the lock goes when the last holder releases it."""

    def __init__(self, store_url: str):
        self.store_url = store_url
        self._held = False

    def acquire(self, started: str) -> None:
        with _HELD_LOCK:
            if self._held:
                return
            if self.store_url in _HELD:
                _HELD[self.store_url][1] += 1
            else:
                _HELD[self.store_url] = [self._connect_and_lock(started), 1]
            self._held = True

    def _connect_and_lock(self, started: str) -> Any:
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
        return conn

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
        with _HELD_LOCK:
            if not self._held:
                return
            self._held = False
            held = _HELD[self.store_url]
            held[1] -= 1
            if held[1]:
                return
            del _HELD[self.store_url]
            conn = held[0]
        try:
            if not conn.closed:
                conn.execute("SELECT pg_advisory_unlock(%s)", (SCHEDULER_LOCK,))
        finally:
            conn.close()
