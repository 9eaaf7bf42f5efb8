"""Soft checks as users write them: a kind declared in the journey or config.yaml, and a short wait of their own."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from shopper.declared_kinds import forget_declared
from shopper.errors import JourneyError
from shopper.journey import parse_journey

pytestmark = pytest.mark.browser


@pytest.fixture(autouse=True)
def forget_kinds():
    """Kinds a journey declares are registered for the process: none may leak into other tests."""
    yield
    forget_declared()


ROOT = Path(__file__).resolve().parents[2]
STOCK = """name: product_page
tags: [web]
findings:
  stock_not_shown: {title: Stock level not shown, severity: major, process: website,
                    fix: Show whether the product is in stock on its page}
steps:
  - open: /product/1
  - expect: {text: "/only \\\\d+ left in stock/i", finding: stock_not_shown}
  - expect: {text: "A line the page does not have", severity: info, within: 1s}
    name: a line it lacks
  - expect: {role: heading}
"""


def test_a_journey_declares_its_own_kind_and_soft_checks_give_up_quickly(audit, shop_healthy, tmp_path):
    (tmp_path / "product_page.yaml").write_text(STOCK)
    a = audit([tmp_path / "product_page.yaml"], base_url=shop_healthy.url)
    by_kind = {f.kind: f for f in a.findings}
    stock = by_kind["stock_not_shown"]
    assert stock.severity == "major" and stock.title.startswith("Stock level not shown: ")
    assert stock.data["fix"] == "Show whether the product is in stock on its page"
    assert by_kind["expectation_unmet"].severity == "info"
    (j,) = a.result.journeys
    assert j.status == "findings" and [s.status for s in j.steps] == ["passed", "findings", "findings", "passed"]
    soft_default, within_1s = j.steps[1].duration_ms, j.steps[2].duration_ms
    assert 4000 < soft_default < 9000, soft_default        # browser.soft_timeout (5s), not the 15 s step timeout
    assert 900 < within_1s < 4000, within_1s                # its own `within: 1s`


def test_a_kind_declared_in_config_serves_every_journey_and_fail_on(shop_healthy, tmp_path):
    cfg = tmp_path / "config.yaml"
    cfg.write_text(f"var_dir: {tmp_path / 'var'}\nfindings:\n  no_phone: {{title: No phone number, severity: minor, "
                   "process: support}\nfail_on: [no_phone]\n")
    (tmp_path / "contact.yaml").write_text(
        "name: contact\ntags: [support]\nsteps:\n  - open: /contact\n"
        "  - expect: {text: '/call us on \\\\+?[0-9 ]{8,}/i', finding: no_phone, within: 1s}\n")
    p = subprocess.run([sys.executable, str(ROOT / "runner.py"), "run", str(tmp_path / "contact.yaml"), "--config",
                        str(cfg), "--base-url", shop_healthy.url, "--no-report", "--json", str(tmp_path / "r.json")],
                       capture_output=True, text=True, timeout=120)
    assert p.returncode == 1, p.stdout + p.stderr
    (f,) = json.loads((tmp_path / "r.json").read_text())["findings"]
    assert (f["kind"], f["severity"]) == ("no_phone", "minor") and f["title"].startswith("No phone number: ")
    kinds = subprocess.run([sys.executable, str(ROOT / "runner.py"), "kinds", "--findings", "--config", str(cfg)],
                           capture_output=True, text=True, timeout=60)
    after = kinds.stdout.split("no_phone:\n", 1)[1].splitlines()
    listed = [line for line in after[:next(i for i, x in enumerate(after + ["end"]) if not x.startswith("    "))]]
    assert {"    severity: minor", "    process: Support (support)", "    flags: [configurable, declared]"} <= set(listed)


def test_a_declared_kind_may_not_take_a_built_in_name_and_typos_are_located():
    with pytest.raises(JourneyError) as e:
        parse_journey("name: t\nfindings:\n  broken_link: {title: x}\nsteps:\n"
                      "  - expect: {text: y, finding: stock_not_shwn}\n", "t.yaml")
    problems = [str(p) for p in e.value.problems]
    assert problems[0].startswith("t.yaml:3:3: findings.broken_link: finding kind 'broken_link' is built in")
    assert problems[1].startswith("t.yaml:5:32: expect.finding: 'stock_not_shwn' is not a finding kind")
    assert "declare a new one under `findings:`" in problems[1]
