"""Secrets come from the environment and never leave as text: str() is '***', redact() scrubs values."""
from __future__ import annotations

import os
import threading


class Secret:
    """A value read from an environment variable. `str(s)` and `repr(s)` never show it; `s.reveal()` does."""

    __slots__ = ("name", "_value")

    def __init__(self, name: str, value: str):
        self.name = name
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __str__(self) -> str:
        return "***"

    def __repr__(self) -> str:
        return f"Secret({self.name!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other.name == self.name and other._value == self._value

    def __hash__(self) -> int:
        return hash(("Secret", self.name))


class Redactor:
    """Remembers every secret value handed out and scrubs them from any text that leaves the process."""

    MASK = "***"

    def __init__(self) -> None:
        self._values: set[str] = set()
        self._lock = threading.Lock()

    def add(self, value: str) -> None:
        if value and len(value) >= 3:  # masking 1-2 chars would shred ordinary text
            with self._lock:
                self._values.add(value)

    def secret(self, env_name: str, environ: dict[str, str] | None = None) -> Secret:
        """Read a secret from the environment; KeyError when it is not set."""
        value = (environ if environ is not None else os.environ)[env_name]
        self.add(value)
        return Secret(env_name, value)

    @property
    def values(self) -> frozenset[str]:
        with self._lock:
            return frozenset(self._values)

    def redact(self, text: str) -> str:
        if not text:
            return text
        for v in sorted(self.values, key=len, reverse=True):
            if v in text:
                text = text.replace(v, self.MASK)
        return text

    def contains_secret(self, data: bytes) -> bool:
        return any(v.encode() in data for v in self.values)
