"""The store: runs, findings, mail and alerts behind one small interface, in SQLite (default) or PostgreSQL."""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Union

from .sqlite import SqliteStore

if TYPE_CHECKING:
    from .postgres import PostgresStore

Store = Union[SqliteStore, "PostgresStore"]
POSTGRES_SCHEMES = ("postgresql://", "postgres://")


def open_store(url: str) -> Store:
    """`path/to/shopper.db` or `sqlite:///path` → SQLite; `postgresql://user:pw@host:port/db` → PostgreSQL.

    Either is created (SQLite file) or brought up to date (migrations) on first use.
    """
    if url.startswith(POSTGRES_SCHEMES):
        try:
            from .postgres import PostgresStore   # psycopg is only needed by those who use it
        except ModuleNotFoundError as e:
            from ..errors import ConfigError
            raise ConfigError(f"a PostgreSQL store needs {e.name}, which is not installed: "
                              f"pip install 'mystery-shopper[postgres]' (or use a SQLite store)") from None
        return PostgresStore(url)
    if url.startswith("sqlite:///"):
        url = url[len("sqlite:///"):]
        url, _, query = url.partition("?")
        timeout = _sqlite_timeout(query)
        if timeout is not None:
            return SqliteStore(url, timeout=timeout)
    elif "://" in url:
        from ..errors import ConfigError
        raise ConfigError(f"store {url.split('://')[0]}://...: not a store URL; expected a SQLite file path "
                          f"(var/shopper.db or sqlite:///path/shopper.db) or postgresql://user:password@host:port/"
                          f"database (set store: in config.yaml or SHOPPER_STORE)")
    return SqliteStore(url)


def sqlite_path(url: str) -> Path | None:
    """The SQLite file a store URL names (None for PostgreSQL): `var/shopper.db`, `sqlite:///path?timeout=5`."""
    if url.startswith(POSTGRES_SCHEMES):
        return None
    if url.startswith("sqlite:///"):
        url = url[len("sqlite:///"):].partition("?")[0]
    return Path(url)


def open_existing_store(url: str) -> Store | None:
    """For commands that only read: the store if it exists (None for a SQLite file that does not), never
    created: `status --var-dir /etc` must not write /etc/shopper.db."""
    path = sqlite_path(url)
    if path is not None and "://" not in url and not path.is_file():
        return None
    return open_store(url)


def _sqlite_timeout(query: str) -> float | None:
    """`sqlite:///path?timeout=5`: seconds a writer waits for another process (default 30)."""
    from urllib.parse import parse_qs

    from ..errors import ConfigError

    values = parse_qs(query).get("timeout")
    if not values:
        return None
    try:
        return float(values[-1])
    except ValueError:
        raise ConfigError(f"store ...?timeout={values[-1]}: expected seconds, e.g. sqlite:///var/shopper.db?timeout=5") from None
