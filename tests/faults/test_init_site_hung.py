"""`init-site` on a site whose pages loop forever: the watchdog ends the phase that hung (its route is noted as not
surveyed, the rest is surveyed and the profile written); a home page that loops is one line and exit 2. Before the
guard the command waited for ever on such a page."""
from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

from shopper.config import load_site_file
from tests.fixtures.pages import serve_pages

pytestmark = [pytest.mark.browser, pytest.mark.faults]
ROOT = Path(__file__).resolve().parents[2]
LOOP = b"<script>addEventListener('load', () => setTimeout(() => { for (;;) {} }, 50));</script>"
HOME = (b"<!doctype html><title>Shop</title><nav><a href='/contact'>Contact us</a> <a href='/account'>My account</a>"
        b"</nav><main><h1>Welcome</h1><a href='/product/1'>A very fine teapot</a></main>")
PAGES = {
    "/": HOME,
    "/loop/": b"<!doctype html><title>busy</title><main><h1>Welcome</h1></main>" + LOOP,
    "/contact": b"<!doctype html><title>Contact</title><main><h1>Contact</h1></main>" + LOOP,
    "/product/1": (b"<!doctype html><title>Teapot</title><main><h1>A very fine teapot</h1>"
                   b"<button>Add to basket</button></main>"),
}


@pytest.fixture
def site(tmp_path):
    cfg = tmp_path / "config.yaml"
    cfg.write_text("var_dir: var\nbrowser: {step_timeout: 3s, journey_timeout: 6s}\n")
    with serve_pages(PAGES) as base:
        yield base, cfg


def init_site(url: str, cfg: Path, out: Path) -> tuple[subprocess.CompletedProcess, float]:
    t0 = time.monotonic()
    run = subprocess.run([sys.executable, str(ROOT / "runner.py"), "init-site", url, "--out", str(out),
                          "--config", str(cfg)], capture_output=True, text=True, timeout=240, cwd=cfg.parent)
    return run, time.monotonic() - t0


def test_a_route_that_hangs_costs_its_phase_only(site, tmp_path):
    url, cfg = site
    out = tmp_path / "shop.yaml"
    run, took = init_site(url, cfg, out)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "Traceback" not in run.stderr
    text = out.read_text()
    assert "not surveyed: a page stopped responding" in text, text
    found = load_site_file(out).vars
    assert found["product_path"] == "/product/1", text          # the phases after the hung one still ran
    assert found.get("contact_path") in (None, ""), text
    assert took < 200, took


def test_a_home_page_that_hangs_is_one_line_and_exit_2(site, tmp_path):
    url, cfg = site
    run, took = init_site(url + "/loop/", cfg, tmp_path / "x.yaml")
    assert run.returncode == 2, run.stdout + run.stderr
    assert "Traceback" not in run.stderr
    assert "stopped responding" in run.stderr and "init-site cannot survey it" in run.stderr, run.stderr
    assert not (tmp_path / "x.yaml").exists()
    assert took < 120, took
