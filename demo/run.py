"""`runner.py demo`: start the demo world, run the shipped journeys, let days pass, sweep, report, stop."""
from __future__ import annotations

import argparse
import dataclasses
import json
import os
import time
from pathlib import Path
from typing import Any, Callable

from demo.shop.defects import DEFECTS
from demo.world import DemoWorld

HERE = Path(__file__).resolve().parent
JOURNEYS = HERE.parent / "journeys"


def demo_defects(args: argparse.Namespace) -> tuple[str, ...] | None:
    from shopper.errors import ConfigError

    if args.healthy and args.defect:
        raise ConfigError("--healthy and --defect exclude each other: --defect NAME starts a healthy world with "
                          "only that defect")
    if args.defect:
        unknown = sorted(set(args.defect) - DEFECTS.keys())
        if unknown:
            raise ConfigError(f"unknown defect(s) {', '.join(unknown)}; known: {', '.join(sorted(DEFECTS))}")
        return tuple(args.defect)
    return () if args.healthy else None


def site_for(profile: str) -> str:
    return "demo" if profile == "a" else f"demo-{profile}"


def audit_demo(world: DemoWorld, config: Any, store: Any, *, profile: str = "a", journeys: list[Path] | None = None,
               progress: Callable[[str], None] = print, browser: Any = None, days: int = 3) -> Any:
    """Run the journeys against a started world, let `days` pass, sweep; returns the AuditResult."""
    from shopper.audit import run_audit, select_journeys
    from shopper.run import RunOptions

    config = world.configure(config)
    store.abandon_open_expectations("a new demo world started: earlier demo mailboxes are gone")
    sel = select_journeys(journeys or [JOURNEYS], config)
    return run_audit(config, sel, store=store, clock=world.clock, environ=world.environ(dict(os.environ)),
                     options=RunOptions(base_url=world.shop.url, site=site_for(profile)), progress=progress,
                     browser=browser, before_sweep=lambda: world.pass_days(days))


def run_demo(args: argparse.Namespace, load_config: Callable[..., Any]) -> int:
    """Run the demo; returns the run's exit status (1 when the broken world shows its findings)."""
    from reports.render import render_run
    from shopper.store import open_store

    defects = demo_defects(args)
    base = load_config(args)
    config = dataclasses.replace(base, var_dir=str(base.var_path / "demo"), store=None)
    what = "healthy twin" if defects == () else "broken world" if defects is None else f"defects {', '.join(defects)}"
    started = time.monotonic()
    store = open_store(config.store_url)
    try:
        with DemoWorld.start(defects, args.profile) as world:
            print(f"demo world ({what}, profile {args.profile}): shop {world.shop.url}, company mail "
                  f"127.0.0.1:{world.company.smtp_port}, shopper mailbox 127.0.0.1:{world.dovecot.port}", flush=True)
            print(f"the demo clock starts {world.clock.now():%Y-%m-%d %H:%M} UTC; after the journeys it moves "
                  f"3 days on", flush=True)
            result = audit_demo(world, config, store, profile=args.profile,
                                progress=lambda line: print(line, flush=True))
        if args.json:
            Path(args.json).parent.mkdir(parents=True, exist_ok=True)
            Path(args.json).write_text(json.dumps(result.to_json(), indent=2, ensure_ascii=False), encoding="utf-8")
        report = render_run(store, result.run_id, config.var_path / "reports" / result.run_id, config.var_path,
                            settings=config.report_settings)
    finally:
        store.close()
    s = result.summary()
    print(f"run {result.run_id}: {s['journeys']} journeys, {s['findings']} finding(s) "
          f"in {time.monotonic() - started:.0f}s")
    for f in sorted(result.findings, key=lambda f: (f.journey, f.kind)):
        reason = f" ({f.reason})" if f.reason else ""
        print(f"  [{f.severity}] {f.journey}: {f.kind}{reason}: {f.title}")
    print(f"report: {report}")
    return 1 if result.findings else 0
