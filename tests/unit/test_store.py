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
