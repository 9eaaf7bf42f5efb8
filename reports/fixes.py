"""A short 'what to fix' line per finding kind, for the process owner (the texts live in the registry)."""
from __future__ import annotations

from checks.registry import fix_for

__all__ = ["fix_for"]
