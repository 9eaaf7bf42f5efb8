"""Whole files or none: a failed write (full disk) leaves the old file whole and names the file."""
from __future__ import annotations

import errno
import json
import os

import pytest

from shopper import atomic
from shopper.atomic import OutputError, write_atomic


def test_a_full_disk_keeps_the_old_file_and_names_the_new_one(tmp_path, monkeypatch):
    good = tmp_path / "run.json"
    write_atomic(good, json.dumps({"run": 1}))
    real_fdopen = os.fdopen

    class Full:
        def __init__(self, f):
            self.f = f

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.f.close()

        def write(self, data):
            self.f.write(data[:4096])
            raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(atomic.os, "fdopen", lambda fd, mode: Full(real_fdopen(fd, mode)))
    with pytest.raises(OutputError) as e:
        write_atomic(good, json.dumps({"run": 2, "big": "x" * 100_000}), what="run JSON")
    assert str(good) in str(e.value) and "No space left on device" in str(e.value) and "free space" in str(e.value)
    assert json.loads(good.read_text()) == {"run": 1}
    assert [p.name for p in tmp_path.iterdir()] == ["run.json"]   # no temporary file left behind


def test_a_path_under_a_file_is_an_error_naming_it(tmp_path):
    (tmp_path / "file").write_text("x")
    with pytest.raises(OutputError, match="file/run.json"):
        write_atomic(tmp_path / "file" / "run.json", "{}")


def test_the_new_file_replaces_the_old_whole(tmp_path):
    p = tmp_path / "a" / "junit.xml"
    write_atomic(p, "<old/>")
    write_atomic(p, b"<new/>")
    assert p.read_text() == "<new/>"
