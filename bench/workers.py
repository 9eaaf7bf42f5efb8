#!/usr/bin/env python3
"""Bench: 16 journeys against a demo shop that answers each page after 300 ms, with 1 and with 4 workers.

Prints both times, the speed-up of 4 workers over 1 (goal >= 3x on 2 cores: the time goes to waiting,
not to CPU), peak RSS of the parent and of the workers, and checks both runs found the same.
Usage: .venv/bin/python bench/workers.py [--journeys 16] [--workers 4] [--delay-ms 300]
"""
from __future__ import annotations

import argparse
import dataclasses
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from demo.shop.server import start_shop  # noqa: E402
from shopper.audit import run_audit, select_journeys  # noqa: E402
from shopper.clock import SystemClock  # noqa: E402
from shopper.config import load_config  # noqa: E402
from shopper.run import RunOptions  # noqa: E402
from shopper.store import open_store  # noqa: E402

JOURNEY = """name: browse_{n:02d}
tags: [web]
steps:
  - open: /
  - expect: {{role: navigation}}
  - open: /product/{p}
  - expect: {{role: heading}}
  - open: /contact
  - expect: "/contact/i"
"""


def run(journey_dir: Path, base_url: str, workers: int, var: Path):
    config = dataclasses.replace(load_config(ROOT / "config.yaml", environ={}), var_dir=str(var))
    store = open_store(config.store_url)
    t = time.perf_counter()
    result = run_audit(config, select_journeys([journey_dir], config), store=store, clock=SystemClock(), environ={},
                       options=RunOptions(base_url=base_url), workers=workers)
    took = time.perf_counter() - t
    store.close()
    return took, result


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--journeys", type=int, default=16)
    ap.add_argument("--workers", type=int, default=4)
    ap.add_argument("--delay-ms", type=int, default=300)
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="bench-workers-"))
    jdir = tmp / "journeys"
    jdir.mkdir()
    for n in range(args.journeys):
        (jdir / f"browse_{n:02d}.yaml").write_text(JOURNEY.format(n=n, p=n % 3 + 1))
    with start_shop((), delay_ms=args.delay_ms) as shop:
        serial, r1 = run(jdir, shop.url, 1, tmp / "var1")
        parallel, rn = run(jdir, shop.url, args.workers, tmp / "varn")
    same = [(j.name, j.status) for j in r1.journeys] == [(j.name, j.status) for j in rn.journeys] \
        and sorted(f.fingerprint for f in r1.findings) == sorted(f.fingerprint for f in rn.findings)
    parent = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"{args.journeys} journeys, pages answered after {args.delay_ms} ms")
    print(f"1 worker:  {serial:6.1f} s")
    print(f"{args.workers} workers: {parallel:6.1f} s")
    print(f"speed-up {serial / parallel:.2f}x (goal >= 3x); same results: {same}")
    print(f"peak RSS: parent {parent:.0f} MB, largest child process {children:.0f} MB "
          f"(each worker also runs its own Chromium)")
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
