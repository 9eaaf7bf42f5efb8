"""The command line imports only what a command uses: no web shop, browser driver or templates for the quick ones."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
HEAVY = ("flask", "playwright", "demo", "jinja2", "werkzeug")
PROBE = f"""
import json, runpy, sys
sys.argv = ["runner.py"] + sys.argv[1:]
try:
    runpy.run_path({str(ROOT / "runner.py")!r}, run_name="__main__")
except SystemExit:
    pass
print(json.dumps(sorted({{m.split(".")[0] for m in sys.modules}} & set({list(HEAVY)!r}))), file=sys.stderr)
"""


def heavy_imports(*args: str, tmp_path: Path) -> list[str]:
    done = subprocess.run([sys.executable, "-c", PROBE, *args], cwd=tmp_path, capture_output=True, text=True,
                          timeout=60)
    return json.loads(done.stderr.strip().splitlines()[-1])


@pytest.mark.parametrize("args", [
    ("--help",), ("classify", "--help"), ("validate", "--help"), ("status", "--help"),
    ("classify", str(ROOT / "tests/data/mail/people_vs_machines/rt-autoreply.eml")),
    ("validate", str(ROOT / "journeys/contact_support.yaml")),
])
def test_quick_commands_import_no_web_shop_browser_or_templates(args: tuple[str, ...], tmp_path: Path) -> None:
    assert heavy_imports(*args, tmp_path=tmp_path) == []


def test_the_probe_sees_heavy_imports(tmp_path: Path) -> None:
    assert "demo" in heavy_imports("demo", "--help", tmp_path=tmp_path)


@pytest.mark.parametrize("args", [
    ("kinds",), ("kinds", "--findings"), ("status",), ("--help",), ("--version",), ("classify", "--help"),
    ("classify", "--json", str(ROOT / "tests/data/mail/people_vs_machines/rt-autoreply.eml")),
    ("validate", str(ROOT / "journeys")),
])
def test_a_reader_that_goes_away_is_no_traceback(args: tuple[str, ...], tmp_path: Path) -> None:
    """`runner.py kinds | head -1`: the command stops quietly, status 0, when its reader has closed the pipe.

    The pipe's reading end is closed before the command starts, so its first write meets EPIPE every time
    (a reader that reads a little first would leave the outcome to the pipe buffer's size and timing).
    """
    import os

    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        done = subprocess.run([sys.executable, str(ROOT / "runner.py"), *args, *(
            ("--var-dir", str(tmp_path)) if args[0] == "status" else ())], cwd=tmp_path, stdout=write_end,
            stderr=subprocess.PIPE, text=True, timeout=60)
    finally:
        os.close(write_end)
    assert done.returncode == 0 and "Traceback" not in done.stderr and "Exception ignored" not in done.stderr, \
        done.stderr


def test_a_shell_pipe_into_head_is_quiet(tmp_path: Path) -> None:
    """What users type: `runner.py classify --json FILE | head -c 100` and `kinds --findings | head -1`."""
    eml = ROOT / "tests/data/mail/people_vs_machines/rt-autoreply.eml"
    for line in (f"{sys.executable} {ROOT / 'runner.py'} classify --json {eml} | head -c 100",
                 f"{sys.executable} {ROOT / 'runner.py'} kinds --findings | head -1"):
        done = subprocess.run(["bash", "-c", "set -o pipefail; " + line], cwd=tmp_path, capture_output=True,
                              text=True, timeout=60)
        assert done.returncode == 0 and done.stdout and "Traceback" not in done.stderr, (line, done.stderr)
