"""The store read-only, locked by another process, or var/ on a full filesystem: a clear error naming the fix,
exit 2, no traceback, and nothing half-written.

var/ is a small tmpfs mounted (as root) in the test's temp dir and unmounted at teardown; without the
right to mount, these cases skip and say why.
"""
from __future__ import annotations

import hashlib
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.faults
ROOT = Path(__file__).resolve().parents[2]
JOURNEY = 'name: offline\nsteps:\n  - compare: {views: {a: "x", b: "x"}, labels: {same: "/x/"}}\n'


def mount(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["mount", *args], capture_output=True, text=True, timeout=30)


@pytest.fixture
def small_var(tmp_path):
    """tmp_path/var on its own 2 MB tmpfs, with config.yaml and a journey beside it; unmounted afterwards."""
    var = tmp_path / "var"
    var.mkdir()
    if os.geteuid() != 0:
        pytest.skip("mounting a small tmpfs for var/ needs root")
    done = mount("-t", "tmpfs", "-o", "size=2m,mode=0755", "tmpfs", str(var))
    if done.returncode != 0:
        pytest.skip(f"mounting a tmpfs is not permitted here: {done.stderr.strip()}")
    (tmp_path / "config.yaml").write_text(f"var_dir: {var}\nstore: 'sqlite:///{var}/shopper.db?timeout=1'\n")
    (tmp_path / "offline.yaml").write_text(JOURNEY)
    try:
        yield var
    finally:
        subprocess.run(["umount", "-l", str(var)], capture_output=True, timeout=30)


def run(tmp_path: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(ROOT / "runner.py"), "run", str(tmp_path / "offline.yaml"),
                           "--config", str(tmp_path / "config.yaml")], capture_output=True, text=True, timeout=120,
                          cwd=tmp_path)


def fill(var: Path) -> None:
    """Fill var/ to the last byte (var/filler)."""
    with open(var / "filler", "wb") as fh:
        try:
            while True:
                fh.write(b"\0" * 65536)
        except OSError:
            pass   # ENOSPC: full, as intended


def digest(var: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(var.iterdir()) if p.is_file()}


def runs_in(var: Path) -> int:
    db = sqlite3.connect(f"file:{var / 'shopper.db'}?mode=ro", uri=True)
    try:
        return db.execute("SELECT COUNT(*) FROM runs").fetchone()[0]
    finally:
        db.close()


def assert_clear_failure(done: subprocess.CompletedProcess, *says: str) -> None:
    assert done.returncode == 2, done.stdout + done.stderr
    assert "Traceback" not in done.stderr, done.stderr
    for text in says:
        assert text in done.stderr, done.stderr


def test_read_only_store_names_the_fix_and_writes_nothing(small_var, tmp_path, figures):
    assert run(tmp_path).returncode == 0
    before = digest(small_var)
    assert mount("-o", "remount,ro", str(small_var)).returncode == 0
    done = run(tmp_path)
    assert_clear_failure(done, f"error: the store {small_var / 'shopper.db'} cannot be written",
                         f"{small_var} is read-only", "SHOPPER_STORE")
    assert digest(small_var) == before
    assert mount("-o", "remount,rw", str(small_var)).returncode == 0
    figures.messages(1, runs_in(small_var))


def test_full_filesystem_names_the_fix_and_keeps_the_store_whole(small_var, tmp_path, figures):
    assert run(tmp_path).returncode == 0
    fill(small_var)
    done = run(tmp_path)
    assert_clear_failure(done, f"no space left for the store {small_var / 'shopper.db'}", f"df {small_var}")
    (small_var / "filler").unlink()
    figures.messages(1, runs_in(small_var))
    assert runs_in(small_var) == 1
    again = run(tmp_path)
    assert again.returncode == 0, again.stdout + again.stderr
    assert runs_in(small_var) == 2


def test_locked_store_waits_its_timeout_then_names_the_fix(small_var, tmp_path, figures):
    assert run(tmp_path).returncode == 0
    holder = sqlite3.connect(str(small_var / "shopper.db"), isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")          # another process in the middle of a write
    try:
        done = run(tmp_path)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert_clear_failure(done, f"the store {small_var / 'shopper.db'} is locked by another process (waited 1 s)",
                         "let the other run")
    figures.messages(1, runs_in(small_var))
    assert runs_in(small_var) == 1


@pytest.mark.browser
def test_full_var_during_a_run_keeps_the_run_and_names_the_fix_for_its_report(small_var, tmp_path, shop_healthy):
    """The store elsewhere, var/ full: the journey's screenshot and the report cannot be written."""
    store = tmp_path / "shopper.db"
    (tmp_path / "config.yaml").write_text(f"var_dir: {small_var}\nstore: {store}\n")
    (tmp_path / "web.yaml").write_text("name: web\nsteps:\n  - open: /\n  - expect: {text: never there}\n"
                                       "    timeout: 1s\n")
    fill(small_var)
    done = subprocess.run([sys.executable, str(ROOT / "runner.py"), "run", str(tmp_path / "web.yaml"), "--base-url",
                           shop_healthy.url, "--config", str(tmp_path / "config.yaml")],
                          capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert_clear_failure(done, "error: the report could not be written (No space left on device",
                         "`runner.py report --run ")
    run_id = done.stderr.split("`runner.py report --run ", 1)[1].split("`")[0]
    assert not (small_var / "reports" / run_id).exists()              # no half-written report
    db = sqlite3.connect(str(store))
    try:
        (status,) = db.execute("SELECT status FROM journey_runs WHERE run_id=?", (run_id,)).fetchone()
    finally:
        db.close()
    assert status == "incomplete"                                      # the journey itself is kept
    (small_var / "filler").unlink()
    later = subprocess.run([sys.executable, str(ROOT / "runner.py"), "report", "--run", run_id, "--config",
                            str(tmp_path / "config.yaml")], capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert later.returncode == 0 and (small_var / "reports" / run_id / "index.html").exists(), later.stderr
