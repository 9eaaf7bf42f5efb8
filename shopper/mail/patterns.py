"""Regular expressions compiled when first used, so that a one-file `runner.py classify` pays only for the
patterns its message needs (compiling the classifier's tables takes longer than classifying a message)."""
from __future__ import annotations

import re
from typing import Any


class LazyPattern:
    """Stands in for `re.compile(pattern, flags)`: the same methods, compiled on the first call. A method
    looked up once is kept on the instance, so later calls go straight to the compiled pattern."""

    def __init__(self, pattern: str, flags: int = 0) -> None:
        self.pattern = pattern
        self.flags = flags
        self._compiled: re.Pattern[str] | None = None

    def compiled(self) -> re.Pattern[str]:
        if self._compiled is None:
            self._compiled = re.compile(self.pattern, self.flags)
        return self._compiled

    def __getattr__(self, name: str) -> Any:   # search, match, findall, finditer, sub, fullmatch, split
        if name.startswith("__"):
            raise AttributeError(name)
        value = getattr(self.compiled(), name)
        setattr(self, name, value)
        return value


def lazy(pattern: str, flags: int = 0) -> LazyPattern:
    return LazyPattern(pattern, flags)


class CaselessPattern(LazyPattern):
    """`re.compile(pattern, re.I | flags)` for yes/no questions (`found`), answered faster on ASCII text.

    On ASCII text, a case-insensitive search gives the same answer as the pattern without re.I on the
    lower-cased text (one length, one position per character), and the engine then skips ahead on literal
    prefixes instead of trying every position. Any other text is read with re.I, exactly as written. The pattern
    must therefore name no upper-case letter (`\\S`, `\\W`, `\\D`, `\\B` are classes, not letters).
    """

    def __init__(self, pattern: str, flags: int = 0) -> None:
        flags = int(flags)   # plain ints: negating a RegexFlag costs an enum lookup at import
        super().__init__(pattern, flags | _IGNORECASE)
        self._lower = LazyPattern(pattern, flags & ~_IGNORECASE)
        self._checked = False

    def found(self, text: str) -> bool:
        if not self._checked:   # once, at first use: nothing to pay at import
            if _has_upper_letter(self.pattern):
                raise ValueError(f"a caseless pattern is written in lower case: {self.pattern[:60]!r}")
            self._checked = True
        if text.isascii():
            return self._lower.search(text.lower()) is not None
        return self.compiled().search(text) is not None


_IGNORECASE = int(re.IGNORECASE)


def _has_upper_letter(pattern: str) -> bool:
    escaped = False
    for char in pattern:
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = True
        elif char.isupper():
            return True
    return False


def caseless(pattern: str, flags: int = 0) -> CaselessPattern:
    return CaselessPattern(pattern, flags)
