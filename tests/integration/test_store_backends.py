"""Every store behaviour on SQLite and on a real PostgreSQL, the same schema on both, and concurrent writers on
PostgreSQL losing nothing and resolving each expectation once."""
from __future__ import annotations

import dataclasses
import multiprocessing
import sqlite3
import threading
from datetime import datetime, timedelta, timezone
from types import SimpleNamespace
from typing import Any, Iterator

import pytest

from shopper.errors import ConfigError
from shopper.expectations import Expectation
from shopper.model import Finding, Observation
from shopper.probes.imap import FolderState
from shopper.store import open_store
from shopper.store.migrate import migrations

T0 = datetime(2026, 1, 5, 9, 0, tzinfo=timezone.utc)
BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


@pytest.fixture(params=BACKENDS)
def store_url(request, tmp_path) -> str:
    if request.param == "sqlite":
        return str(tmp_path / "s.db")
    return request.getfixturevalue("pg_url")


@pytest.fixture
def any_store(store_url) -> Iterator[Any]:
    s = open_store(store_url)
    yield s
    s.close()


def at(minutes: float = 0) -> str:
    return (T0 + timedelta(minutes=minutes)).isoformat()


def journey(name: str, steps: int = 1, observations: int = 1) -> SimpleNamespace:
    return SimpleNamespace(
        name=name, path=f"journeys/{name}.yaml", site="https://shop.test", tags=["web"], status="passed",
        started_at=at(), duration_ms=1234.5678901234, error=None, evidence=["shots/1.png"],
        blocked_requests={"tracker.test": 2},
        steps=[SimpleNamespace(index=i, kind="open", label=f"open /{i}", status="passed", started_at=at(),
                               duration_ms=5.25, detail="ok", error=None, evidence=[], url=f"https://shop.test/{i}",
                               title="<b>T</b>", line=4 + i) for i in range(steps)],
        observations=[Observation("page", name, 0, {"url": f"u{i}", "title": "100% ünïcode ?"}, at())
                      for i in range(observations)])


def finding(n: int, journey_name: str = "contact", severity: str = "minor") -> Finding:
    return Finding.of("broken_link", severity=severity, journey=journey_name, subject=f"https://shop.test/{n}",
                      title=f"Broken link {n}", data={"n": n})


def expectation(token: str, kind: str = "reply", target: str = "support@shop.test") -> Expectation:
    return Expectation(token=token, journey="contact", channel="email", target=target, created_at=T0,
                       answer_deadline=T0 + timedelta(days=2), ack_deadline=T0 + timedelta(hours=4),
                       reply_from=("shop.test",), run_id="r1", step=2, kind=kind,
                       window_end=T0 + timedelta(days=14) if kind == "silence" else None)


def message_row(key: str, uid: int, token: str | None, sweep_id: str = "sweep-1") -> dict[str, Any]:
    return {"key": key, "mailbox": "inbox@shopper.test", "folder": "INBOX", "uid": uid, "uidvalidity": 4_000_000_000,
            "received_at": at(uid), "swept_at": at(100), "sweep_id": sweep_id, "kind": "reply", "reason": None,
            "status": None, "recipient": None, "from_addr": "agent@shop.test", "subject": f"Re: {uid}",
            "matched_token": token, "truncated": 0, "size": 2048, "classification": '{"kind": "reply"}'}


# -- schema -----------------------------------------------------------------------------------------

def test_migrations_apply_once_and_record_their_version(store_url):
    s = open_store(store_url)
    dialect = s.dialect
    assert s.schema_version == max(v for v, _, _ in migrations(dialect)) == 13   # 0009-0012: other branches; 0013: not_applicable
    s.close()
    s2 = open_store(store_url)
    assert s2.schema_version == 13
    assert [tuple(r) for r in s2.query("SELECT version, name FROM schema_version ORDER BY version")] == [
        (v, name) for v, name, _ in migrations(dialect)]
    s2.close()


def test_postgres_files_override_only_their_version():
    common, pg = migrations("sqlite"), migrations("postgresql")
    assert [(v, n) for v, n, _ in common] == [(v, n) for v, n, _ in pg]
    differ = [v for (v, _, a), (_, _, b) in zip(common, pg) if a != b]
    assert differ == [1, 2, 5]
    assert all("AUTOINCREMENT" not in sql for _, _, sql in pg)


def _sqlite_columns(path: str) -> dict[str, list[tuple[str, str, bool, bool]]]:
    db = sqlite3.connect(path)
    tables = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table' "
                                       "AND name NOT LIKE 'sqlite_%' ORDER BY name")]
    family = {"INTEGER": "int", "REAL": "float", "TEXT": "text"}
    out = {t: [(c[1], family[c[2]], bool(c[3]) or bool(c[5]), bool(c[5]))
               for c in db.execute(f"PRAGMA table_info({t})")] for t in tables}
    db.close()
    return out


def _pg_columns(store: Any) -> dict[str, list[tuple[str, str, bool, bool]]]:
    family = {"integer": "int", "bigint": "int", "double precision": "float", "text": "text"}
    keys = {(r["table_name"], r["column_name"]) for r in store.query(
        "SELECT k.table_name, k.column_name FROM information_schema.table_constraints c "
        "JOIN information_schema.key_column_usage k ON k.constraint_name = c.constraint_name "
        "AND k.table_name = c.table_name WHERE c.constraint_type = 'PRIMARY KEY' AND c.table_schema = 'public'")}
    out: dict[str, list[tuple[str, str, bool, bool]]] = {}
    for r in store.query("SELECT table_name, column_name, data_type, is_nullable FROM information_schema.columns "
                         "WHERE table_schema = 'public' ORDER BY table_name, ordinal_position"):
        key = (r["table_name"], r["column_name"]) in keys
        out.setdefault(r["table_name"], []).append(
            (r["column_name"], family[r["data_type"]], r["is_nullable"] == "NO", key))
    return out


@pytest.mark.postgres
def test_both_back_ends_have_the_same_tables_and_columns(tmp_path, pg_url):
    lite = open_store(str(tmp_path / "s.db"))
    lite.close()
    pg = open_store(pg_url)
    try:
        assert _pg_columns(pg) == _sqlite_columns(str(tmp_path / "s.db"))
    finally:
        pg.close()


def test_placeholders_and_percent_signs_mean_the_same_on_both(any_store):
    (row,) = any_store.query("SELECT '100%' AS literal, ? AS param, 'it''s' AS quoted", "50% ?")
    assert (row["literal"], row["param"], row["quoted"], row[1], dict(row)["literal"]) == (
        "100%", "50% ?", "it's", "50% ?", "100%")


# -- runs -------------------------------------------------------------------------------------------

def test_runs_journeys_steps_observations_findings_round_trip(any_store):
    s = any_store
    s.begin_run("r1", at(0))
    s.save_journey("r1", journey("contact", steps=2, observations=2))
    s.save_journey("r1", journey("contact", steps=2, observations=0))     # saved again: replaced, not doubled
    s.save_observations("r1", [Observation("sweep", "(sweep)", None, {"n": 1}, at(1))])
    s.save_invalid("r1", "journeys/bad.yaml", ["bad.yaml:1:1: 'clik' is not a step kind"])
    critical, minor = finding(1, severity="critical"), finding(2)
    s.save_findings("r1", [minor, critical])
    s.save_findings("r1", [dataclasses.replace(minor, title="Broken link 2, again")])   # same fingerprint: replaced
    s.finish_run("r1", at(1), "findings", {"findings": 2, "score": 71})

    run = s.run("r1")
    assert (run.status, run.finished_at, run.summary) == ("findings", at(1), {"findings": 2, "score": 71})
    (jr,) = s.journeys("r1")
    assert jr["blocked"] == {"tracker.test": 2} and jr["tags"] == ["web"] and jr["evidence"] == ["shots/1.png"]
    assert jr["duration_ms"] == 1234.5678901234       # 8-byte floats on both
    assert [(st["idx"], st["title"], st["line"]) for st in jr["steps"]] == [(0, "<b>T</b>", 4), (1, "<b>T</b>", 5)]
    assert [o["data"] for o in s.observations("r1", "page")] == [{"url": "u0", "title": "100% ünïcode ?"},
                                                                  {"url": "u1", "title": "100% ünïcode ?"}]
    assert [o["kind"] for o in s.observations("r1")] == ["page", "page", "sweep"]
    assert [(f["fingerprint"], f["title"], f["data"]) for f in s.findings("r1")] == [
        (critical.fingerprint, "Broken link 1", {"n": 1}), (minor.fingerprint, "Broken link 2, again", {"n": 2})]
    assert s.invalid("r1") == [{"path": "journeys/bad.yaml", "problems": ["bad.yaml:1:1: 'clik' is not a step kind"]}]
    assert s.run("nope") is None


def test_last_run_and_previous_run_by_start_then_id(any_store):
    s = any_store
    assert s.last_run() is None
    for run_id, minute, kind in [("r-b", 0, "run"), ("r-a", 0, "run"), ("r-c", 5, "run"), ("s-1", 9, "sweep"),
                                 ("R-d", 10, "run")]:
        s.begin_run(run_id, at(minute), kind=kind)
    assert s.last_run().id == "R-d"                                        # sweeps are not runs
    assert [r.id for r in s.runs()] == ["R-d", "r-c", "r-b", "r-a"]         # byte order on both back ends
    assert [r.id for r in s.runs(kind=None, limit=2)] == ["R-d", "s-1"]
    assert s.previous_run("R-d").id == "r-c"
    assert s.previous_run("r-b").id == "r-a"                               # same start: the id decides
    assert s.previous_run("r-a") is None
    assert s.previous_run("nope") is None


# -- mail -------------------------------------------------------------------------------------------

def test_sent_messages_and_journey_tokens(any_store):
    s = any_store
    assert s.first_sent_at() is None
    s.record_sent("r1", "contact", 1, "t1", "<m1@shopper.test>", "me@shopper.test", "support@shop.test", "Hi",
                  at(3), True, {})
    s.record_sent("r1", "contact", 1, "t1", "<m1@shopper.test>", "me@shopper.test", "support@shop.test", "Hi",
                  at(3), False, {"support@shop.test": [550, "no such user"]})   # same token: replaced
    s.record_journey_token("t2", "r1", "newsletter", at(1))
    s.record_journey_token("t2", "r2", "other", at(2))                        # first owner stays
    assert s.sent_tokens(["t1", "t9"])["t1"]["refused"] == '{"support@shop.test": [550, "no such user"]}'
    assert s.sent_tokens(["t1"])["t1"]["ok"] == 0
    assert s.sent_tokens([]) == {}
    assert s.known_tokens(["t1", "t2", "t3"]) == {"t1", "t2"}
    assert s.known_tokens([]) == set()
    assert s.journey_of_token("t2") == "newsletter" and s.journey_of_token("t1") is None
    assert set(s.sent_by_message_ids(["m1@shopper.test", "<m1@shopper.test>", ""])) == {"m1@shopper.test"}
    assert s.first_sent_at() == at(3)
    s.add_expectation(expectation("t1"))                                        # created at T0, before the mail
    assert s.first_sent_at() == at(0)


def test_expectations_add_list_update_and_abandon(any_store):
    s = any_store
    e1 = s.add_expectation(expectation("t1"))
    e2 = s.add_expectation(expectation("t2"))
    e3 = s.add_expectation(expectation("t3", kind="silence", target="list.shop.test"))
    assert e1 < e2 < e3
    assert [e.id for e in s.expectations(states=("open",))] == [e1, e2, e3]
    assert [e.token for e in s.expectations(tokens=["t2", "tx"])] == ["t2"]
    assert s.expectations(tokens=[]) == [] and s.expectations(silence_for=[]) == []
    assert [e.id for e in s.expectations(silence_for=["list.shop.test"])] == [e3]
    (read,) = s.expectations(tokens=["t1"])
    assert (read.reply_from, read.ack_deadline, read.window_end) == (("shop.test",), T0 + timedelta(hours=4), None)

    met = dataclasses.replace(read, state="met", acked_at=T0 + timedelta(hours=1), answered_at=T0 + timedelta(hours=2),
                              resolved_at=T0 + timedelta(hours=2), evidence=({"message": "k1"},))
    saved = s.update_expectation(met, at(120))
    assert (read.revision, saved.revision) == (0, 1) and saved.state == "met"
    assert s.update_expectation(dataclasses.replace(saved, state="breached"), at(121)).revision == 2   # its own write
    assert s.update_expectation(dataclasses.replace(met, state="bounced"), at(122)) is None   # a stale copy stays stale
    assert [e.state for e in s.expectations(tokens=["t1"])] == ["breached"]
    (back,) = s.expectations(states=("breached",))
    assert (back.answered_at, back.evidence, back.ack_missed) == (T0 + timedelta(hours=2), ({"message": "k1"},), False)

    (stale,) = s.expectations(tokens=["t2"])
    other = open_store(s.url if s.dialect == "postgresql" else str(s.path))   # another sweep, same database
    try:
        (fresh,) = other.expectations(tokens=["t2"])
        assert other.update_expectation(dataclasses.replace(fresh, state="bounced", bounce={"reason": "x"}), at(5))
    finally:
        other.close()
    assert s.update_expectation(dataclasses.replace(stale, state="met"), at(6)) is None   # lost: it read too early
    assert [e.state for e in s.expectations(tokens=["t2"])] == ["bounced"]

    assert s.abandon_open_expectations("mailbox gone", now=at(7)) == 1
    (gone,) = s.expectations(states=("abandoned",))
    assert (gone.id, gone.bounce) == (e3, {"abandoned": "mailbox gone"})
    assert s.abandon_open_expectations("again") == 0


def test_a_read_elsewhere_does_not_refresh_another_holders_revision(any_store):
    """Two holders of one expectation in one process: the first's copy goes stale when the second saves, and a
    later read (by anyone, through the same store object) must not make the stale copy current again."""
    s = any_store
    s.add_expectation(expectation("t1"))
    (first,) = s.expectations(tokens=["t1"])                  # e.g. a sweep judging a message
    (second,) = s.expectations(tokens=["t1"])                 # e.g. the deadline judge, same store object
    assert s.update_expectation(dataclasses.replace(second, state="breached", resolved_at=T0), at(10))
    s.expectations(tokens=["t1"])                             # a report, a status view: reads it in between
    assert s.update_expectation(dataclasses.replace(first, state="met", answered_at=T0), at(11)) is None
    (row,) = s.expectations(tokens=["t1"])
    assert (row.state, row.revision) == ("breached", 1)


def test_folder_states_messages_and_sweeps(any_store):
    s = any_store
    assert s.folder_states("inbox@shopper.test") == {}
    s.begin_sweep("sweep-1", at(100))
    batch = [message_row("k1", 1, "t1"), message_row("k2", 2, None)]
    s.save_batch("inbox@shopper.test", FolderState("INBOX", 4_000_000_000, 2, 2**40), batch, at(100))
    s.save_batch("inbox@shopper.test", FolderState("INBOX", 4_000_000_000, 3, 2**40 + 1),
                 [*batch, message_row("k3", 3, "t1", "sweep-2")], at(101))          # k1, k2 again: ignored
    s.finish_sweep("sweep-1", at(102), True, None, 3)
    assert s.folder_states("inbox@shopper.test") == {
        "INBOX": FolderState("INBOX", 4_000_000_000, 3, 2**40 + 1)}
    assert s.known_message_keys(["k1", "k3", "k9"]) == {"k1", "k3"}
    assert s.known_message_keys([]) == set()
    assert [m["key"] for m in s.messages()] == ["k3", "k2", "k1"]
    assert [m["key"] for m in s.messages(token="t1")] == ["k3", "k1"]
    assert [m["key"] for m in s.messages(unmatched=True)] == ["k2"]
    assert s.messages(limit=1)[0]["classification"] == {"kind": "reply"}
    assert s.query("SELECT COUNT(*) FROM messages")[0][0] == 3
    sweep = s.last_sweep()
    assert (sweep["id"], sweep["ok"], sweep["new_messages"], sweep["finished_at"]) == ("sweep-1", 1, 3, at(102))


# -- alerts -----------------------------------------------------------------------------------------

def test_alerts_held_delivered_and_remembered(any_store):
    s = any_store
    alert = {"run_id": "r1", "trigger": "new_findings", "title": "2 new problems", "findings": []}
    assert s.last_alerted(["fp1"]) == {} and s.pending_alerts() == []
    s.hold_alert(alert, "maintenance", at(0))
    s.hold_alert(alert, "maintenance", at(1), channels=["email"], error="smtp down")
    (held,) = s.pending_alerts()
    assert (held["alert"], held["channels"], held["reason"], held["created_at"], held["attempts"], held["last_error"]) \
        == (alert, ["email"], "maintenance", at(0), 1, "smtp down")

    s.record_alert_delivery(alert, ["fp2", "fp1"], sent=["webhook"], owed=["email"], at=at(2), error="smtp down")
    (owed,) = s.pending_alerts()
    assert (owed["channels"], owed["reason"], owed["attempts"]) == (["email"], "failed", 2)
    assert s.last_alerted(["fp1"]) == {}
    s.record_alert_delivery(alert, ["fp2", "fp1", "fp1"], sent=["email"], owed=[], at=at(3))
    assert s.pending_alerts() == []
    assert s.last_alerted(["fp1", "fp2", "fp3"]) == {"fp1": T0 + timedelta(minutes=3), "fp2": T0 + timedelta(minutes=3)}
    assert [(a["channel"], a["sent_at"], a["fingerprints"]) for a in s.alerts_sent("r1")] == [
        ("webhook", at(2), ["fp2", "fp1"]), ("email", at(3), ["fp2", "fp1", "fp1"])]
    assert s.alerts_sent("r2") == [] and len(s.alerts_sent()) == 2

    s.hold_alert({**alert, "run_id": "r2"}, "maintenance", at(4))
    s.drop_pending_alert("r2", "new_findings")
    assert s.pending_alerts() == []


# -- opening ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("url, says", [
    ("postgresql://u:pw@127.0.0.1:5432", "names no database"),
    ("postgresql://u:pw@[::1/db", "not a PostgreSQL URL"),
    ("mysql://u:pw@host/db", "postgresql://user:password@host:port/database"),
])
def test_a_bad_store_url_says_what_is_expected(url, says):
    with pytest.raises(ConfigError) as e:
        open_store(url)
    assert says in str(e.value) and "pw" not in str(e.value)


def test_an_unreachable_postgres_names_host_port_and_the_setting():
    with __import__("socket").socket() as sock:   # a port nobody listens on: bound, never listening
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
        with pytest.raises(ConfigError) as e:
            open_store(f"postgres://shopper:s3cret@127.0.0.1:{port}/audit")
    message = str(e.value)
    assert f"shopper@127.0.0.1:{port}/audit" in message
    assert "check store: in config.yaml / SHOPPER_STORE" in message and "s3cret" not in message


# -- concurrency ------------------------------------------------------------------------------------

def _write_runs(url: str, worker: int, runs: int, start: Any) -> None:
    """One shard: `runs` runs with a journey and findings each, plus a counter every shard bumps."""
    s = open_store(url)
    start.wait(timeout=60)
    for n in range(runs):
        run_id = f"w{worker}-r{n:03d}"
        s.begin_run(run_id, at(n), kind="run")
        s.save_journey(run_id, journey(f"j{worker}", steps=2, observations=1))
        s.save_findings(run_id, [finding(n, f"j{worker}"), finding(1000 + n, f"j{worker}", "major")])
        s.hold_alert({"run_id": "shared", "trigger": "new_findings"}, "failed", at(n), error=run_id)
        s.finish_run(run_id, at(n + 1), "findings", {"worker": worker})
    s.close()


def _resolve_all(url: str, worker: int, start: Any, results: Any) -> None:
    """One sweeper: read the open expectations, then (with the other sweeper) resolve each of them."""
    s = open_store(url)
    read = s.expectations(states=("open",))
    start.wait(timeout=60)
    won = [e.id for e in read if s.update_expectation(
        dataclasses.replace(e, state="met", answered_at=T0, resolved_at=T0, evidence=({"by": worker},)), at(worker))]
    results.put((worker, won))
    s.close()


def _run_processes(target: Any, args: list[tuple[Any, ...]]) -> None:
    ctx = multiprocessing.get_context("spawn")
    procs = [ctx.Process(target=target, args=a) for a in args]
    for p in procs:
        p.start()
    for p in procs:
        p.join(timeout=240)
    assert [p.exitcode for p in procs] == [0] * len(procs)


@pytest.mark.postgres
@pytest.mark.slow
def test_four_shards_writing_at_once_lose_nothing(pg_url):
    open_store(pg_url).close()            # migrated once, before the shards start
    ctx = multiprocessing.get_context("spawn")
    start = ctx.Barrier(4)
    _run_processes(_write_runs, [(pg_url, w, 50, start) for w in range(4)])
    s = open_store(pg_url)
    try:
        runs = s.runs(limit=1000)
        assert len(runs) == len({r.id for r in runs}) == 200
        assert {r.status for r in runs} == {"findings"}
        assert s.query("SELECT COUNT(*) FROM journey_runs")[0][0] == 200
        assert s.query("SELECT COUNT(*) FROM steps")[0][0] == 400
        assert s.query("SELECT COUNT(*) FROM observations")[0][0] == 200
        assert s.query("SELECT COUNT(*), COUNT(DISTINCT run_id || fingerprint) FROM findings")[0][:] == (400, 400)
        assert all(len(s.findings(r.id)) == 2 for r in runs[::17])
        (shared,) = s.pending_alerts()
        assert shared["attempts"] == 200          # every shard's increment kept: no lost update
    finally:
        s.close()


@pytest.mark.slow
def test_two_sweepers_resolve_each_expectation_once(any_store, store_url):
    ids = [any_store.add_expectation(expectation(f"t{n}")) for n in range(20)]
    ctx = multiprocessing.get_context("spawn")
    start, results = ctx.Barrier(2), ctx.Queue()
    procs = [ctx.Process(target=_resolve_all, args=(store_url, w, start, results)) for w in (1, 2)]
    for p in procs:
        p.start()
    won = dict(results.get(timeout=240) for _ in procs)
    for p in procs:
        p.join(timeout=60)
    assert [p.exitcode for p in procs] == [0, 0]
    winners = sorted(won[1] + won[2])
    assert winners == ids                                  # each expectation won exactly once, none lost
    rows = {r["id"]: r for r in any_store.query("SELECT id, state, revision, evidence FROM expectations")}
    for worker, mine in won.items():
        for i in mine:                                     # the row holds its winner's judgement
            assert (rows[i]["state"], rows[i]["revision"], rows[i]["evidence"]) == ("met", 1, f'[{{"by": {worker}}}]')


@pytest.mark.postgres
def test_processes_opening_a_new_database_at_once_migrate_it_once(pg_url):
    start, stores, errors = threading.Barrier(4), [], []

    def open_one() -> None:
        start.wait(timeout=30)
        try:
            stores.append(open_store(pg_url))
        except Exception as e:     # recorded and asserted below
            errors.append(e)

    threads = [threading.Thread(target=open_one) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert errors == []
    assert [s.schema_version for s in stores] == [13] * 4
    assert stores[0].query("SELECT COUNT(*) FROM schema_version")[0][0] == len(migrations("postgresql"))
    for s in stores:
        s.close()


# -- one scheduler per store ----------------------------------------------------------------------------

def _try_scheduler_lock(url: str, results: Any) -> None:
    """Another process (another var dir, another machine): take the store's scheduler lock, say what happened."""
    from shopper.errors import ShopperError
    from shopper.scheduler import SchedulerLock

    lock = SchedulerLock.for_store(url)
    try:
        lock.acquire("2026-01-05T10:30:00+00:00")
    except ShopperError as e:
        results.put(str(e))
        return
    lock.release()
    results.put("acquired")


@pytest.mark.postgres
def test_one_scheduler_lock_per_postgresql_store_shared_within_a_process(pg_url):
    import os

    from shopper.scheduler import SchedulerLock

    ctx = multiprocessing.get_context("spawn")
    results = ctx.Queue()

    def other() -> str:
        p = ctx.Process(target=_try_scheduler_lock, args=(pg_url, results))
        p.start()
        p.join(timeout=60)
        return results.get(timeout=5)

    outer, inner = SchedulerLock.for_store(pg_url), SchedulerLock.for_store(pg_url)
    outer.acquire("2026-01-05T09:00:00+00:00")
    try:
        inner.acquire("2026-01-05T09:00:01+00:00")   # e.g. enqueue_on_schedule inside a caller that took it
        refused = other()
        assert refused.startswith(f"a scheduler is already running for this store (scheduler pid {os.getpid()}@")
        assert "since 2026-01-05T09:00" in refused and "one scheduler per store" in refused
        inner.release()
        assert other() != "acquired"                   # the outer holder still has it
    finally:
        outer.release()
    assert other() == "acquired"                       # released with its last holder
