"""History per journey across subset runs: 'fixed' and 'new' only when the same journey ran again; the score-drop
alert compares each process with its own last result."""
from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import pytest

from reports.history import history
from shopper.alerts import AlertsConfig, WebhookConfig, alert_after
from shopper.clock import ManualClock
from shopper.store import open_store

ROOT = Path(__file__).resolve().parents[2]
BROWSE = ROOT / "journeys/browse_shop.yaml"
HOME = ROOT / "tests/data/journeys/good/home.yaml"
FAILS_EARLY = ROOT / "tests/data/journeys/cases/fails_early.yaml"


def counts(a, run_id=None):
    run_id = run_id or a.result.run_id
    h = history(a.store, run_id, a.store.findings(run_id))
    return len(h.new), len(h.recurring), len(h.fixed)


@pytest.mark.browser
def test_fixed_and_new_only_when_the_same_journey_ran_again(audit, shop_broken, shop_healthy):
    first = audit([BROWSE, HOME], base_url=shop_broken.url)
    assert counts(first) == (4, 0, 0)
    only_home = audit([HOME], base_url=shop_healthy.url)          # a subset: browse_shop did not run
    assert counts(only_home) == (0, 0, 0)                        # nothing of browse_shop is "fixed"
    again = audit([BROWSE], base_url=shop_broken.url)             # browse_shop again, the same defects
    assert counts(again) == (0, 4, 0)                            # recurring, not new
    h = history(again.store, again.result.run_id, again.store.findings(again.result.run_id))
    assert {f["runs"] for f in h.recurring} == {2}               # its 2 runs, not the 3 runs of the store
    healthy = audit([BROWSE], base_url=shop_healthy.url)
    fixed = history(healthy.store, healthy.result.run_id, []).fixed
    assert sorted(f["kind"] for f in fixed) == ["broken_link", "broken_link", "page_error", "page_error"]


@pytest.mark.browser
def test_an_incomplete_run_of_a_journey_fixes_nothing(audit, shop_healthy, tmp_path):
    first = audit([FAILS_EARLY], base_url=shop_healthy.url, environ={"SHOPPER_SITE_PASSWORD": "x"})
    assert counts(first) == (1, 0, 0)
    # the same journey, now stopping at its first step: its earlier finding is not "fixed", just unknown
    stops = tmp_path / "fails_early.yaml"
    stops.write_text("name: fails_early\nsteps:\n  - open: /\n  - expect: A different sentence\n    timeout: 1s\n"
                     "  - expect: x\n", encoding="utf-8")
    second = audit([stops], base_url=shop_healthy.url, environ={"SHOPPER_SITE_PASSWORD": "x"})
    assert second.result.journeys[0].status == "incomplete"
    assert counts(second)[2] == 0


NOW = datetime(2026, 1, 5, 9, 0, tzinfo=timezone.utc)


def add_run(store, clock, run_id, processes):
    store.begin_run(run_id, clock.now().isoformat())
    store.finish_run(run_id, clock.now().isoformat(), "clean", {"processes": processes, "score": 0})
    clock.advance(hours=1)


def test_score_drop_compares_each_process_with_its_own_last_result(tmp_path, webhook):
    store = open_store(str(tmp_path / "s.db"))
    clock = ManualClock(NOW)
    config = AlertsConfig(webhook=WebhookConfig(url=webhook.url), on=["score_drop"], score_drop=10)

    def alert(run_id):
        return alert_after(config, store, run_id, clock.now(), smtp_settings=None, sender_address="s@example.test",
                           environ={})

    try:
        add_run(store, clock, "r1", {"support": 80, "web": 100})
        add_run(store, clock, "r2", {"payment": 40})          # another subset: not a drop of anything
        assert alert("r2") == []
        add_run(store, clock, "r3", {"support": 75})          # 5 below its own last result (r1), not 40
        assert alert("r3") == []
        add_run(store, clock, "r4", {"web": 60, "payment": None})   # web: 40 below r1; payment incomplete
        assert len(alert("r4")) == 1
        body = webhook.requests[-1].json()
        assert body["title"] == "web score 60 (-40), down from 100"
        assert (body["score"], body["previous_score"]) == (60, 100)
        add_run(store, clock, "r5", {"payment": 25, "support": 60})   # payment vs r2 (40): -15; support vs r3: -15
        assert len(alert("r5")) == 1
        assert webhook.requests[-1].json()["title"] == ("payment score 25 (-15), down from 40; "
                                                        "support score 60 (-15), down from 75")
    finally:
        store.close()
