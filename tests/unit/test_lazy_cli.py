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


def test_a_reader_that_goes_away_is_no_traceback(tmp_path):
    """`runner.py kinds | head -1`: the command stops quietly when its reader closes the pipe."""
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    p = subprocess.Popen([sys.executable, str(root / "runner.py"), "kinds"], cwd=tmp_path,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    p.stdout.read(10)
    p.stdout.close()          # the reader goes away before the command has printed everything
    err = p.stderr.read().decode()
    assert p.wait(timeout=60) == 0 and "Traceback" not in err, err
