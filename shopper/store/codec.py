"""How values are kept in the store: JSON text and ISO 8601 instants."""
from __future__ import annotations

import json
from datetime import datetime
from typing import Any


def to_json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)


def parse_dt(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None
