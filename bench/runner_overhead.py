#!/usr/bin/env python3
"""Runner overhead: the same journey through the runner and as a plain Playwright script, one process.

The runner's part is what an attempt runs (shopper/attempts.py): the journey, its checks, and the decision
to keep or drop its trace. Prints the median time of each over N rounds (alternating, same browser, same
shop) and the ratio runner / plain (goal <= 1.10): the median of each round's ratio, as both runs of a round
see the same load. It also prints the ratio against plain Playwright recording a trace as Playwright Test's
retain-on-failure does (the evidence the runner keeps of a failing journey), for comparison only.
With --messages it also prints the messages each sends to Playwright's driver (each a round trip of about a
millisecond, more on a busy machine; the fire-and-forget ones are not waited for, but answered all the same).
Usage: .venv/bin/python bench/runner_overhead.py [--rounds 21] [--trace MODE] [--messages]

Where the runner's time went (10-step journey, default config, 2 cores; ms per journey, wall clock):

    cause                                 first      then       now
    settle: a look after each action      58 (7)     42 (8)     ~25 (7)  one DevTools Runtime.evaluate; a
                                                                         loading document is waited for in
                                                                         the page (was: wait_for_load_state
                                                                         and a second look); a loaded one is
                                                                         answered at once, no promise
    page.title() after a new URL          17 (3)      0          0       the look brings the title
    trace groups (group + group_end)      25 (20)     0          0       written into a part once it is kept
    trace start / stop + zip              12          7          ~4 (5)  a clean journey's part is dropped
                                                                         unsaved (was: zipped, grouped,
                                                                         scanned for secrets, deleted)
    stacks sent while tracing            ~8 (41)    ~4 (19)     ~3 (17)  Playwright's, one a call, each
                                                                         answered; the trace starts once the
                                                                         page is set up
    block_hosts as a route in the context  (below)   (below)      0      the reach proxy drops them: no
                                                                         request interception, HTTP cache on;
                                                                         removing the route took 1.20 to 1.12
    settle script's beforeunload listener  (below)   (below)      0      every navigation waited for the old
                                                                         renderer (1-2% in A/B runs)
    watchdog (a thread a step)             6          0.5        0.5     one thread for the run
    context: proxy, init script, route     7          7         ~5       (the route's cost was underrated)
    observers, redaction, results          6          6          6       Python
    ratio                                 1.25       1.20       1.09-1.15 (runs of 21-41 rounds; 200
                                                                         alternating rounds: 1.107 median,
                                                                         1.122 mean)
(n) = messages to the driver: 100 a journey first, 49 now (plain: 14); see --messages. Every message is
answered, so the Python side handles 2 x 49 (plain: 2 x 14) and each costs it ~0.15 ms of CPU.

Measured side by side in one process (22 rounds, plain Playwright plus each part): the trace alone costs
plain 2-4%, the settle looks and their script 6-8%, both together 10-13%: the looks cost more while a trace
records. Per step (25 rounds): a look after a fill costs ~2 ms and saves the next action as much (dropping
them all measured no gain over 40 rounds); a look after a load or a submitted form costs 4-13 ms, of which
the next action gets back about half (the first action in a new document builds Playwright's helper script
there either way). This machine's rounds vary by +-3% between runs of the same code: compare changes in one
process, alternating, over 60 rounds or more.

What each part costs, taken out of the runner one at a time (70 alternating rounds, one process; median of the
paired ratios): the runner as shipped 1.115; without its trace 1.101; without the settle (no script, no
DevTools session, no looks) 1.065; without both 1.052 (a title round trip per new page comes back then). So:
settle ~5%, trace 1.5-3.5% (other runs), the rest ~4%: the context's set-up and close, and the runner's own
Python, 9-11 ms a journey between driver calls (ours ~3 ms: redaction, reach checks, templates, watchdog;
Playwright's message handling; garbage collection 2 ms more than plain's). A look right after a load waits for
the renderer's own work after the load: the first DevTools evaluate after a goto costs 12 ms on a context's
first page and 4 ms on later ones, an evaluate of `1` just as much, a second look 1.5-1.8 ms. Every part left
is a round trip that carries a feature (the settle, the evidence); none is waste that can go unseen.
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

from checks import Observations, run_checks  # noqa: E402
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


def plain(browser, base: str, traced: bool = False) -> None:
    """What a hand-written Playwright script does for the same journey; `traced`: recording a trace as Playwright
    Test's retain-on-failure does (dropped, as the journey passes), the evidence the runner keeps of a failure."""
    ctx = browser.new_context(viewport={"width": 1280, "height": 800}, locale="en-GB")
    if traced:
        ctx.tracing.start(screenshots=False, snapshots=False, sources=False)
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
    if traced:
        ctx.tracing.stop_chunk()
    ctx.close()


def attempt(runner, journey):
    """What an attempt of the runner costs (shopper/attempts.py, without the store): the journey, its checks,
    and with them the trace's fate (a clean journey's is dropped unsaved)."""
    result = runner.run(journey)
    findings = run_checks(Observations([result]))
    runner.keep_trace_if_failing(result, findings)
    return result, findings


def count_messages(runner, journey, browser, base: str) -> None:
    """The messages one run of each sends to the driver (a private hook of Playwright's: a bench tool only)."""
    from collections import Counter

    from playwright._impl import connection

    sent: Counter = Counter()
    original = connection.Connection.send_message_to_server

    def spy(self, obj, method, params, options):
        sent[(obj._type, method)] += 1
        return original(self, obj, method, params, options)

    connection.Connection.send_message_to_server = spy
    try:
        attempt(runner, journey)   # warm
        sent.clear()
        attempt(runner, journey)
        mine = sent.copy()
        sent.clear()
        plain(browser, base)
        theirs = sent.copy()
    finally:
        connection.Connection.send_message_to_server = original
    steps = len(journey.steps)
    print(f"messages to the driver: runner {sum(mine.values())} ({sum(mine.values()) / steps:.1f} a step), "
          f"plain {sum(theirs.values())} ({sum(theirs.values()) / steps:.1f} a step)")
    for key in sorted(set(mine) | set(theirs), key=lambda k: (-mine[k], k)):
        print(f"  {mine[key]:4d} {theirs[key]:4d}  {key[0]}.{key[1]}")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rounds", type=int, default=21)
    ap.add_argument("--trace", default=None, choices=["on-failure", "always", "off"],
                    help="tracing mode for the runner (default: the shipped config's)")
    ap.add_argument("--messages", action="store_true",
                    help="also count the messages each sends to Playwright's driver, by method")
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
        if args.messages:
            count_messages(runner, journey, raw, shop.url)
        t_runner, t_plain, t_traced = [], [], []
        for i in range(args.rounds + 2):   # two warm-up rounds
            t0 = time.perf_counter()
            result, findings = attempt(runner, journey)
            t1 = time.perf_counter()
            plain(raw, shop.url)
            t2 = time.perf_counter()
            plain(raw, shop.url, traced=True)
            t3 = time.perf_counter()
            assert result.status == "finished" and not findings, [(s.label, s.error) for s in result.steps]
            if i >= 2:
                t_runner.append(t1 - t0)
                t_plain.append(t2 - t1)
                t_traced.append(t3 - t2)
        runner.close()
        probes.close()
    r, p = statistics.median(t_runner), statistics.median(t_plain)
    # each round's two runs are back to back: their ratio sees the same load on a shared machine
    paired = statistics.median(a / b for a, b in zip(t_runner, t_plain))
    print(f"journey: {len(journey.steps)} steps, {args.rounds} rounds, trace={config.browser.trace}, "
          f"snapshots={'on' if config.browser.trace_snapshots else 'off'}")
    print(f"runner  median {r * 1000:7.1f} ms")
    print(f"plain   median {p * 1000:7.1f} ms   (ratio of the medians {r / p:.3f})")
    print(f"ratio runner/plain = {paired:.3f}  (median of the rounds' ratios; goal <= 1.10)")
    traced = statistics.median(a / b for a, b in zip(t_runner, t_traced))
    print(f"for comparison: runner/plain recording a trace as retain-on-failure does = {traced:.3f}; "
          f"that trace alone costs plain {statistics.median(b / a for a, b in zip(t_plain, t_traced)):.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
