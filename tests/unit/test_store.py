"""SQLite store: migrations once, runs round-trip, previous run lookup."""
from types import SimpleNamespace

from shopper.model import Finding, Observation
from shopper.store import open_store
from shopper.store.migrate import migrations


def test_migrations_apply_once_and_record_version(tmp_path):
    s = open_store(str(tmp_path / "s.db"))
    v = s.schema_version
    assert v == max(m[0] for m in migrations())
    s.close()
    s2 = open_store(f"sqlite:///{tmp_path / 's.db'}")
    assert s2.schema_version == v
    assert s2.query("SELECT COUNT(*) FROM schema_version")[0][0] == len(migrations())
    assert s2.query("PRAGMA journal_mode")[0][0] == "wal"


def test_run_round_trip_and_previous(tmp_path):
    s = open_store(str(tmp_path / "s.db"))
    s.begin_run("r1", "2026-01-01T00:00:00+00:00")
    step = SimpleNamespace(index=0, kind="open", label="open /", status="passed", started_at="t", duration_ms=5.0,
                           detail="ok", error=None, evidence=[], url="http://x.test/", title="<b>T</b>", line=4)
    j = SimpleNamespace(name="j", path="j.yaml", site=None, tags=["web"], status="passed", started_at="t",
                        duration_ms=9.0, error=None, evidence=[], blocked_requests={"t.test": 2}, steps=[step],
                        observations=[Observation("page", "j", 0, {"url": "u", "title": "T"}, "t")])
    s.save_journey("r1", j)
    f = Finding.of("broken_link", severity="minor", journey="j", subject="http://x.test/404", title="Broken")
    s.save_findings("r1", [f])
    s.finish_run("r1", "2026-01-01T00:01:00+00:00", "findings", {"findings": 1})
    s.begin_run("r2", "2026-01-02T00:00:00+00:00")
    s.finish_run("r2", "2026-01-02T00:01:00+00:00", "clean", {"findings": 0})
    assert s.last_run().id == "r2"
    assert s.previous_run("r2").id == "r1"
    assert s.previous_run("r1") is None
    (jr,) = s.journeys("r1")
    assert jr["steps"][0]["title"] == "<b>T</b>" and jr["blocked"] == {"t.test": 2}
    assert s.findings("r1")[0]["fingerprint"] == f.fingerprint
    assert s.observations("r1", "page")[0]["data"] == {"url": "u", "title": "T"}


def test_previous_run_is_the_latest_run_of_the_same_journeys(tmp_path):
    """B7: a score change compares like with like, not a run of six journeys with a run of one."""
    s = open_store(str(tmp_path / "s.db"))

    def run(run_id, day, names):
        s.begin_run(run_id, f"2026-01-0{day}T00:00:00+00:00")
        for n in names:
            s.save_journey(run_id, SimpleNamespace(name=n, path=f"{n}.yaml", site=None, tags=[], status="clean",
                                                   started_at="t", duration_ms=1.0, error=None, evidence=[],
                                                   blocked_requests={}, steps=[], observations=[]))
        s.finish_run(run_id, f"2026-01-0{day}T00:01:00+00:00", "clean", {"score": 90})

    run("all-1", 1, ["a", "b"])
    run("a-only", 2, ["a"])
    run("all-2", 3, ["b", "a"])
    assert s.previous_run("all-2").id == "all-1"
    assert s.previous_run("a-only") is None
    s.close()
