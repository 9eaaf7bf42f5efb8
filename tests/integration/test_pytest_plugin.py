"""The pytest plugin: journey files as test items, run in a pytest subprocess against the demo shop."""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CONFIG = ROOT / "config.yaml"
BROWSE = ROOT / "journeys" / "browse_shop.yaml"
HOME = ROOT / "tests" / "data" / "journeys" / "good" / "home.yaml"
BAD = ROOT / "tests" / "data" / "journeys" / "bad"
# pytester points HOME at a temp dir: keep Playwright's own Chromium findable (read before it does).
BROWSERS = os.environ.get("PLAYWRIGHT_BROWSERS_PATH") or str(Path.home() / ".cache" / "ms-playwright")
BROKEN_SHOP_FINDINGS = [
    "[minor] broken_link: Broken link to http://{host}/careers (HTTP 404)",
    "[major] broken_link: Broken link to http://social.shop-demo.test/kettleco (unreachable: DNS:",
    "[major] page_error: Page http://{host}/reviews answered HTTP 500",
    "[major] page_error: Uncaught JavaScript error on http://{host}/product/1:",
]


@pytest.fixture
def journeys_dir(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A project with journeys/: two valid journeys, one invalid, and YAML that is no journey at all."""
    monkeypatch.setenv("SHOPPER_VAR_DIR", str(pytester.path / "var"))
    monkeypatch.setenv("PLAYWRIGHT_BROWSERS_PATH", BROWSERS)
    d = pytester.mkdir("journeys")
    for src in (BROWSE, HOME, BAD / "mistakes.yaml", BAD / "not_a_journey.yaml"):
        shutil.copy(src, d / src.name)
    (d / "ci.yml").write_text("jobs:\n  audit:\n    steps: [{run: make}]\n", encoding="utf-8")
    return d


def run(pytester: pytest.Pytester, url: str, *args: str) -> pytest.RunResult:
    # `--opt=value`: pytest would otherwise take the config's directory into its rootdir guess
    return pytester.runpytest_subprocess("-p", "no:cacheprovider", f"--shopper-base-url={url}",
                                         f"--shopper-config={CONFIG}", *args, timeout=240)


@pytest.mark.browser
def test_broken_shop_fails_with_findings_and_invalid_file_with_its_positions(pytester, journeys_dir, shop_broken):
    result = run(pytester, shop_broken.url, "journeys", "-v")
    result.assert_outcomes(passed=1, failed=2)
    host = shop_broken.url.removeprefix("http://")
    result.stdout.fnmatch_lines([
        "journeys/browse_shop.yaml::browse_shop FAILED*",
        "journeys/home.yaml::home_page PASSED*",
        "journeys/mistakes.yaml::mistakes FAILED*",
    ])
    out = result.stdout.str()
    for line in BROKEN_SHOP_FINDINGS:
        assert line.format(host=host) in out
    assert "journey browse_shop (journeys/browse_shop.yaml): findings, worst major in " in out
    [header] = [line for line in out.splitlines() if line.startswith("journey browse_shop (")]
    assert "4 failing finding(s)" in header and "passed" not in header
    assert f"evidence: {pytester.path / 'var' / 'artifacts'}" in out
    assert f"report: {pytester.path / 'var' / 'reports'}" in out
    assert "journeys/mistakes.yaml: 8 problem(s)" in out
    assert "journeys/mistakes.yaml:5:5: 'clik' is not a step kind; did you mean 'click'?" in out
    assert "journeys/mistakes.yaml:12:14: step 8.timeout: expected a duration like" in out
    assert "Traceback" not in out and "pytest_plugin.py" not in out
    assert "not_a_journey" not in out and "ci.yml" not in out
    assert (pytester.path / "var" / "shopper.db").is_file()


@pytest.mark.browser
def test_k_selects_one_journey(pytester, journeys_dir, shop_broken):
    result = run(pytester, shop_broken.url, "journeys", "-k", "home", "-v")
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(["*collected 3 items / 2 deselected / 1 selected*", "*home.yaml::home_page PASSED*"])


@pytest.mark.browser
def test_x_stops_after_the_first_failing_journey(pytester, journeys_dir, shop_broken):
    result = run(pytester, shop_broken.url, "journeys", "-x")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*stopping after 1 failures*"])
    assert "home_page" not in result.stdout.str()


@pytest.mark.browser
def test_healthy_shop_passes(pytester, journeys_dir, shop_healthy):
    for name in ("mistakes.yaml",):
        (journeys_dir / name).unlink()
    result = run(pytester, shop_healthy.url, "journeys", "--junitxml=out.xml")
    result.assert_outcomes(passed=2)
    assert result.ret == pytest.ExitCode.OK
    assert 'name="browse_shop"' in (pytester.path / "out.xml").read_text(encoding="utf-8")


def test_node_ids_and_tags_select_a_journey(pytester, journeys_dir):
    config = f"--shopper-config={CONFIG}"
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "--co", "-q", config,
                                           "journeys/home.yaml::home_page")
    result.stdout.fnmatch_lines(["journeys/home.yaml::home_page", "1 test collected*"])
    by_tag = pytester.runpytest_subprocess("-p", "no:cacheprovider", "--co", "-q", config, "journeys", "-k", "catalogue")
    by_tag.stdout.fnmatch_lines(["journeys/browse_shop.yaml::browse_shop", "1/3 tests collected (2 deselected)*"])


def test_journeys_elsewhere_are_collected_only_with_the_shopper_flag(pytester, monkeypatch):
    """`pytest tests/` must not collect tests/data/journeys/ (the project's deliberately broken files)."""
    monkeypatch.setenv("SHOPPER_VAR_DIR", str(pytester.path / "var"))
    data = pytester.mkdir("tests") / "data" / "journeys" / "good"
    data.mkdir(parents=True)
    shutil.copy(HOME, data / "home.yaml")
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "--co", "-q", "tests")
    assert result.ret == pytest.ExitCode.NO_TESTS_COLLECTED
    assert "home" not in result.stdout.str()
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "--co", "-q", "tests", "--shopper")
    result.stdout.fnmatch_lines(["tests/data/journeys/good/home.yaml::home_page", "1 test collected*"])


def test_a_broken_config_is_one_collection_error(pytester, journeys_dir):
    bad = pytester.path / "bad_config.yaml"
    bad.write_text("browser:\n  headless: maybe\n", encoding="utf-8")
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "journeys", f"--shopper-config={bad}")
    result.stdout.fnmatch_lines(["*shopper config:*"])
    assert "Traceback" not in result.stdout.str()
    assert result.ret == pytest.ExitCode.INTERRUPTED


@pytest.mark.parametrize("arg, active", [
    ("journeys", True), ("journeys/web/x.yaml::x", True), ("tests/data/journeys/good", True),
    ("tests", False), ("tests/data", False), (".", False)])
def test_the_activation_rule(tmp_path, arg, active):
    from shopper.pytest_plugin import journey_roots

    assert bool(journey_roots([arg], tmp_path)) is active
    assert journey_roots([str(tmp_path / "journeys")], tmp_path / "elsewhere") == [tmp_path / "journeys"]


def test_flaky_findings_do_not_fail_an_item(tmp_path):
    from types import SimpleNamespace

    from shopper.model import Finding
    from shopper.pytest_plugin import failure_text

    j = SimpleNamespace(name="contact", path="journeys/contact.yaml", status="findings", worst="major",
                        duration_ms=900.0, error=None, evidence=[])
    flaky = Finding.of("page_error", severity="major", journey="contact", subject="s", title="HTTP 502 once",
                       evidence=["artifacts/r/x.png"], data={"flaky": True})
    real = Finding.of("broken_link", severity="minor", journey="contact", subject="t", title="Broken link")
    assert failure_text(SimpleNamespace(run_id="r1", journeys=[j], findings=[flaky]), tmp_path, None) is None
    text = failure_text(SimpleNamespace(run_id="r1", journeys=[j], findings=[flaky, real]), tmp_path, None)
    assert "[minor] broken_link: Broken link" in text and "HTTP 502 once" not in text
    assert "1 failing finding(s), run r1" in text


@pytest.mark.browser
def test_one_session_is_one_run_one_report_one_trend_point_and_setup_errors_are_errors(pytester, journeys_dir,
                                                                                      shop_broken):
    from shopper.store import open_store

    (journeys_dir / "mistakes.yaml").unlink()
    (journeys_dir / "needs_secret.yaml").write_text(
        "name: needs_secret\nsteps:\n  - open: /login\n"
        "  - fill: {label: Password, value: \"${secret:SHOPPER_I21_NEVER_SET}\"}\n", encoding="utf-8")
    result = run(pytester, shop_broken.url, "journeys", "-v")
    result.assert_outcomes(passed=1, failed=1, errors=1)   # the shopper's own set-up: ERROR, not FAILED
    result.stdout.fnmatch_lines(["*needs_secret.yaml::needs_secret ERROR*"])
    out = result.stdout.str()
    assert "setup error (the shopper's own set-up, not a finding of the site)" in out and "Traceback" not in out
    store = open_store(str(pytester.path / "var" / "shopper.db"))
    try:
        (run_,) = store.runs()   # one run for the three items
        assert sorted(j["name"] for j in store.journeys(run_.id)) == ["browse_shop", "home_page", "needs_secret"]
        assert run_.summary["journeys"] == 3
    finally:
        store.close()
    reports = list((pytester.path / "var" / "reports").iterdir())
    assert [r.name for r in reports] == [run_.id]   # one report
    assert f"report: {reports[0] / 'index.html'}" in out
    assert f"run {run_.id}: 3 journey(s): " in out   # the session's run, summed up once at the end
