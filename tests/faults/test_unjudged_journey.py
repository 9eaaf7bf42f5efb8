"""A journey that finished in a run killed before its judge: the runner reported only what happened
(`finished`), so the store never holds a `clean` nobody decided. Its report says "not judged", a merge of
the killed shard's store is `incomplete` with no score for its process, and history does not count the
unjudged run as one that ran the journey (a standing finding stays recurring, not new).

The kill comes at an exact point: the second journey's mail held at RCPT by a proxy, never after a sleep.
"""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest

from reports.history import history
from shopper.model import Finding
from shopper.record import JourneyRecord, JourneyStatus
from shopper.store import open_store

from .configs import sending_config
from .servers import TcpProxy

pytestmark = pytest.mark.faults
ROOT = Path(__file__).resolve().parents[2]
SCHEMA = json.loads((ROOT / "docs" / "run.schema.json").read_text(encoding="utf-8"))
FIRST = """name: ask_support
tags: [support]
steps:
  - send_email: {to: "support@shop.test", subject: "Where is my kettle?", body: "Hello, order KC-1."}
"""
SECOND = """name: tell_webmaster
tags: [web]
steps:
  - send_email: {to: "webmaster@shop.test", subject: "Site problem", body: "The careers page is broken."}
"""


def runner(cfg: Path, *args: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, str(ROOT / "runner.py"), *args, "--config", str(cfg)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


@pytest.mark.smtp
def test_a_journey_finished_in_a_killed_run_is_never_reported_clean(smtp, tmp_path):
    (tmp_path / "a_first.yaml").write_text(FIRST)
    (tmp_path / "b_second.yaml").write_text(SECOND)
    store_file = tmp_path / "var" / "shopper.db"
    proxy = TcpProxy(smtp.port)
    proxy.stall_on(b"webmaster@shop.test")       # the second journey's RCPT: the first one is saved by then
    cfg = sending_config(tmp_path, proxy.port)
    try:
        proc = runner(cfg, "run", str(tmp_path / "a_first.yaml"), str(tmp_path / "b_second.yaml"), "--no-report")
        try:
            assert proxy.stalled.wait(60), "the second journey never reached RCPT"
        finally:
            os.kill(proc.pid, signal.SIGKILL)
            proc.communicate(timeout=30)
    finally:
        proxy.close()
    with open_store(str(store_file)) as store:
        (run,) = store.runs()
        saved = {j["name"]: j["status"] for j in store.journeys(run.id)}
    assert run.status == "running" and saved == {"ask_support": "finished"}   # the old code stored "clean"

    out = tmp_path / "report"
    shown = subprocess.run([sys.executable, str(ROOT / "runner.py"), "report", "--run", run.id, "--out", str(out),
                            "--config", str(cfg)], capture_output=True, text=True, timeout=120)
    assert shown.returncode == 0, shown.stdout + shown.stderr
    html = (out / "index.html").read_text(encoding="utf-8")
    assert 'class="st-not_judged">not judged' in html and 'class="st-clean"' not in html

    merged_json = tmp_path / "merged.json"
    merged_cfg = tmp_path / "merged.yaml"
    merged_cfg.write_text(f"var_dir: {tmp_path / 'merged'}\n")
    junit = tmp_path / "merged.xml"
    merged = subprocess.run([sys.executable, str(ROOT / "runner.py"), "merge", str(store_file), "--json",
                             str(merged_json), "--junit", str(junit), "--config", str(merged_cfg)],
                            capture_output=True, text=True, timeout=120)
    assert merged.returncode == 1, merged.stdout + merged.stderr   # unknown is not a pass
    assert "1 journey(s) were never judged" in merged.stdout and "ask_support" in merged.stdout
    assert 'type="not_judged"' in junit.read_text(encoding="utf-8")
    doc = json.loads(merged_json.read_text(encoding="utf-8"))
    jsonschema.validate(doc, SCHEMA)
    assert doc["status"] == "incomplete" and [j["status"] for j in doc["journeys"]] == ["finished"]
    assert doc["summary"]["score"] is None and doc["summary"]["incomplete_processes"] == ["support"]
    assert doc["summary"]["statuses"]["finished"] == 1 and doc["summary"]["clean"] == 0


def test_history_skips_a_run_that_never_judged_the_journey(tmp_path):
    standing = Finding("no_reply", "major", "ask_support", 1, "No answer", "", "support@shop.test", "fp-standing")
    with open_store(str(tmp_path / "s.db")) as store:
        for run_id, status, findings in [("r1", JourneyStatus.FINDINGS, [standing]),
                                         ("r2", JourneyStatus.FINISHED, []),      # killed before its judge
                                         ("r3", JourneyStatus.FINDINGS, [standing])]:
            store.begin_run(run_id, f"2026-01-0{run_id[1]}T09:00:00+00:00")
            store.save_journey(run_id, JourneyRecord("ask_support", "journeys/ask.yaml", ("support",), status,
                                                     f"2026-01-0{run_id[1]}T09:00:00+00:00", 1.0))
            store.save_findings(run_id, findings)
            if status != JourneyStatus.FINISHED:
                store.finish_run(run_id, f"2026-01-0{run_id[1]}T09:01:00+00:00", "findings", {})
        h = history(store, "r3", store.findings("r3"))
        assert (len(h.new), [f["runs"] for f in h.recurring]) == (0, [2])   # since r1; r2 says nothing

        store.begin_run("r4", "2026-01-04T09:00:00+00:00")
        store.save_journey("r4", JourneyRecord("ask_support", "journeys/ask.yaml", ("support",),
                                               JourneyStatus.FINISHED, "2026-01-04T09:00:00+00:00", 1.0))
        assert history(store, "r4", []).fixed == []   # an unjudged journey cannot show a finding fixed
