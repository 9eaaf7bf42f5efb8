"""A plain install (no extras) runs audits on SQLite; a command that needs an extra names the pip line."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
EXTRAS_ONLY = ("flask", "werkzeug", "aiosmtpd", "psycopg", "procrastinate", "pytest")
# runner.py as a plain install sees it: the extras' packages cannot be imported
PLAIN = f"""
import importlib.abc, runpy, sys
class NotInstalled(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in {EXTRAS_ONLY!r}:
            raise ModuleNotFoundError(f"No module named {{name!r}}", name=name)
sys.meta_path.insert(0, NotInstalled())
sys.argv = ["runner.py"] + sys.argv[1:]
runpy.run_path({str(ROOT / "runner.py")!r}, run_name="__main__")
"""
AGREE = """name: views_agree
tags: [payment]
steps:
  - compare: {views: {a: paid, b: paid}, labels: {paid: paid}}
"""


def plain(*args: str, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", PLAIN, *args], cwd=cwd, capture_output=True, text=True, timeout=120,
                          env={**os.environ, **(env or {})})


def test_a_plain_install_validates_and_runs_an_audit_on_sqlite(tmp_path):
    journey = tmp_path / "agree.yaml"
    journey.write_text(AGREE, encoding="utf-8")
    assert plain("validate", str(ROOT / "journeys"), cwd=tmp_path).returncode == 0
    run = plain("run", str(journey), "--var-dir", str(tmp_path / "var"), "--json", str(tmp_path / "run.json"),
                cwd=tmp_path)
    assert run.returncode == 0, run.stdout + run.stderr
    assert (tmp_path / "var" / "shopper.db").exists() and (tmp_path / "run.json").exists()
    status = plain("status", "--var-dir", str(tmp_path / "var"), cwd=tmp_path)
    assert status.returncode == 0 and "Traceback" not in status.stderr, status.stderr


PG = {"SHOPPER_STORE": "postgresql://shopper@127.0.0.1:9/shopper"}


@pytest.mark.parametrize("args, env, extra", [
    (("demo",), {}, "demo"),
    (("run", "--queue"), PG, "postgres"),
    (("status",), PG, "postgres"),
])
def test_a_command_that_needs_an_extra_names_the_pip_line(args, env, extra, tmp_path):
    out = plain(*args, cwd=tmp_path, env=env)
    assert out.returncode == 2 and "Traceback" not in out.stderr, out.stderr
    assert f"pip install 'mystery-shopper[{extra}]'" in out.stderr, out.stderr
