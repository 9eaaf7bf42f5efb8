""""Not applicable" is an outcome, not a finding: a step that finds the journey does not apply ends it with a
reason; a site profile declares a journey, an optional step or a variable (null) not applicable. Never scored,
alerted or failed in CI (exit status, JUnit skipped, the pytest plugin skips)."""
from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from shopper.config import JourneySettings, SiteProfile, load_config
from shopper.errors import ConfigError, NotApplicable
from shopper.publish import summary_lines
from shopper.verdict import verdict
from shopper.steps.compare import Compare

pytestmark = pytest.mark.browser
ROOT = Path(__file__).resolve().parents[2]
HOME = ROOT / "tests/data/journeys/good/home.yaml"

PAYS = """name: pays_by_card
tags: [payment]
steps:
  - open: /
  - compare: {name: card, views: {a: x, b: x}, labels: {x: x}}
  - expect: "this text is on no page and must never be looked for"
"""
TRACKS = """name: tracks
tags: [tracking]
variables: {tracking_link: "/track/i"}
steps:
  - open: /
  - expect: {role: navigation}
    name: navigation shown
  - check_tracking: {role: link, named: "${tracking_link}", shows: "x"}
  - expect: {text: "${order_word}"}
"""


def write(tmp_path: Path, name: str, text: str) -> Path:
    p = tmp_path / f"{name}.yaml"
    p.write_text(text, encoding="utf-8")
    return p


@pytest.fixture
def no_card(monkeypatch):
    """The `compare` step of PAYS finds the shop offers no card payment (as `checkout` does on such a shop)."""
    def run(self, ctx):
        raise NotApplicable("the shop offers no card payment")
    monkeypatch.setattr(Compare, "run", run)


def test_a_step_raising_not_applicable_ends_the_journey_unscored(audit, shop_healthy, tmp_path, no_card):
    a = audit([write(tmp_path, "pays", PAYS), HOME], base_url=shop_healthy.url)
    pays, home = a.result.journeys
    assert (pays.status, pays.reason, pays.error) == ("not_applicable", "the shop offers no card payment", None)
    assert [s.status for s in pays.steps] == ["passed", "not_applicable", "skipped"]   # nothing after it runs
    assert a.findings == []
    s = a.result.summary()
    assert s["processes"] == {"website": 100} and s["statuses"]["not_applicable"] == 1   # 'payment' is not scored
    assert a.result.status == "clean"                # the home page was audited and is clean
    run_json = a.result.to_json()
    assert run_json["journeys"][0]["reason"] == "the shop offers no card payment"
    assert verdict(a.result.record(), [])[0] == 0             # never a failed CI
    assert any("not applicable (not scored): pays_by_card: the shop offers no card payment" in line
               for line in summary_lines(a.result.record()))
    stored = {j["name"]: (j["status"], j["reason"]) for j in a.store.journeys(a.result.run_id)}
    assert stored["pays_by_card"] == ("not_applicable", "the shop offers no card payment")

    from reports.junit import junit_xml
    case = ET.fromstring(junit_xml(a.result.record())).find(".//testcase[@name='pays_by_card']")
    assert case.find("skipped").get("message") == "not applicable: the shop offers no card payment"
    assert case.find("failure") is None and case.find("error") is None

    from reports.render import render_run
    report = render_run(a.store, a.result.run_id, tmp_path / "report", a.config.var_path)
    html = report.read_text(encoding="utf-8")
    assert "Not applicable, not scored: the shop offers no card payment" in html


def test_a_run_of_only_not_applicable_journeys_is_never_clean(audit, shop_healthy, tmp_path, no_card):
    a = audit([write(tmp_path, "pays", PAYS)], base_url=shop_healthy.url)
    assert a.result.status == "not_applicable" and a.result.summary()["score"] is None


def profile(**journeys) -> dict:
    return {"shop": SiteProfile(base_url="http://shop.test", vars={"order_word": None},
                                journeys={k: JourneySettings(**v) for k, v in journeys.items()})}


def test_profile_declares_a_journey_not_applicable(audit, shop_healthy, tmp_path):
    a = audit([write(tmp_path, "pays", PAYS), HOME], base_url=shop_healthy.url, site="shop",
              sites=profile(pays_by_card={"not_applicable": "cash on delivery only"}))
    pays = a.result.journeys[0]
    assert (pays.status, pays.reason) == ("not_applicable", "cash on delivery only")
    assert all(s.status == "skipped" for s in pays.steps) and pays.observations == []   # it never started
    assert a.findings == [] and a.result.status == "clean"


def test_profile_declares_a_step_and_a_variable_absent(audit, shop_healthy, tmp_path):
    """`steps: {check_tracking: reason}` and `vars: {order_word: null}`: skipped with a note, the journey is clean;
    per-journey vars reach only their journey."""
    a = audit([write(tmp_path, "tracks", TRACKS)], base_url=shop_healthy.url, site="shop",
              sites=profile(tracks={"steps": {"check_tracking": "parcels are collected in store"}}))
    j = a.result.journeys[0]
    assert [s.status for s in j.steps] == ["passed", "passed", "not_applicable", "not_applicable"]
    assert j.steps[2].detail == "not applicable: parcels are collected in store"
    assert "declares order_word absent" in j.steps[3].detail
    assert j.status == "clean" and a.findings == []


def test_per_journey_vars_reach_only_their_journey(audit, shop_healthy, tmp_path):
    a = audit([write(tmp_path, "tracks", TRACKS), write(tmp_path, "pays", PAYS)], base_url=shop_healthy.url,
              site="shop", sites=profile(tracks={"vars": {"order_word": "Kettle"},
                                                 "steps": {"navigation shown": "not this theme",
                                                           "check_tracking": "parcels are collected"}}))
    tracks, pays = a.result.journeys
    assert tracks.steps[1].status == "not_applicable"         # by the step's name
    assert tracks.steps[3].status == "passed"                 # ${order_word} set for this journey only
    assert pays.status in ("clean", "findings", "incomplete")  # the other journey ran as usual


def test_profile_declarations_are_validated_with_their_place(tmp_path):
    cfg = tmp_path / "config.yaml"
    cfg.write_text("sites:\n  shop:\n    base_url: http://shop.test\n    journeys:\n      retry_payment:\n"
                   "        not_applicable: [no]\n        step: {x: y}\n", encoding="utf-8")
    with pytest.raises(ConfigError) as e:
        load_config(cfg, environ={})
    where = [str(p) for p in e.value.problems]
    assert any(w.startswith(f"{cfg}:6:25:") for w in where), where
    assert any(w.startswith(f"{cfg}:7:9:") and "steps" in w for w in where), where   # did you mean 'steps'?


def test_pytest_plugin_skips_a_not_applicable_journey(pytester, shop_healthy, monkeypatch):
    import os
    monkeypatch.setenv("SHOPPER_VAR_DIR", str(pytester.path / "var"))
    monkeypatch.setenv("PLAYWRIGHT_BROWSERS_PATH", os.environ.get("PLAYWRIGHT_BROWSERS_PATH")
                       or str(Path.home() / ".cache" / "ms-playwright"))
    d = pytester.mkdir("journeys")
    (d / "pays.yaml").write_text("name: pays_by_card\ntags: [payment]\nsteps:\n  - open: /\n", encoding="utf-8")
    cfg = pytester.mkdir("cfg") / "config.yaml"
    cfg.write_text(f"sites:\n  shop:\n    base_url: {shop_healthy.url}\n    journeys:\n"
                   "      pays_by_card: {not_applicable: cash on delivery only}\n", encoding="utf-8")
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", f"--shopper-config={cfg}",
                                           "--shopper-site=shop", "-rs", "journeys", timeout=240)
    result.assert_outcomes(skipped=1)
    result.stdout.fnmatch_lines(["*not applicable: cash on delivery only*"])


def test_a_step_declaration_that_names_no_step_is_a_warning(tmp_path):
    import dataclasses as dc

    from shopper.audit import select_journeys
    from shopper.config import Config

    config = dc.replace(Config(), sites=profile(tracks={"steps": {"check_trackin": "typo", "navigation shown": "ok"}}))
    sel = select_journeys([write(tmp_path, "tracks", TRACKS)], config)
    assert sel.warnings() == ["warning: site profile 'shop': journeys: tracks: steps: 'check_trackin' names no step "
                              "of tracks (a step's name or kind)"]
