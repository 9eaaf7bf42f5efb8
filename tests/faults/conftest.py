"""The faults suite: per-case figures (messages lost, false breaches, fuzz cases, crashes) and their summary.

Each test that can lose or double-count something records what it measured through the `figures`
fixture *before* asserting, so the summary shows the real numbers even when a case fails. At the end
of the session the figures go to var/test-artifacts/faults-summary.json and a short table is printed.
"""
from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SUMMARY = ROOT / "var" / "test-artifacts" / "faults-summary.json"
FIGURES = ("messages_lost", "messages_doubled", "false_breaches", "fuzz_cases", "crashes")


@dataclass
class CaseFigures:
    """What one fault case measured; `lost`/`doubled` compare what should be stored with what is."""

    messages_lost: int = 0
    messages_doubled: int = 0
    false_breaches: int = 0
    fuzz_cases: int = 0
    crashes: int = 0

    def messages(self, expected: int, found: int) -> None:
        """Messages (or expectations, sent mails) that should exist once: `found` of `expected`."""
        self.messages_lost += max(0, expected - found)
        self.messages_doubled += max(0, found - expected)

    def breaches(self, count: int) -> None:
        self.false_breaches += count

    def fuzz(self, cases: int, crashes: int) -> None:
        self.fuzz_cases += cases
        self.crashes += crashes


_cases: dict[str, dict] = {}


@pytest.fixture
def figures(request) -> CaseFigures:
    """Record what this case measured (see CaseFigures)."""
    fig = CaseFigures()
    request.node.stash[_FIG] = fig
    return fig


_FIG = pytest.StashKey[CaseFigures]()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if "faults" not in item.keywords:
        return
    case = _cases.setdefault(item.nodeid, {"outcome": "passed"})
    if report.skipped and report.when in ("setup", "call"):
        case["outcome"] = "skipped"
        case["reason"] = str(report.longrepr[-1]) if isinstance(report.longrepr, tuple) else str(report.longrepr)
    elif report.failed:
        case["outcome"] = "failed" if report.when == "call" else "error"
    if report.when == "teardown":
        fig = item.stash.get(_FIG, None)
        case.update(asdict(fig) if fig else {})


def pytest_terminal_summary(terminalreporter):
    if not _cases:
        return
    ran = {k: v for k, v in _cases.items() if v["outcome"] != "skipped"}
    totals = {"cases_run": len(ran), "survived": sum(v["outcome"] == "passed" for v in ran.values()),
              "skipped": len(_cases) - len(ran)}
    for name in FIGURES:
        totals[name] = sum(v.get(name, 0) for v in _cases.values())
    SUMMARY.parent.mkdir(parents=True, exist_ok=True)
    SUMMARY.write_text(json.dumps({"totals": totals, "cases": _cases}, indent=2))
    tr = terminalreporter
    tr.section("faults summary")
    goals = {"messages_lost": 0, "messages_doubled": 0, "false_breaches": 0, "crashes": 0}
    for name, value in totals.items():
        goal = f"(goal {goals[name]})" if name in goals else ""
        tr.write_line(f"  {name:<18} {value:>6} {goal}")
    for nodeid, case in _cases.items():
        if case["outcome"] == "skipped":
            tr.write_line(f"  skipped: {nodeid}: {case.get('reason', '')}")
    tr.write_line(f"  written to {SUMMARY.relative_to(ROOT)}")
