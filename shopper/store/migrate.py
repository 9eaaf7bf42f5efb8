"""Versioned schema migrations: migrations/NNNN_name.sql, applied in order, each once.

One file per version, in SQL that SQLite and PostgreSQL share. Where they cannot share (identity columns,
64-bit integers, byte-order text comparison), `NNNN_name.postgresql.sql` replaces that version's file on
PostgreSQL and must leave the same tables and columns.
"""
from __future__ import annotations

import re
from importlib import resources
from typing import Any

from .dialect import DIALECTS, SQLITE

SCHEMA_VERSION_TABLE = ("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, name TEXT, "
                        "applied_at TEXT DEFAULT CURRENT_TIMESTAMP)")
_FILE = re.compile(r"(\d{4})_(\w+)(?:\.(\w+))?\.sql")


def migrations(dialect: str = SQLITE) -> list[tuple[int, str, str]]:
    """(version, name, sql) sorted by version, each with the `dialect`'s own file where there is one."""
    common: dict[int, tuple[str, str]] = {}
    own: dict[int, tuple[str, str]] = {}
    for entry in resources.files(__package__).joinpath("migrations").iterdir():
        m = _FILE.fullmatch(entry.name)
        if not m:
            continue
        version, name, flavour = int(m.group(1)), m.group(2), m.group(3)
        if flavour is not None and flavour not in DIALECTS:
            raise ValueError(f"migrations/{entry.name}: unknown dialect {flavour!r} (known: {', '.join(DIALECTS)})")
        if flavour in (None, dialect):
            (common if flavour is None else own)[version] = (name, entry.read_text(encoding="utf-8"))
    for version, (name, _) in own.items():
        if common.get(version, ("",))[0] != name:
            raise ValueError(f"migrations: {version:04d}_{name}.{dialect}.sql overrides no {version:04d}_{name}.sql")
    return sorted((version, name, own.get(version, (name, text))[1]) for version, (name, text) in common.items())


def split_statements(sql: str) -> list[str]:
    body = "\n".join(line for line in sql.splitlines() if not line.strip().startswith("--"))
    return [s.strip() for s in body.split(";") if s.strip()]


def apply_migrations(db: Any, dialect: str) -> list[int]:
    """Apply, inside the caller's transaction `db`, the versions not yet in schema_version; returns them."""
    db.execute(SCHEMA_VERSION_TABLE, ())
    done = {r[0] for r in db.execute("SELECT version FROM schema_version", ()).fetchall()}
    applied = []
    for version, name, sql in migrations(dialect):
        if version in done:
            continue
        for stmt in split_statements(sql):
            db.execute(stmt, ())
        db.execute("INSERT INTO schema_version(version, name) VALUES (?, ?)", (version, name))
        applied.append(version)
    return applied
