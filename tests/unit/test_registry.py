"""The finding-kind registry: complete, the only source of fixes/breaches/severities, and checked at load time."""
import ast
import inspect
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

import checks
from checks import Observations, run_checks
from checks.registry import SEVERITIES, breach_kinds, finding_kinds, fix_for
from reports.fixes import fix_for as report_fix_for
from shopper.config import load_config
from shopper.errors import ConfigError, JourneyError
from shopper.journey import parse_journey
from shopper.model import Observation

ROOT = Path(__file__).resolve().parents[2]
KINDS = finding_kinds()


@pytest.mark.parametrize("name", sorted(KINDS))
def test_every_registered_kind_is_complete(name):
    k = KINDS[name]
    assert k.name == name and k.severity in SEVERITIES and k.process and k.fix and k.summary
    assert k.check in checks.CHECKS, f"{name} is registered by {k.check!r}, which is no check"
    assert report_fix_for(name) == fix_for(name) == k.fix   # the report reads the registry


def _emitted_literals(fn) -> set[str]:
    """Kinds a check names literally in Finding.of("kind", ...)."""
    tree = ast.parse(inspect.getsource(inspect.getmodule(fn)))
    out: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef) and node.name == fn.__name__:
            for call in ast.walk(node):
                if (isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute) and call.func.attr == "of"
                        and call.args and isinstance(call.args[0], ast.Constant)):
                    out.add(call.args[0].value)
    return out


@pytest.mark.parametrize("check_name", sorted(checks.CHECKS))
def test_every_kind_a_check_names_is_registered_by_that_check(check_name):
    fn = checks.CHECKS[check_name]
    declared = {n for n, k in KINDS.items() if k.check == check_name}
    assert declared, f"check {check_name} declares no kinds"
    literal = _emitted_literals(fn)
    assert literal <= declared, f"{check_name} emits {literal - declared} without registering them"
    # kinds a check takes from the journey (compare/count_mail `finding:`) must be nameable by journeys
    if not literal:
        assert all(KINDS[n].configurable for n in declared)


def test_a_check_that_emits_an_undeclared_kind_is_an_error():
    from shopper.model import Finding

    @checks.check("zz_test_check", kinds=[checks.FindingKind("zz_test_kind", "minor", "website", fix="x", summary="x")])
    def bad(obs):
        yield Finding.of("zz_undeclared", severity="minor", journey="j", subject="s", title="t")

    try:
        with pytest.raises(ValueError, match="zz_undeclared.*does not declare"):
            run_checks(Observations([]))
    finally:
        del checks.CHECKS["zz_test_check"]
        del checks.registry.KINDS["zz_test_kind"]


def test_breaches_come_from_the_registry():
    assert breach_kinds() == {n for n, k in KINDS.items() if k.breach}
    assert {"unanswered_email", "unanswered_form", "no_acknowledgement", "unsubscribe_ignored"} <= breach_kinds()
    assert "broken_link" not in breach_kinds()


def test_compare_severity_comes_from_the_registry():
    obs = Observation("comparison", "pay", 3, {"name": "payment", "finding": "payment_inconsistent",
                                               "consistent": False, "views": {"a": "x", "b": "y"},
                                               "labels": {"a": "paid", "b": "failed"}})
    j = SimpleNamespace(name="pay", steps=[], observations=[obs], error=None, evidence=[])
    [f] = run_checks(Observations([j]))
    assert (f.kind, f.severity) == ("payment_inconsistent", KINDS["payment_inconsistent"].severity)


JOURNEY = """name: x
steps:
  - compare:
      views: {a: "1", b: "2"}
      labels: {one: "1"}
      finding: paymnt_inconsistent
  - count_mail: {finding: broken_link}
"""


def test_finding_keys_are_checked_at_load_time_with_positions():
    with pytest.raises(JourneyError) as err:
        parse_journey(JOURNEY, "j.yaml")
    lines = [str(p) for p in err.value.problems]
    assert lines[0].startswith("j.yaml:6:16: compare.finding: 'paymnt_inconsistent' is not a finding kind of "
                               "inconsistent_views; did you mean 'payment_inconsistent'?"), lines
    assert lines[1].startswith("j.yaml:7:27: count_mail.finding: 'broken_link' is not a finding kind of "
                               "too_many_mails (it is registered, but not for this)"), lines
    assert len(lines) == 2


def test_fail_on_in_config_is_checked_with_its_position(tmp_path):
    cfg = tmp_path / "config.yaml"
    cfg.write_text("fail_on:\n  - major\n  - brokn_link\n", encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load_config(cfg, environ={})
    [p] = err.value.problems
    assert str(p) == (f"{cfg}:3:5: fail_on: 'brokn_link' is neither a severity (critical, major, minor, info) nor a "
                      "finding kind; did you mean 'broken_link'? (`runner.py kinds --findings` lists them)")


@pytest.mark.parametrize("flag, hint", [("majr", "did you mean 'major'?"), ("major,pag_error", "did you mean "
                                                                                            "'page_error'?")])
def test_fail_on_typo_exits_2_before_running(tmp_path, flag, hint):
    out = subprocess.run([sys.executable, str(ROOT / "runner.py"), "run", "--var-dir", str(tmp_path),
                          "--fail-on", flag, str(ROOT / "tests/data/journeys/good/home.yaml")],
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 2, out
    assert hint in out.stderr and "run " not in out.stdout   # nothing ran
    assert not (tmp_path / "shopper.db").exists()


def test_kinds_lists_the_registry_as_yaml():
    out = subprocess.run([sys.executable, str(ROOT / "runner.py"), "kinds", "--findings"], capture_output=True,
                         text=True, timeout=60)
    assert out.returncode == 0
    for name, k in KINDS.items():
        assert k.declared or f"\n{name}:\n" in "\n" + out.stdout   # kinds a journey declared live in its process
    assert "flags: [breach]" in out.stdout


def test_kinds_prints_yaml_defaults():
    out = subprocess.run([sys.executable, str(ROOT / "runner.py"), "kinds"], capture_output=True, text=True,
                         timeout=60)
    assert out.returncode == 0
    assert "(default 2d)" in out.stdout and "(default false)" in out.stdout
    for repr_ in ("Duration(", "None", "False", "True", "{'"):
        assert repr_ not in out.stdout


def test_every_step_kind_declares_whether_it_writes_to_the_company():
    """One declaration serves retries and the job queue: looking kinds are 'never', senders 'always'."""
    from shopper.steps.registry import WRITES, load_all, writes_of

    kinds = load_all()
    assert all(cls.writes in WRITES for cls in kinds.values())
    assert {k for k, cls in kinds.items() if cls.writes == "always"} >= {"send_email", "submit_form", "unsubscribe",
                                                                         "checkout"}
    assert writes_of("open") == writes_of("check_links") == writes_of("wait_for_mail") == "never"
    assert writes_of("click") == "may" and writes_of("no_such_kind") == "may"


def test_a_journey_that_ran_a_writing_step_is_not_retried():
    from types import SimpleNamespace

    from shopper.retries import wrote_to_anyone

    step = lambda kind, status: SimpleNamespace(kind=kind, status=status)  # noqa: E731
    assert wrote_to_anyone(SimpleNamespace(steps=[step("open", "passed"), step("send_email", "passed")],
                                           observations=[]))
    assert not wrote_to_anyone(SimpleNamespace(steps=[step("open", "passed"), step("send_email", "skipped"),
                                                      step("click", "passed")], observations=[]))
