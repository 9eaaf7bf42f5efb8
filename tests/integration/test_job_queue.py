"""The job queue on a real PostgreSQL: workers drain a queued run once each, lost workers' jobs are retried
(never a journey that may have written to the company), a restarted scheduler enqueues no slot twice."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import psycopg
import pytest

from shopper.store import open_store

pytestmark = [pytest.mark.postgres, pytest.mark.browser]
ROOT = Path(__file__).resolve().parents[2]
PAGE = b"<!doctype html><title>ok</title><main><h1>Hello</h1><form method=post action=/hold/write>" \
       b"<button>Send</button></form></main>"


class Site(BaseHTTPRequestHandler):
    """Counts every request; the first GET /hold/read and the first POST /hold/write hang until released."""

    hits: Counter = Counter()
    arrived: dict[str, threading.Event] = {}
    release = threading.Event()
    lock = threading.Lock()

    def log_message(self, *args) -> None:
        return

    def _answer(self, key: str) -> None:
        with Site.lock:
            Site.hits[key] += 1
            first = Site.hits[key] == 1
        if key in Site.arrived:
            Site.arrived[key].set()
            if first:
                Site.release.wait(120)
        try:
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(PAGE)))
            self.end_headers()
            self.wfile.write(PAGE)
        except (BrokenPipeError, ConnectionResetError):
            pass   # the worker that asked was killed on purpose

    def do_GET(self) -> None:
        self._answer(f"GET {self.path}")

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self._answer(f"POST {self.path}")


@pytest.fixture
def site():
    Site.hits = Counter()
    Site.arrived = {"GET /hold/read": threading.Event(), "POST /hold/write": threading.Event()}
    Site.release = threading.Event()
    server = ThreadingHTTPServer(("127.0.0.1", 0), Site)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    Site.release.set()
    server.shutdown()
    server.server_close()


@pytest.fixture
def world(tmp_path, pg_url, site):
    """A config, a journeys dir, and a way to start runner.py against the PostgreSQL store."""
    (tmp_path / "journeys").mkdir()
    cfg = tmp_path / "config.yaml"
    cfg.write_text(f"var_dir: var\njourneys: journeys\ndefault_site: s\nsites: {{s: {{base_url: '{site}'}}}}\n"
                   "browser: {trace: 'off'}\n"
                   "schedules:\n  runs: [{name: hourly, journeys: [j00], every: 1h}]\n  sweep_every: null\n")
    env = {**os.environ, "SHOPPER_STORE": pg_url}
    procs: list[subprocess.Popen] = []

    def start(*args: str) -> subprocess.Popen:
        p = subprocess.Popen([sys.executable, str(ROOT / "runner.py"), *args, "--config", str(cfg)], env=env,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=tmp_path)
        procs.append(p)
        return p

    def journey(name: str, *steps: str) -> None:
        (tmp_path / "journeys" / f"{name}.yaml").write_text(f"name: {name}\nsteps:\n" + "".join(
            f"  - {s}\n" for s in steps))

    yield type("World", (), {"start": staticmethod(start), "journey": staticmethod(journey), "pg_url": pg_url,
                             "journeys": tmp_path / "journeys"})
    for p in procs:   # only the processes this test started
        if p.poll() is None:
            p.kill()
            p.communicate()


def queue_run(world, *names: str) -> str:
    p = world.start("run", *[str(world.journeys / f"{n}.yaml") for n in names], "--queue", "--no-wait")
    out, err = p.communicate(timeout=60)
    assert p.returncode == 0, err
    return out.split()[1].rstrip(":")


def worker(world, *extra: str) -> subprocess.Popen:
    return world.start("worker", "--heartbeat", "0.5", "--stalled-after", "2", *extra)


def jobs(pg_url: str) -> list[tuple]:
    with psycopg.connect(pg_url) as conn:
        return conn.execute("SELECT task_name, status, args->>'name' FROM procrastinate_jobs ORDER BY id").fetchall()


def test_three_workers_drain_thirty_queued_journeys_each_run_once(world):
    names = [f"j{n:02d}" for n in range(30)]
    for n in names:
        world.journey(n, f"open: /page/{n}", "expect: Hello")
    run_id = queue_run(world, *names)
    workers = [worker(world, "--drain") for _ in range(3)]
    for w in workers:
        out, err = w.communicate(timeout=120)
        assert w.returncode == 0, err
    assert {k: v for k, v in Site.hits.items() if k.startswith("GET /page/")} == {f"GET /page/{n}": 1 for n in names}
    store = open_store(world.pg_url)
    try:
        run = store.run(run_id)
        assert run.status == "clean" and run.summary["journeys"] == 30 and run.summary["clean"] == 30
        assert sorted(j["name"] for j in store.journeys(run_id)) == names
        queued = store.queued_journeys(run_id)
        assert {q["state"] for q in queued} == {"done"} and {q["attempts"] for q in queued} == {1}
        assert len({q["worker"] for q in queued}) >= 2   # the work was shared
    finally:
        store.close()
    done = Counter((task, status) for task, status, _ in jobs(world.pg_url))
    assert done == {("shopper:run_journey", "succeeded"): 30, ("shopper:finish_run", "succeeded"): 1}


def test_a_killed_worker_leaves_its_journey_to_be_retried_unless_it_may_have_written(world):
    world.journey("reader", "open: /hold/read", "expect: Hello")
    world.journey("writer", "open: /form", "click: {role: button, named: Send}", "expect: Hello")
    run_id = queue_run(world, "reader", "writer")
    a = worker(world)
    assert Site.arrived["GET /hold/read"].wait(60), "no worker took the reader"
    a.send_signal(signal.SIGKILL)   # mid-journey: only read so far
    a.communicate()
    b = worker(world)
    assert Site.arrived["POST /hold/write"].wait(60), "no worker took the writer"
    b.send_signal(signal.SIGKILL)   # mid-journey: the form was being submitted to the company
    b.communicate()
    c = worker(world, "--drain")
    out, err = c.communicate(timeout=90)
    assert c.returncode == 0, err
    assert Site.hits["POST /hold/write"] == 1   # never submitted twice
    assert Site.hits["GET /hold/read"] == 2     # the reader ran again, to the end
    store = open_store(world.pg_url)
    try:
        journeys = {j["name"]: j for j in store.journeys(run_id)}
        assert journeys["reader"]["status"] == "clean"
        assert journeys["writer"]["status"] == "incomplete"
        assert journeys["writer"]["error"].startswith("interrupted: the worker running it was lost after it had "
                                                      "started step 2 (click)")
        states = {q["journey"]: (q["state"], q["attempts"]) for q in store.queued_journeys(run_id)}
        assert states == {"reader": ("done", 2), "writer": ("interrupted", 1)}
        assert store.run(run_id).status == "incomplete"   # the writer did not finish: its outcome is unknown
    finally:
        store.close()
    assert {status for _, status, _ in jobs(world.pg_url)} == {"succeeded"}


def test_one_scheduler_per_postgresql_store_whatever_the_var_dir(world, tmp_path):
    world.journey("j00", "open: /page/j00", "expect: Hello")
    first = world.start("schedule", "--now", "2026-01-05T10:30:00Z")
    line = first.stdout.readline()
    while "schedule hourly: slot" not in line:   # it holds the store's lock before it enqueues
        assert line, first.stderr.read()
        line = first.stdout.readline()
    second = world.start("schedule", "--var-dir", str(tmp_path / "other-var"))
    out, err = second.communicate(timeout=60)
    assert second.returncode == 2, out + err
    assert "a scheduler is already running for this store" in err and f"scheduler pid {first.pid}@" in err, err
    assert "Traceback" not in err
    first.send_signal(signal.SIGTERM)
    out, err = first.communicate(timeout=30)
    assert first.returncode == 0, err
    third = world.start("schedule", "--var-dir", str(tmp_path / "other-var"))   # the lock went with the first
    line = third.stdout.readline()
    while "schedule hourly: slot" not in line:
        assert line, third.stderr.read()
        line = third.stdout.readline()
    assert "already in the queue" in line        # the slot the first one enqueued: not twice
    third.send_signal(signal.SIGTERM)
    assert third.wait(timeout=30) == 0


def test_a_restarted_scheduler_enqueues_no_slot_twice_and_a_worker_runs_the_slot(world):
    world.journey("j00", "open: /page/j00", "expect: Hello")
    for _ in range(2):
        s = world.start("schedule", "--now", "2026-01-05T10:30:00Z")
        line = s.stdout.readline()
        while "schedule hourly: slot" not in line:
            assert line, s.stderr.read()
            line = s.stdout.readline()
        s.send_signal(signal.SIGTERM)
        out, err = s.communicate(timeout=30)
        assert s.returncode == 0, err
        assert "scheduler stopped" in out
    assert [(task, status) for task, status, _ in jobs(world.pg_url)] == [("shopper:start_scheduled_run", "todo")]
    with psycopg.connect(world.pg_url) as conn:
        (slots,) = conn.execute("SELECT COUNT(*) FROM procrastinate_periodic_defers").fetchone()
    assert slots == 1
    w = worker(world, "--drain")   # the slot's run: its journeys selected by the worker's config, run once
    out, err = w.communicate(timeout=90)
    assert w.returncode == 0, err
    assert Site.hits["GET /page/j00"] == 1
    store = open_store(world.pg_url)
    try:
        (run,) = store.runs()
        assert run.status == "clean" and [j["name"] for j in store.journeys(run.id)] == ["j00"]
    finally:
        store.close()
    assert Counter(task for task, _, _ in jobs(world.pg_url)) == {
        "shopper:start_scheduled_run": 1, "shopper:run_journey": 1, "shopper:finish_run": 1}


def test_a_queued_run_finds_what_a_run_in_one_process_finds(world):
    """The queue's workers only execute; the run's finish judges every journey of it together, as the session
    does: the same findings (fingerprints), journey and step statuses as `runner.py run` on the same store."""
    import re

    world.journey("k1", "open: /a", "expect: Goodbye")   # the page never says it: a step fails, a finding
    world.journey("k2", "open: /b", "expect: Hello")
    p = world.start("run", *[str(world.journeys / f"{n}.yaml") for n in ("k1", "k2")], "--no-report")
    out, err = p.communicate(timeout=120)
    assert p.returncode == 1, out + err
    serial = re.search(r"^run (\S+): ", out, re.M).group(1)
    queued = queue_run(world, "k1", "k2")
    w = worker(world, "--drain")
    _, err = w.communicate(timeout=120)
    assert w.returncode == 0, err
    store = open_store(world.pg_url)
    try:
        def judged(run_id: str):
            steps = {j["name"]: (j["status"], [s["status"] for s in j["steps"]]) for j in store.journeys(run_id)}
            return sorted(f["fingerprint"] for f in store.findings(run_id)), steps, store.run(run_id).status

        fingerprints, statuses, status = judged(queued)
        assert fingerprints and (fingerprints, statuses, status) == judged(serial)
        assert statuses["k1"][0] == "incomplete" and statuses["k2"] == ("clean", ["passed", "passed"])
    finally:
        store.close()
