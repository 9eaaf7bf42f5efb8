#!/usr/bin/env python3
"""Bench: render the report of the latest of 1,000 runs of 16 journeys; prints time (goal < 3 s) and size (< 5 MB).

The report aggregates history (trend of the last runs, new/open/fixed by fingerprint) instead of
listing every old run, so its cost should not grow with the number of runs kept.
Usage: .venv/bin/python bench/report.py [--runs 1000] [--journeys 16]
"""
from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from types import SimpleNamespace

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from reports.render import render_run  # noqa: E402
from shopper.expectations import Expectation  # noqa: E402
from shopper.model import Finding, Observation  # noqa: E402
from shopper.score import scores  # noqa: E402
from shopper.store import open_store  # noqa: E402

KINDS = [("broken_link", "minor"), ("page_error", "major"), ("unanswered_email", "major"),
         ("bounced_mailbox", "major"), ("tracking_broken", "major"), ("payment_inconsistent", "critical")]
TAGS = ["unsubscribe", "support", "tracking", "payment", "web"]


def build(store, runs: int, journeys: int, rng: random.Random) -> str:
    t0 = datetime(2024, 1, 1, tzinfo=timezone.utc)
    run_id = ""
    for n in range(runs):
        run_id = f"run-{n:05d}"
        started = t0 + timedelta(hours=6 * n)
        store.begin_run(run_id, started.isoformat())
        results, findings = [], []
        for j in range(journeys):
            steps = [SimpleNamespace(index=i, kind="open", label=f"open /page/{i}", status="passed",
                                     started_at=started.isoformat(), duration_ms=120.0, detail="ok", error=None,
                                     evidence=[], url=f"https://shop.example/page/{i}", title=f"Page {i}", line=5 + i)
                     for i in range(8)]
            name = f"journey_{j:02d}"
            results.append(SimpleNamespace(name=name, path=f"journeys/{name}.yaml", site="shop", tags=[TAGS[j % 5]],
                                           status="clean", started_at=started.isoformat(), duration_ms=900.0,
                                           error=None, evidence=[], blocked_requests={}, steps=steps,
                                           observations=[Observation("page", name, 0, {"url": "u", "title": "t"},
                                                                     started.isoformat())]))
            if rng.random() < 0.25:
                kind, sev = rng.choice(KINDS)
                findings.append(Finding.of(kind, severity=sev, journey=name, subject=f"s{rng.randint(0, 5)}",
                                           title=f"{kind} in {name}", detail="detail " * 20))
        for r in results:
            store.save_journey(run_id, r)
        store.save_findings(run_id, findings)
        if n % 10 == 0:
            store.add_expectation(Expectation(token=f"ms-{n:012d}"[:15], journey="journey_01", channel="email",
                                              target="support@shop.example", created_at=started,
                                              answer_deadline=started + timedelta(days=2),
                                              reply_from=("shop.example",)))
        s = scores([{"name": r.name, "tags": r.tags} for r in results], [f.to_dict() for f in findings])
        store.finish_run(run_id, (started + timedelta(minutes=5)).isoformat(), "findings" if findings else "clean",
                         {"findings": len(findings), "journeys": journeys, "score": s["overall"],
                          "processes": s["processes"]})
    return run_id


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=1000)
    ap.add_argument("--journeys", type=int, default=16)
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="bench-report-"))
    store = open_store(str(tmp / "s.db"))
    t = time.perf_counter()
    last = build(store, args.runs, args.journeys, random.Random(1))
    print(f"store: {args.runs} runs x {args.journeys} journeys built in {time.perf_counter() - t:.1f} s "
          f"({(tmp / 's.db').stat().st_size / 1e6:.0f} MB)")
    t = time.perf_counter()
    index = render_run(store, last, tmp / "report", tmp)
    took = time.perf_counter() - t
    size = sum(p.stat().st_size for p in (tmp / "report").rglob("*") if p.is_file())
    print(f"render: {took:.2f} s (goal < 3 s, ratio {took / 3:.2f})")
    print(f"size:   {size / 1e6:.2f} MB over {sum(1 for _ in (tmp / 'report').rglob('*.html'))} pages "
          f"(goal < 5 MB, ratio {size / 5e6:.2f}); index.html {index.stat().st_size / 1e3:.0f} KB")
    store.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
