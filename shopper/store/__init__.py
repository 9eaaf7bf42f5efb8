"""The store: runs, findings and (later) expectations, behind one small interface. SQLite by default."""
from __future__ import annotations

from .sqlite import SqliteStore

Store = SqliteStore


def open_store(url: str) -> SqliteStore:
    """`path/to/shopper.db` or `sqlite:///path` → SQLite (created and migrated on first use)."""
    if url.startswith("sqlite:///"):
        url = url[len("sqlite:///"):]
    elif "://" in url:
        from ..errors import ConfigError
        raise ConfigError(f"store {url!r}: only SQLite paths are supported in this version "
                          f"(set store: var/shopper.db in config.yaml)")
    return SqliteStore(url)
