"""Whole files or none: a file is written beside its place and renamed over the old one only once complete."""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

from .errors import ShopperError


class OutputError(ShopperError):
    """An output file (run JSON, JUnit, report) could not be written; the old one, if any, is untouched."""

    def __init__(self, message: str, strerror: str, filename: str):
        super().__init__(message)
        self.strerror = strerror
        self.filename = filename


def write_atomic(path: str | Path, data: str | bytes, *, what: str = "file") -> Path:
    """Write `data` to `path` through a temporary file in the same directory and a rename: a reader sees the
    old file or the new one, never half of one (a full disk leaves the old one). OutputError names the file."""
    p = Path(path)
    raw = data.encode("utf-8") if isinstance(data, str) else data
    tmp = None
    try:
        p.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{p.name}.", suffix=".tmp", dir=p.parent)
        with os.fdopen(fd, "wb") as f:
            f.write(raw)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, p)
        tmp = None
    except OSError as e:
        raise OutputError(f"cannot write the {what} {p}: {e.strerror or e}; nothing was changed there: free space "
                          f"or fix the permissions of {p.parent}, or write it elsewhere", str(e.strerror or e), str(p)) from None
    finally:
        if tmp is not None:
            try:
                os.unlink(tmp)
            except OSError:
                pass
    return p
