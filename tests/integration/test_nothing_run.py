"""Nothing run is never clean: a schedule or run that would audit nothing says why, exits 2, alerts unattended."""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

from shopper.audit import AuditSession
from shopper.clock import ManualClock
from shopper.config import load_config
from shopper.scheduler import ScheduledRun
from reports.publish import publish
from shopper.schedule_plan import run_slot
from shopper.store import open_store

ROOT = Path(__file__).resolve().parents[2]
SCHEDULE = ("schedules:\n  runs:\n    - {name: web, tags: [web], every: 1h}\n"
            "    - {name: morning, journeys: [browse_shop], at: '07:00', days: weekdays}\n  sweep_every: 15m\n"
            "report: {timezone: Europe/Berlin}\n")


def runner(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(ROOT / "runner.py"), *args], capture_output=True, text=True,
                          timeout=120, cwd=cwd)


def outside_checkout(tmp_path: Path, schedule: str = SCHEDULE, journeys: bool = True) -> Path:
    """A config in a folder of its own (not the checkout), with `journeys: journeys` beside it."""
    home = tmp_path / "audit"
    home.mkdir()
    if journeys:
        (home / "journeys").mkdir()
        for name, tags in (("browse_shop", "[web, catalogue]"), ("browse_news", "[web]"), ("contact_support", "[mail]")):
            (home / "journeys" / f"{name}.yaml").write_text(f"name: {name}\ntags: {tags}\nsteps:\n  - open: /\n")
    cfg = home / "config.yaml"
    cfg.write_text("var_dir: var\njourneys: journeys\ndefault_site: s\n"
                   "sites: {s: {base_url: 'http://127.0.0.1:9', vars: {home_path: /}}}\n" + schedule)
    return cfg


def test_schedule_outside_the_checkout_with_no_journeys_folder_does_not_start(tmp_path):
    cfg = outside_checkout(tmp_path, journeys=False)
    p = runner("schedule", "--config", str(cfg), cwd=tmp_path)
    assert p.returncode == 2, p.stdout + p.stderr
    (line,) = p.stderr.strip().splitlines()   # why, in one line
    assert line == f"error: journeys: {cfg.parent / 'journeys'} does not exist"
    assert not (cfg.parent / "var" / "shopper.db").exists()   # nothing stored, no "clean" run of nothing


def test_schedule_names_unknown_journeys_and_tags_with_did_you_mean(tmp_path):
    cfg = outside_checkout(tmp_path, schedule="schedules:\n  runs:\n"
                           "    - {name: a, journeys: [brwse_shop], every: 1h}\n"
                           "    - {name: b, tags: [mial], every: 1h}\n  sweep_every: null\n")
    p = runner("schedule", "--dry-run", "--config", str(cfg), cwd=tmp_path)
    assert p.returncode == 2
    assert ("error: schedule 'a': unknown journey 'brwse_shop'; did you mean 'browse_shop'?; "
            "schedule 'b': unknown tag 'mial'; did you mean 'mail'?") in p.stderr


def test_schedule_dry_run_prints_the_plan_in_the_configured_time_zone(tmp_path):
    cfg = outside_checkout(tmp_path)
    # a Monday, 05:30 UTC = 06:30 in Berlin: the 07:00 entry (schedules.timezone: UTC by default) is 08:00 in Berlin
    p = runner("schedule", "--dry-run", "--now", "2026-01-05T05:30:00Z", "--config", str(cfg), cwd=tmp_path)
    assert p.returncode == 0, p.stderr
    lines = p.stdout.splitlines()
    assert lines[0].startswith("schedule plan (times in Europe/Berlin; journeys from ")
    web = next(x for x in lines if x.startswith("  web:"))
    assert web.startswith("  web: every 1h, next 2026-01-05 07:00 CET: ")   # on the hour (schedules.timezone UTC)
    assert "browse_shop" in web and "contact_support" not in web
    morning = next(x for x in lines if x.startswith("  morning:"))
    assert morning == "  morning: weekdays at 07:00, next 2026-01-05 08:00 CET: 1 journey(s): browse_shop"
    sweep = next(x for x in lines if x.startswith("  sweep:"))
    assert "CANNOT RUN: no mailbox configured (imap.host)" in sweep   # a sweep that cannot run says so
    assert not (cfg.parent / "var" / "scheduler.lock").exists()       # a dry run starts nothing


def test_run_with_one_unknown_journey_among_valid_ones_is_exit_2(tmp_path):
    cfg = outside_checkout(tmp_path, schedule="")
    p = runner("run", "--journey", "browse_shop", "--journey", "brwse_shop", "--config", str(cfg), cwd=tmp_path)
    assert p.returncode == 2
    assert p.stderr.strip().splitlines() == ["error: unknown journey 'brwse_shop'; did you mean 'browse_shop'?"]
    store = open_store(str(cfg.parent / "var" / "shopper.db"))
    try:
        assert store.runs() == []   # nothing ran: the typo is not skipped in silence
    finally:
        store.close()
    doctor = runner("doctor", "--tag", "mial", "--config", str(cfg), cwd=tmp_path)   # the same for doctor
    assert doctor.returncode == 2 and "error: unknown tag 'mial'; did you mean 'mail'?" in doctor.stderr
    none = runner("run", "--journey", "contact_support", "--tag", "web", "--config", str(cfg), cwd=tmp_path)
    assert none.returncode == 2 and none.stderr.strip() == (
        "error: no journey is both named 'contact_support' and tagged 'web': nothing would be audited")


def test_a_run_whose_files_are_all_invalid_is_an_error_not_clean(tmp_path):
    cfg = outside_checkout(tmp_path, schedule="", journeys=False)
    (cfg.parent / "journeys").mkdir()
    (cfg.parent / "journeys" / "broken.yaml").write_text("name: broken\nsteps:\n  - opne: /\n")
    p = runner("run", "--json", "run.json", "--config", str(cfg), cwd=cfg.parent)
    assert p.returncode == 2
    run = json.loads((cfg.parent / "run.json").read_text())
    assert run["status"] == "error"
    assert "error: nothing was audited: every selected journey file is invalid (1: " in p.stdout
    status = runner("status", "--config", str(cfg), cwd=cfg.parent)
    assert ": error, nothing open, no score, 0 finding(s), 0 journey(s)" in status.stdout


def test_a_slot_whose_journeys_vanished_is_an_error_run_and_alerts(tmp_path, webhook):
    cfg = outside_checkout(tmp_path, schedule=f"alerts: {{webhook: {{url: '{webhook.url}'}}}}\n")
    config = load_config(cfg)
    shutil.rmtree(cfg.parent / "journeys")   # after the scheduler started: e.g. a redeploy moved them
    store = open_store(config.store_url)
    try:
        with AuditSession(config, store, ManualClock(), {}, publisher=publish) as session:
            lines = run_slot(session, ScheduledRun("web", tags=["web"], every=None, at="07:00"), stop=None)
        (run,) = store.runs()
        assert run.status == "error"
        assert run.summary["error"] == f"schedule 'web': journeys: {cfg.parent / 'journeys'} does not exist"
    finally:
        store.close()
    assert any(line.startswith("error: nothing was audited: schedule 'web'") for line in lines)
    (req,) = webhook.requests
    assert req.json()["trigger"] == "run_error"
    assert req.json()["title"].startswith("nothing audited: schedule 'web': journeys: ")


def test_a_sweep_that_cannot_run_says_so_on_every_slot(tmp_path):
    import signal

    cfg = outside_checkout(tmp_path, schedule="schedules:\n  sweep_every: 1s\n  report: {at: '03:00'}\n")
    proc = subprocess.Popen([sys.executable, str(ROOT / "runner.py"), "schedule", "--config", str(cfg)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=tmp_path)
    said, heard = [], []
    try:
        for line in proc.stderr:   # each slot says it, as it comes
            heard.append(line)
            if line.startswith("sweep skipped: "):
                said.append(line.strip())
            if len(said) == 2:
                break
        proc.send_signal(signal.SIGTERM)
        out, _ = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert said == ["sweep skipped: no mailbox configured (imap.host), so sweeps cannot run: set imap: in "
                    "config.yaml, or sweep_every: null"] * 2, "".join(heard[-20:])
    assert "  sweep: every 1s, CANNOT RUN: no mailbox configured" in out   # and the plan said it at start
