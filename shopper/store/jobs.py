"""The job queue's own SQL on the store's PostgreSQL database: procrastinate's schema and the queue's depth."""
from __future__ import annotations

from typing import Any, Iterable

SCHEMA_LOCK = 0x5E0_5710        # pg_advisory_lock key: one process installs the queue's schema


def install_queue_schema(store_url: str) -> None:
    """Install procrastinate's tables once per database (they sit beside the store's, prefixed procrastinate_)."""
    import psycopg
    from procrastinate.schema import SchemaManager

    with psycopg.connect(store_url, autocommit=True) as conn:
        conn.execute("SELECT pg_advisory_lock(%s)", (SCHEMA_LOCK,))
        try:
            installed = conn.execute("SELECT to_regclass('procrastinate_jobs')").fetchone()[0]
            if installed is None:
                conn.execute(SchemaManager.get_schema())   # type: ignore[arg-type]
        finally:
            conn.execute("SELECT pg_advisory_unlock(%s)", (SCHEMA_LOCK,))


async def unfinished_jobs(connector: Any, queues: Iterable[str]) -> int:
    """Jobs of these queues still waiting or running (through procrastinate's connector)."""
    row = await connector.execute_query_one_async(
        "SELECT COUNT(*) AS n FROM procrastinate_jobs WHERE status IN ('todo', 'doing') "
        "AND queue_name = ANY(%(queues)s)", queues=list(queues))
    return int(row["n"])
