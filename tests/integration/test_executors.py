"""The executor seam: serial and process-pool executors give the same findings; the run's one judge checks
every journey once, together (the job queue's run: tests/integration/test_job_queue.py)."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

import shopper.judge
from shopper.model import Finding

ROOT = Path(__file__).resolve().parents[2]
HOME = ROOT / "tests/data/journeys/good/home.yaml"


def journeys(tmp_path: Path) -> list[Path]:
    """Two journeys of the healthy shop."""
    second = tmp_path / "home_again.yaml"
    second.write_text(HOME.read_text(encoding="utf-8").replace("name: home_page", "name: home_again", 1),
                      encoding="utf-8")
    return [HOME, second]


@pytest.fixture
def judged(monkeypatch):
    """The journeys each call of the judge's checks saw, call by call."""
    calls: list[list[str]] = []
    real = shopper.judge.run_checks

    def counting(observations) -> list[Finding]:
        calls.append([j.name for j in observations.journeys if getattr(j, "steps", None)])
        return real(observations)

    monkeypatch.setattr(shopper.judge, "run_checks", counting)
    return calls


@pytest.mark.browser
def test_the_session_judges_every_journey_once_and_together(audit, shop_healthy, judged, tmp_path):
    a = audit(journeys(tmp_path), base_url=shop_healthy.url)
    names = [j.name for j in a.result.journeys]
    assert len(names) == 2
    assert judged == [names]   # one judge per run, over all its journeys, each once


@pytest.mark.browser
def test_the_pytest_plugins_run_is_judged_once_at_its_end(browser, tmp_path, shop_healthy, judged):
    """The plugin's run (IncrementalRun): each item's verdict is its attempt's; the run's judge runs once."""
    import dataclasses

    from shopper.audit import AuditOptions, AuditSession, select_journeys
    from shopper.clock import SystemClock
    from shopper.config import load_config
    from shopper.secrets import Redactor
    from shopper.session_run import IncrementalRun
    from shopper.store import open_store
    from tests.fixtures.browser import TEST_NETWORK

    config = dataclasses.replace(load_config(ROOT / "config.yaml", environ={}), var_dir=str(tmp_path / "var"),
                                 base_dir=str(ROOT), network=TEST_NETWORK)
    sel = select_journeys(journeys(tmp_path), config)
    with open_store(config.store_url) as store, \
            AuditSession(config, store, SystemClock(), {}, browser=browser, redactor=Redactor()) as session:
        run = IncrementalRun(session, AuditOptions(base_url=shop_healthy.url, sweep=False))
        items = [run.add(j)[0] for j in sel.journeys]
        assert judged == []                     # items are judged by their attempt's findings, not again
        assert {i.status for i in items} <= {"clean", "findings"}    # each item's verdict, a view
        assert {r.status for r in run.results} == {"finished"}       # the run's results: what happened
        result = run.finish()
    assert judged == [[j.name for j in result.journeys]]
    assert [j.status for j in result.journeys] == [i.status for i in items]   # decided by the judge, once


def _demo(tmp_path: Path, name: str, *extra: str) -> dict:
    """`runner.py demo --json FILE [extra]` as a user types it, in a config of its own (its own store)."""
    work = tmp_path / name
    work.mkdir()
    cfg = yaml.safe_load((ROOT / "config.yaml").read_text(encoding="utf-8"))
    cfg.update(var_dir=str(work / "var"), journeys=str(ROOT / "journeys"))
    (work / "config.yaml").write_text(yaml.safe_dump(cfg), encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("SHOPPER_")}
    out = work / "run.json"
    p = subprocess.run([sys.executable, str(ROOT / "runner.py"), "demo", "--config", str(work / "config.yaml"),
                        "--json", str(out), *extra], cwd=work, env=env, capture_output=True, text=True, timeout=600)
    assert p.returncode in (0, 1), p.stdout + p.stderr
    assert "Traceback" not in p.stderr, p.stderr
    return json.loads(out.read_text(encoding="utf-8"))


@pytest.mark.browser
@pytest.mark.slow
def test_demo_with_two_workers_finds_what_the_serial_demo_finds(tmp_path):
    serial = _demo(tmp_path, "serial")
    pooled = _demo(tmp_path, "pooled", "--workers", "2")
    assert serial["findings"], "the broken demo world has findings"
    assert sorted(f["fingerprint"] for f in pooled["findings"]) == sorted(f["fingerprint"] for f in serial["findings"])
    assert {j["name"]: j["status"] for j in pooled["journeys"]} == {j["name"]: j["status"] for j in serial["journeys"]}
    assert pooled["status"] == serial["status"] and pooled["summary"]["browser"] == "2 worker processes"
