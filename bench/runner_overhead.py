#!/usr/bin/env python3
"""Runner overhead: the same journey through the runner and as a plain Playwright script, one process.

Prints the median time of each over N rounds (alternating, same browser, same shop) and the ratio
runner / plain (goal <= 1.10): the median of each round's ratio, as both runs of a round see the same load.
Usage: .venv/bin/python bench/runner_overhead.py [--rounds 15] [--trace MODE]
"""
from __future__ import annotations

import argparse
import dataclasses
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from demo.shop.server import start_shop  # noqa: E402
from shopper.clock import SystemClock  # noqa: E402
from shopper.config import load_config  # noqa: E402
from shopper.journey import parse_journey  # noqa: E402
from shopper.probes import Probes  # noqa: E402
from shopper.probes.browser import BrowserProbe  # noqa: E402
from shopper.run import JourneyRunner, RunOptions  # noqa: E402
from shopper.secrets import Redactor  # noqa: E402

JOURNEY = """
name: contact_form
steps:
  - open: /
  - expect: {role: navigation}
  - open: /product/2
  - expect: {role: heading}
  - open: /contact
  - fill: {label: Name, value: Ann Example}
  - fill: {label: "/e-?mail/i", value: ann@example.test}
  - fill: {label: Message, value: "Where is my kettle?"}
  - click: {role: button, named: Submit}
  - expect: "Thank you"
"""


def plain(browser, base: str) -> None:
    """What a hand-written Playwright script does for the same journey."""
    ctx = browser.new_context(viewport={"width": 1280, "height": 800}, locale="en-GB")
    page = ctx.new_page()
    from playwright.sync_api import expect
    page.goto(base + "/")
    expect(page.get_by_role("navigation").first).to_be_visible()
    page.goto(base + "/product/2")
    expect(page.get_by_role("heading").first).to_be_visible()
    page.goto(base + "/contact")
    page.get_by_label("Name").first.fill("Ann Example")
    import re
    page.get_by_label(re.compile("e-?mail", re.I)).first.fill("ann@example.test")
    page.get_by_label("Message").first.fill("Where is my kettle?")
    page.get_by_role("button", name="Submit").first.click()
    expect(page.locator("body")).to_contain_text("Thank you")
    ctx.close()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rounds", type=int, default=15)
    ap.add_argument("--trace", default=None, choices=["on-failure", "always", "off"],
                    help="tracing mode for the runner (default: the shipped config's)")
    ap.add_argument("--snapshots", default=None, choices=["on", "off"],
                    help="DOM snapshots in traces (default: the shipped config's browser.trace_snapshots)")
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="bench-overhead-"))
    config = load_config(ROOT / "config.yaml", environ={})
    config = dataclasses.replace(config, var_dir=str(tmp), base_dir=str(ROOT))
    if args.trace:
        config = dataclasses.replace(config, browser=dataclasses.replace(config.browser, trace=args.trace))
    if args.snapshots:
        config = dataclasses.replace(config, browser=dataclasses.replace(config.browser,
                                                                         trace_snapshots=args.snapshots == "on"))
    journey = parse_journey(JOURNEY, "bench.yaml")
    with start_shop(()) as shop, BrowserProbe() as probe:
        probes = Probes.from_config(config)
        runner = JourneyRunner(config, probe, probes, SystemClock(), Redactor(), {}, "bench",
                               RunOptions(base_url=shop.url))
        raw = probe._browser
        t_runner, t_plain = [], []
        for i in range(args.rounds + 2):   # two warm-up rounds
            t0 = time.perf_counter()
            result = runner.run(journey)
            t1 = time.perf_counter()
            plain(raw, shop.url)
            t2 = time.perf_counter()
            assert result.status == "clean", [(s.label, s.error) for s in result.steps]
            if i >= 2:
                t_runner.append(t1 - t0)
                t_plain.append(t2 - t1)
        probes.close()
    r, p = statistics.median(t_runner), statistics.median(t_plain)
    # each round's two runs are back to back: their ratio sees the same load on a shared machine
    paired = statistics.median(a / b for a, b in zip(t_runner, t_plain))
    print(f"journey: {len(journey.steps)} steps, {args.rounds} rounds, trace={config.browser.trace}, "
          f"snapshots={'on' if config.browser.trace_snapshots else 'off'}")
    print(f"runner  median {r * 1000:7.1f} ms")
    print(f"plain   median {p * 1000:7.1f} ms   (ratio of the medians {r / p:.3f})")
    print(f"ratio runner/plain = {paired:.3f}  (median of the rounds' ratios; goal <= 1.10)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
