#!/usr/bin/env python3
"""Bench: what a demo journey costs and how runs scale, all measured in this one run (nothing typed in).

Against a demo shop that answers each page after --delay-ms (in a process of its own, not counted):
  1. the baseline: `runner.py run` of the code at --baseline (a git revision, extracted to a temp dir),
     16 journeys, one worker;
  2. this checkout, the same 16 journeys, one worker;
  3. this checkout, the same 16 journeys, --workers 4 (results must be identical to 2);
  4. this checkout, --memory-journeys (100) journeys, one worker: peak memory.
Every run is `runner.py run` in a child process whose whole tree is measured: our Python, the Playwright
driver (node) and Chromium (bench/proctree.py). Prints the ratios with their goals and, where a goal is
missed, the CPU split by process kind that says why.
Usage: .venv/bin/python bench/workers.py [--journeys 16] [--workers 4] [--delay-ms 300] [--baseline REV]
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from proctree import TreeUsage, measure  # noqa: E402

# The commit before issue 13 ("cheaper journeys"): a full Chromium per worker, every request routed.
BASELINE = "9c2bfd6"
JOURNEY = """name: browse_{n:03d}
tags: [web]
steps:
  - open: /
  - expect: {{role: navigation}}
  - open: /product/{p}
  - expect: {{role: heading}}
  - open: /contact
  - expect: "/contact/i"
"""


SHOP = """import sys
sys.path.insert(0, sys.argv[1])
from demo.shop.server import start_shop
with start_shop((), delay_ms=int(sys.argv[2])) as shop:
    print(shop.url, flush=True)
    sys.stdin.read()   # until the bench closes our stdin
"""


class Shop:
    """The demo shop in a process of its own: its CPU is not the tree's, and sampling does not slow it down."""

    def __init__(self, delay_ms: int):
        self.proc = subprocess.Popen([sys.executable, "-c", SHOP, str(ROOT), str(delay_ms)], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, text=True)
        self.url = self.proc.stdout.readline().strip()
        if not self.url.startswith("http"):
            raise SystemExit("the demo shop did not start")

    def __enter__(self) -> "Shop":
        return self

    def __exit__(self, *exc: object) -> None:
        self.proc.stdin.close()
        self.proc.wait(timeout=30)


def write_journeys(where: Path, count: int) -> Path:
    where.mkdir(parents=True)
    for n in range(count):
        (where / f"browse_{n:03d}.yaml").write_text(JOURNEY.format(n=n, p=n % 3 + 1))
    return where


def extract(revision: str, into: Path) -> Path:
    """The tree of `revision` (git archive), to run the baseline from."""
    archive = into / "baseline.tar"
    with archive.open("wb") as fh:
        subprocess.run(["git", "-C", str(ROOT), "archive", "--format=tar", revision], stdout=fh, check=True)
    tree = into / "baseline"
    with tarfile.open(archive) as tar:
        tar.extractall(tree, filter="data")
    return tree


def run(tree: Path, journeys: Path, base_url: str, workers: int, out: Path) -> tuple[TreeUsage, dict]:
    """`runner.py run` of `tree` in a child process; (its tree's usage, the run JSON)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SHOPPER_")}
    cmd = [sys.executable, str(tree / "runner.py"), "run", str(journeys), "--base-url", base_url,
           "--workers", str(workers), "--json", str(out / "run.json"), "--var-dir", str(out / "var"), "--no-report"]
    usage = measure(cmd, env=env, cwd=out.parent)
    if usage.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(cmd)} failed ({usage.returncode}):\n{usage.stderr[-3000:]}")
    return usage, json.loads((out / "run.json").read_text())


def outcome(run_json: dict) -> tuple[list, list]:
    return ([(j["name"], j["status"]) for j in run_json["journeys"]],
            sorted(f["fingerprint"] for f in run_json["findings"]))


def startup_s(run_json: dict) -> float:
    """Seconds from the run's start to its first journey's: the workers' start-up (Python, driver, Chromium)."""
    from datetime import datetime

    first = min(datetime.fromisoformat(j["started_at"]) for j in run_json["journeys"])
    return (first - datetime.fromisoformat(run_json["started_at"])).total_seconds()


def profile(name: str, usage: TreeUsage, journeys: int) -> str:
    rows = sorted(usage.cpu_by_kind.items(), key=lambda kv: -kv[1])
    lines = [f"  {name}: {usage.cpu_s:.2f} CPU-s in {usage.wall_s:.1f} s wall; by process kind (sampled):"]
    lines += [f"    {k:<26} {v:6.2f} s  {v / journeys:5.3f} s/journey  ({usage.processes_by_kind.get(k, 0)} processes)"
              for k, v in rows if v >= 0.005]
    lines.append(f"    memory at the peak (PSS {usage.peak_pss_mb:.0f} MB): " + ", ".join(
        f"{k} {v:.0f} MB" for k, v in sorted(usage.pss_at_peak_by_kind.items(), key=lambda kv: -kv[1]) if v >= 1))
    return "\n".join(lines)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__)
    ap.add_argument("--journeys", type=int, default=16)
    ap.add_argument("--workers", type=int, default=4)
    ap.add_argument("--delay-ms", type=int, default=300)
    ap.add_argument("--memory-journeys", type=int, default=100, help="journeys of the memory run (0: skip it)")
    ap.add_argument("--baseline", default=BASELINE, metavar="REV", help=f"git revision to compare with "
                    f"(default {BASELINE}, before issue 13)")
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="bench-workers-"))
    jdir = write_journeys(tmp / "journeys", args.journeys)
    baseline_tree = extract(args.baseline, tmp)
    print(f"{args.journeys} journeys (3 pages each), pages answered after {args.delay_ms} ms; "
          f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}; baseline {args.baseline}", flush=True)
    with Shop(args.delay_ms) as shop:
        base, base_json = run(baseline_tree, jdir, shop.url, 1, tmp / "baseline-1")
        print(f"  baseline, 1 worker: {base.wall_s:6.1f} s, {base.cpu_s:6.2f} CPU-s "
              f"({base_json['summary'].get('browser', '')})", flush=True)
        one, one_json = run(ROOT, jdir, shop.url, 1, tmp / "now-1")
        print(f"  now, 1 worker:      {one.wall_s:6.1f} s, {one.cpu_s:6.2f} CPU-s "
              f"({one_json['summary'].get('browser', '')})", flush=True)
        many, many_json = run(ROOT, jdir, shop.url, args.workers, tmp / f"now-{args.workers}")
        print(f"  now, {args.workers} workers:     {many.wall_s:6.1f} s, {many.cpu_s:6.2f} CPU-s", flush=True)
        mem = None
        if args.memory_journeys:
            mdir = write_journeys(tmp / "journeys-memory", args.memory_journeys)
            mem, _ = run(ROOT, mdir, shop.url, 1, tmp / "now-memory")
            print(f"  now, {args.memory_journeys} journeys, 1 worker: {mem.wall_s:6.1f} s", flush=True)
    n = args.journeys
    cpu_ratio = (base.cpu_s / n) / (one.cpu_s / n)
    speedup = one.wall_s / many.wall_s
    same = outcome(one_json) == outcome(many_json)
    same_as_baseline = outcome(one_json) == outcome(base_json)
    print(f"CPU-seconds per journey (python + driver + Chromium): baseline {base.cpu_s / n:.3f}, "
          f"now {one.cpu_s / n:.3f}: {cpu_ratio:.2f}x cheaper (goal >= 2x)")
    print(f"speed-up {args.workers} workers / 1: {speedup:.2f}x (goal >= 3x); identical results: {same} "
          f"(and the same as the baseline's: {same_as_baseline})")
    if mem is not None:
        print(f"peak memory, {args.memory_journeys} journeys, 1 worker, whole tree (python + driver + Chromium): "
              f"PSS {mem.peak_pss_mb:.0f} MB (goal < 300 MB); summed RSS {mem.peak_rss_mb:.0f} MB "
              f"(counts the pages the Chromium processes share once per process)")
    print(f"peak memory, {args.workers} workers: PSS {many.peak_pss_mb:.0f} MB, summed RSS {many.peak_rss_mb:.0f} MB "
          f"(each worker runs its own driver and Chromium)")
    missed = cpu_ratio < 2 or speedup < 3 or not same or (mem is not None and mem.peak_pss_mb >= 300)
    if missed:
        print(f"profile (a goal was missed; load average now {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores):")
        print(f"  the first journey started {startup_s(one_json):.1f} s after the run with 1 worker, "
              f"{startup_s(many_json):.1f} s with {args.workers} (each worker starts Python, a driver and Chromium)")
        print(profile("baseline, 1 worker", base, n))
        print(profile("now, 1 worker", one, n))
        print(profile(f"now, {args.workers} workers", many, n))
        if mem is not None:
            print(profile(f"now, {args.memory_journeys} journeys", mem, args.memory_journeys))
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
