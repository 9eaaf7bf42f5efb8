"""Hostile journey and config files: YAML bombs, non-UTF-8 bytes, huge files. A clear located error, fast, small.

Each case runs `runner.py validate` in a subprocess (what a user runs) and measures its time and peak RSS
(ru_maxrss of the child) with generous bounds; the other journey in the directory still validates.
"""
from __future__ import annotations

import resource
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.faults
ROOT = Path(__file__).resolve().parents[2]
MAX_SECONDS = 20.0     # a bomb that expands takes minutes (or all memory); a refusal takes a second
MAX_RSS_MB = 400       # the interpreter with the engine imported is ~60 MB

GOOD = "name: home\nsteps:\n  - open: /\n"
LAUGHS = "\n".join(
    ["name: lol", 'a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    + [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]" for i in range(1, 10)]
    + ["steps:", "  - open: /", "  - fill: {label: x, value: *a9}"]) + "\n"


def validate(*paths: Path) -> tuple[subprocess.CompletedProcess, float, float]:
    """(result, seconds, peak RSS of the child in MB)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    started = time.monotonic()
    done = subprocess.run([sys.executable, str(ROOT / "runner.py"), "validate", *map(str, paths)],
                          capture_output=True, text=True, timeout=120, cwd=ROOT)
    took = time.monotonic() - started
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    # ru_maxrss of children is the largest child so far: only a new maximum is this child's for sure
    return done, took, max(peak, before) / 1024


@pytest.fixture
def journeys(tmp_path: Path) -> Path:
    d = tmp_path / "journeys"
    d.mkdir()
    (d / "good.yaml").write_text(GOOD)
    return d


def test_billion_laughs_is_refused_at_the_alias_fast_and_small(journeys):
    (journeys / "bomb.yaml").write_text(LAUGHS)
    done, took, rss = validate(journeys)
    assert done.returncode == 2, done.stdout + done.stderr
    assert f"{journeys / 'bomb.yaml'}:" in done.stdout
    assert "alias" in done.stdout and "expand" in done.stdout
    assert f"{journeys / 'good.yaml'}: ok (home, 1 steps)" in done.stdout
    assert took < MAX_SECONDS and rss < MAX_RSS_MB, (took, rss)


def test_config_bomb_is_a_located_config_error(tmp_path):
    cfg = tmp_path / "config.yaml"
    cfg.write_text(LAUGHS.replace("name: lol", "var_dir: var").split("steps:")[0] + "sites: {x: {base_url: *a9}}\n")
    started = time.monotonic()
    done = subprocess.run([sys.executable, str(ROOT / "runner.py"), "status", "--config", str(cfg)],
                          capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert done.returncode == 2, done.stdout + done.stderr
    assert f"{cfg}:" in done.stderr and "alias" in done.stderr
    assert time.monotonic() - started < MAX_SECONDS


def test_a_few_shared_aliases_still_load(journeys):
    """The bound is on expansion, not on aliases: ordinary `&defaults` reuse keeps working."""
    (journeys / "anchors.yaml").write_text(
        "name: anchors\nvariables: &v {a: '1'}\nsteps:\n  - &o {open: /}\n  - *o\n  - fill: {label: x, value: /}\n")
    done, _, _ = validate(journeys / "anchors.yaml")
    assert done.returncode == 0 and "anchors.yaml: ok (anchors, 3 steps)" in done.stdout, done.stdout


def test_non_utf8_journey_names_line_and_column_of_the_bad_byte(journeys):
    (journeys / "latin1.yaml").write_bytes("name: café\nsteps:\n  - open: /caf\xe9\n".encode("latin-1"))
    done, took, _ = validate(journeys)
    assert done.returncode == 2
    path = journeys / "latin1.yaml"
    assert f"{path}:1:10: " in done.stdout, done.stdout
    assert "UTF-8" in done.stdout and "0xe9" in done.stdout
    assert f"{journeys / 'good.yaml'}: ok" in done.stdout


def test_huge_journey_is_refused_by_size_before_parsing(journeys):
    big = journeys / "huge.yaml"
    with big.open("w") as fh:
        fh.write("name: huge\nsteps:\n")
        line = "  - open: /" + "x" * 90 + "\n"
        for _ in range(300_000):   # ~30 MB: PyYAML would need minutes and gigabytes
            fh.write(line)
    done, took, rss = validate(journeys)
    assert done.returncode == 2
    assert f"{big}:1:1: " in done.stdout and "MB" in done.stdout
    assert f"{journeys / 'good.yaml'}: ok" in done.stdout
    assert took < MAX_SECONDS and rss < MAX_RSS_MB, (took, rss)


def test_deeply_nested_yaml_is_an_error_not_a_crash(journeys):
    (journeys / "deep.yaml").write_text("name: deep\nsteps:\n  - open: " + "[" * 5000 + "]" * 5000 + "\n")
    done, took, _ = validate(journeys)
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr
    assert f"{journeys / 'deep.yaml'}:" in done.stdout
    assert took < MAX_SECONDS
