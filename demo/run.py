"""`runner.py demo`: start the demo world, run the shipped journeys, let days pass, sweep, report, stop."""
from __future__ import annotations

import argparse
import os
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

from demo.shop.defects import DEFECTS
from demo.world import DemoWorld

if TYPE_CHECKING:
    from shopper.store.contract import Store

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


def demo_session(world: DemoWorld, config: Any, store: Store, *, browser: Any = None,
                 progress: Callable[[str], None] = print) -> Any:
    """An audit session pointed at a started world: its clock, mail system and DNS."""
    from reports.publish import publish
    from shopper.audit import AuditSession

    return AuditSession(world.configure(config), store, world.clock, world.environ(dict(os.environ)),
                        browser=browser, progress=progress, publisher=publish)


def audit_demo(world: DemoWorld, config: Any, store: Store, *, profile: str = "a", journeys: list[Path] | None = None,
               progress: Callable[[str], None] = print, browser: Any = None, days: int = 3,
               outputs: Any = None, workers: int = 1) -> Any:
    """Run the journeys against a started world, let `days` pass, sweep; publish `outputs` (shopper.publish.Outputs:
    report, alerts, JSON — as a CLI run does) when given; returns the AuditResult."""
    with demo_session(world, config, store, browser=browser, progress=progress) as session:
        result = run_in_world(session, world, profile=profile, journeys=journeys, days=days, workers=workers)
        if outputs is not None:
            result.published = session.publish(result.record(), outputs)
    return result


def run_in_world(session: Any, world: DemoWorld, *, profile: str = "a", journeys: list[Path] | None = None,
                 days: int = 3, workers: int = 1) -> Any:
    from shopper.audit import AuditOptions, select_journeys

    session.store.abandon_open_expectations("a new demo world started: earlier demo mailboxes are gone")
    sel = select_journeys(journeys or [JOURNEYS], session.config)
    start = world.clock.now()
    result = session.run(sel, AuditOptions(base_url=world.shop.url, site=site_for(profile), workers=workers),
                         before_sweep=lambda: world.pass_days(days))
    # the report says why its dates are not today's: the demo world's own clock ran on
    note = (f"Demo world: its clock started {start:%d %b %Y %H:%M} UTC and ran {days} days on after the journeys, "
            f"so that the company's answers, bounces and deadlines came due; every time here is the demo's.")
    session.store.finish_run(result.run_id, result.finished_at, result.status, {**result.summary(), "note": note})
    return result


def run_demo(args: argparse.Namespace, load_config: Callable[..., Any]) -> int:
    """Run the demo into the default store (so `runner.py status` and `report --last` show it); returns the
    run's exit status (1 when the broken world shows its findings)."""
    from shopper.publish import Outputs, summary_lines
    from shopper.store import open_store
    from shopper.verdict import verdict

    defects = demo_defects(args)
    config = load_config(args)
    what = "healthy twin" if defects == () else "broken world" if defects is None else f"defects {', '.join(defects)}"
    started = time.monotonic()
    with open_store(config.store_url) as store, DemoWorld.start(defects, args.profile) as world:
        print(f"demo world ({what}, profile {args.profile}): shop {world.shop.url}, company mail "
              f"127.0.0.1:{world.company.smtp_port}, shopper mailbox 127.0.0.1:{world.dovecot.port}", flush=True)
        print(f"the demo clock starts {world.clock.now():%Y-%m-%d %H:%M} UTC; after the journeys it moves "
              f"3 days on", flush=True)
        result = audit_demo(world, config, store, profile=args.profile,
                            progress=lambda line: print(line, flush=True), outputs=Outputs(json=args.json),
                            workers=max(1, getattr(args, "workers", 1) or 1))
    record = result.record()
    print(f"demo run took {time.monotonic() - started:.0f}s; store {config.store_url}")
    for line in summary_lines(record):
        print(line)
    print(f"report: {result.published.report}")
    for line in result.published.alerts:
        print(f"alerts: {line}")
    return verdict(record, [])[0]
