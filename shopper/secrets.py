"""Secrets come from the environment and never leave as text: str() is '***', redact() scrubs values."""
from __future__ import annotations

import base64
import html
import json
import os
import re
import threading
from typing import Any
from urllib.parse import quote, quote_plus


def spellings(value: str) -> set[str]:
    """The forms a secret takes in a URL, a form body, a JSON or HTML page, a header or a script's output:
    URL- and form-encoded (percent escapes in either case), base64 and base64url (also inside a longer
    encoded text, at each of the three alignments), JSON- and HTML-escaped.

    >>> "cEBzcyB3Ky" in spellings("p@ss w+/")
    True
    """
    out = {value}
    for encoded in (quote(value, safe=""), quote(value, safe="/"), quote(value), quote_plus(value),
                    quote_plus(value, safe="/")):
        out.add(encoded)
        out.add(re.sub(r"%[0-9A-F]{2}", lambda m: m.group(0).lower(), encoded))
    raw = value.encode("utf-8")
    for prefix in range(3):
        # base64 of the secret after `prefix` other bytes and before any: the characters that depend on
        # the secret's bytes alone (character i holds bits 6i..6i+5 of the encoded bytes)
        enc = base64.b64encode(b"\0" * prefix + raw).decode()
        last = prefix + len(raw) - 1
        stable = [i for i in range(len(enc)) if 6 * i // 8 >= prefix and (6 * i + 5) // 8 <= last]
        if stable and len(stable) >= 4:
            core = enc[stable[0]:stable[-1] + 1]
            out.add(core)
            out.add(core.replace("+", "-").replace("/", "_"))
    out.add(json.dumps(value)[1:-1])
    out.add(json.dumps(value, ensure_ascii=False)[1:-1])
    out.add(json.dumps(value)[1:-1].replace("/", "\\/"))
    out.add(html.escape(value))
    out.add(html.escape(value, quote=False))
    out.add(html.escape(value).replace("&#x27;", "&#39;"))
    return {s for s in out if len(s) >= 3}


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
        self._values: set[str] = set()    # every spelling of every secret
        self._secrets: set[str] = set()   # the secrets as given
        self._lock = threading.Lock()

    def add(self, value: str) -> None:
        if value and len(value) >= 3:  # masking 1-2 chars would shred ordinary text
            with self._lock:
                self._secrets.add(value)
                self._values.update(spellings(value))

    def secret(self, env_name: str, environ: dict[str, str] | None = None) -> Secret:
        """Read a secret from the environment; KeyError when it is not set."""
        value = (environ if environ is not None else os.environ)[env_name]
        self.add(value)
        return Secret(env_name, value)

    @property
    def values(self) -> frozenset[str]:
        """The secrets as given (what a page might show as text)."""
        with self._lock:
            return frozenset(self._secrets)

    @property
    def spellings(self) -> frozenset[str]:
        """Every spelling of every secret (what redact() and contains_secret() look for)."""
        with self._lock:
            return frozenset(self._values)

    def redact(self, text: str) -> str:
        if not text:
            return text
        for v in sorted(self.spellings, key=len, reverse=True):
            if v in text:
                text = text.replace(v, self.MASK)
        return text

    def redact_data(self, data: Any) -> Any:
        """`data` with every string in it redacted (dicts, lists and tuples walked; keys too)."""
        if isinstance(data, str):
            return self.redact(data)
        if isinstance(data, dict):
            return {self.redact_data(k): self.redact_data(v) for k, v in data.items()}
        if isinstance(data, (list, tuple)):
            return type(data)(self.redact_data(v) for v in data)
        return data

    def contains_secret(self, data: bytes) -> bool:
        return any(v.encode() in data for v in self.spellings)
