"""Every finding kind the registry knows is rendered in the report with its fix and its evidence.

The list of kinds comes from the registry (checks/registry.py), never from a hand list here: a new kind
registered by a check is covered by this test the day it is added.
"""
from __future__ import annotations

import html as htmllib
from pathlib import Path

import pytest

import checks  # noqa: F401  (importing the checks fills the registry)
from checks.registry import finding_kinds
from reports.render import render_run
from shopper.model import Finding
from shopper.run import JourneyResult, StepResult
from shopper.store import open_store
from tests.unit.test_single_file import png

RUN = "r-kinds"
SHOP_KINDS = sorted(k.name for k in finding_kinds().values() if not k.setup)


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    """One stored run with one finding of every shop kind, each with a screenshot of its own."""
    tmp = tmp_path_factory.mktemp("kinds")
    var = tmp / "var"
    shots = var / "artifacts" / RUN / "j"
    shots.mkdir(parents=True)
    s = open_store(str(tmp / "store.db"))
    s.begin_run(RUN, "2026-01-05T09:00:00+00:00")
    steps = [StepResult(0, "open", "open /", "findings", "2026-01-05T09:00:01+00:00", 12.0, url="http://shop.test/")]
    s.save_journey(RUN, JourneyResult("j", "journeys/j.yaml", ["web"], "findings", "2026-01-05T09:00:00+00:00",
                                      50.0, steps, [], None))
    findings = []
    for n, name in enumerate(SHOP_KINDS, 1):
        shot = shots / f"step-01-{name}.png"
        shot.write_bytes(png(n + 1, 2))          # a different image per kind: none is merged with another
        k = finding_kinds()[name]
        findings.append(Finding.of(name, severity=k.severity, journey="j", subject=f"s-{name}",
                                   title=f"Title of {name}", detail=f"Detail of {name}", step=0,
                                   evidence=[f"artifacts/{RUN}/j/{shot.name}"]))
    s.save_findings(RUN, findings)
    s.finish_run(RUN, "2026-01-05T09:05:00+00:00", "findings", {"findings": len(findings)})
    index = render_run(s, RUN, var / "report", var)
    yield index.read_text(encoding="utf-8")
    s.close()


def test_the_registry_has_shop_kinds():
    assert len(SHOP_KINDS) >= 15, SHOP_KINDS


@pytest.mark.parametrize("name", SHOP_KINDS)
def test_every_registered_kind_is_shown_with_its_fix_and_evidence(report, name):
    k = finding_kinds()[name]
    start = report.index(f'data-kind="{name}"')
    ends = [i for i in (report.find('data-kind="', start + 1), report.find("</section>", start)) if i > 0]
    body = report[start:min(ends)]      # this finding's card (it may hold <details> of its own)
    assert f"Title of {name}" in body
    assert htmllib.escape(k.fix, quote=False)[:60] in htmllib.escape(htmllib.unescape(body), quote=False), k.fix
    assert f"step-01-{name}.png" in body
