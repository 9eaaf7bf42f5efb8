"""Run hygiene: invalid journeys that were not selected are a warning, never the exit status; `run --trial`
stays out of history, trends and alerts; every message shows values, never `${name}`; no "has no a button"."""
from __future__ import annotations

import re
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from shopper.secrets import Redactor
from shopper.template import expand_known

ROOT = Path(__file__).resolve().parents[2]
HOME = ROOT / "tests/data/journeys/good/home.yaml"
MISTAKES = ROOT / "tests/data/journeys/bad/mistakes.yaml"


def cli(tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    env = {"PATH": "/usr/bin:/bin", "HOME": str(Path.home()), "SHOPPER_VAR_DIR": str(tmp_path / "var")}
    return subprocess.run([sys.executable, str(ROOT / "runner.py"), *args, "--config", str(ROOT / "config.yaml")],
                          capture_output=True, text=True, timeout=180, cwd=ROOT, env=env)


@pytest.fixture
def journeys(tmp_path) -> Path:
    d = tmp_path / "journeys"
    d.mkdir()
    shutil.copy(HOME, d / HOME.name)
    shutil.copy(MISTAKES, d / MISTAKES.name)
    return d


@pytest.mark.browser
def test_invalid_journeys_not_selected_are_a_warning_not_the_exit_status(tmp_path, journeys, shop_healthy):
    ok = cli(tmp_path, "run", str(journeys), "--journey", "home_page", "--base-url", shop_healthy.url, "--no-report")
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert re.search(r"warning: .*mistakes\.yaml does not validate \(\d+ problem\(s\)\) and was not selected",
                     ok.stderr)
    assert "1 journey(s): 1 clean" in ok.stdout and "invalid" not in ok.stdout
    chosen = cli(tmp_path, "run", str(journeys), "--journey", "mistakes", "--base-url", shop_healthy.url,
                 "--no-report")
    assert chosen.returncode == 2 and "mistakes.yaml:" in chosen.stderr   # asked for: still an error
    everything = cli(tmp_path, "run", str(journeys), "--base-url", shop_healthy.url, "--no-report")
    assert everything.returncode == 2                                     # no selection: every file is asked for


@pytest.mark.browser
def test_trial_run_stays_out_of_history_trends_and_alerts(tmp_path, shop_healthy):
    trial = cli(tmp_path, "run", str(HOME), "--base-url", shop_healthy.url, "--trial")   # with its report
    assert trial.returncode == 0, trial.stderr
    assert "stored as a trial, kept out of history, trends and alerts" in trial.stdout
    status = cli(tmp_path, "status")
    assert "no runs" in (status.stdout + status.stderr).lower() or "trial" not in status.stdout
    db = sqlite3.connect(tmp_path / "var" / "shopper.db")
    assert [r[0] for r in db.execute("SELECT kind FROM runs")] == ["trial"]
    real = cli(tmp_path, "run", str(HOME), "--base-url", shop_healthy.url, "--no-report")
    assert real.returncode == 0
    assert sorted(r[0] for r in db.execute("SELECT kind FROM runs")) == ["run", "trial"]
    from shopper.store import open_store
    store = open_store(str(tmp_path / "var" / "shopper.db"))
    try:
        last = store.last_run()
        assert last.kind == "run" and [r["id"] for r in store.runs_up_to(last.id, 10)] == [last.id]
        [t] = store.runs(kind="trial")   # its own report shows itself, nothing else of kind trial
        assert [r["id"] for r in store.runs_up_to(t.id, 10)] == [t.id]
    finally:
        store.close()


TRACKS = """name: tracks
tags: [tracking]
variables: {parcel_link: "/track your parcel/i"}
steps:
  - open: /
  - check_tracking: {role: link, named: "${parcel_link}", if_present: true}
"""


@pytest.mark.browser
def test_messages_show_values_not_variable_names(audit, shop_healthy, tmp_path):
    path = tmp_path / "tracks.yaml"
    path.write_text(TRACKS, encoding="utf-8")
    a = audit([path], base_url=shop_healthy.url)
    detail = a.result.journeys[0].steps[1].detail
    assert "/track your parcel/i" in detail and "${" not in detail


def test_expand_known_fills_values_and_leaves_secrets_and_unknowns():
    r = Redactor()
    v = {"tracking_link": "/track/i", "order_no": "KC-1", "status_path": "/orders/${order_no}", "gone": None}
    assert expand_known("no link named ${tracking_link} for ${order_no}", v, r) == "no link named /track/i for KC-1"
    assert expand_known("open ${status_path}", v, r) == "open /orders/KC-1"
    assert expand_known("${secret:PW} ${unknown} ${gone} $${literal}", v, r) == "${secret:PW} ${unknown} ${gone} $${literal}"


def test_a_missing_button_reads_as_english():
    from types import SimpleNamespace

    from shopper.autofill.fill import press
    from shopper.errors import StepError

    form = SimpleNamespace(buttons=[{"text": "Back", "submit": False}], describe=lambda: "#checkout")
    ctx = SimpleNamespace(page=SimpleNamespace(url="http://shop.test/checkout"))
    for button, want in (("continue", "has no button named 'continue'"),
                         (None, "has no submit button")):
        with pytest.raises(StepError) as e:
            press(ctx, SimpleNamespace(form=form), button)
        assert want in str(e.value), str(e.value)


ARTICLES = re.compile(r"\b(no|a|an|the) (a|an|the)\b(?! (?:few|lot|bit)\b)")


def test_no_message_doubles_an_article():
    """The class of "has no a button": no literal (f-string parts included) reads "no a", "a the", "the an"."""
    import ast

    found = []
    for path in [*ROOT.glob("shopper/**/*.py"), *ROOT.glob("checks/*.py"), *ROOT.glob("reports/*.py")]:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and ARTICLES.search(node.value):
                found.append(f"{path.relative_to(ROOT)}:{node.lineno}: {node.value[:80]!r}")
    assert not found, found
