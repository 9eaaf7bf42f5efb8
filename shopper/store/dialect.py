"""What the one set of store SQL needs to run on SQLite and PostgreSQL: placeholders, upserts, retried conflicts."""
from __future__ import annotations

import functools
import logging
import random
import time
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

log = logging.getLogger(__name__)

SQLITE = "sqlite"
POSTGRESQL = "postgresql"
DIALECTS = (SQLITE, POSTGRESQL)

CONFLICT_ATTEMPTS = 12
_T = TypeVar("_T")


class TransactionConflict(RuntimeError):
    """A transaction lost to a concurrent one (serialization failure, deadlock) and was rolled back: retry it."""


@functools.lru_cache(maxsize=1024)
def pyformat(sql: str) -> str:
    """`?` placeholders → `%s` for psycopg, literal `%` doubled; quoted text and identifiers are left as they are.

    >>> pyformat("SELECT '?%', x FROM t WHERE a=? AND b LIKE 'a%'")
    "SELECT '?%%', x FROM t WHERE a=%s AND b LIKE 'a%%'"
    """
    out, quote = [], ""
    for ch in sql:
        if ch == "%":
            out.append("%%")      # psycopg reads % everywhere in the query text, quoted or not
        elif quote:
            out.append(ch)
            if ch == quote:       # '' inside a literal closes and reopens it: same result
                quote = ""
        elif ch in "'\"":
            out.append(ch)
            quote = ch
        elif ch == "?":
            out.append("%s")
        else:
            out.append(ch)
    return "".join(out)


def insert_sql(table: str, columns: Sequence[str], ignore_conflicts: bool = False) -> str:
    """`INSERT INTO t(a, b) VALUES (?, ?)`, optionally `ON CONFLICT DO NOTHING` (for `INSERT OR IGNORE`)."""
    sql = f"INSERT INTO {table}({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"
    return sql + " ON CONFLICT DO NOTHING" if ignore_conflicts else sql


def upsert_sql(table: str, columns: Sequence[str], key: Sequence[str]) -> str:
    """Insert or overwrite the row with the same `key` (what `INSERT OR REPLACE` did, in SQL both speak).

    >>> upsert_sql("t", ["k", "v"], ["k"])
    'INSERT INTO t(k, v) VALUES (?, ?) ON CONFLICT(k) DO UPDATE SET v=excluded.v'
    """
    rest = [c for c in columns if c not in key]
    action = f"DO UPDATE SET {', '.join(f'{c}=excluded.{c}' for c in rest)}" if rest else "DO NOTHING"
    return f"{insert_sql(table, columns)} ON CONFLICT({', '.join(key)}) {action}"


def retry_conflicts(method: Callable[..., _T]) -> Callable[..., _T]:
    """Run a store method again when its transaction lost to a concurrent one (PostgreSQL SERIALIZABLE).

    The method must be one transaction whose effect depends only on its arguments and what it reads inside
    that transaction, so that running it again is the same as running it once, later.
    """
    @functools.wraps(method)
    def retried(*args: Any, **kwargs: Any) -> _T:
        for attempt in range(1, CONFLICT_ATTEMPTS + 1):
            try:
                return method(*args, **kwargs)
            except TransactionConflict as e:
                if attempt == CONFLICT_ATTEMPTS:
                    raise TransactionConflict(f"{method.__name__}: still conflicting with concurrent writers "
                                              f"after {attempt} attempts: {e}") from e
                log.debug("%s lost to a concurrent transaction (attempt %d): %s", method.__name__, attempt, e)
                time.sleep(random.uniform(0, min(0.2, 0.004 * 2 ** attempt)))   # back off, jittered
        raise AssertionError("unreachable")
    return retried
