"""`runner.py demo`: start the demo shop, run the shipped journeys against it, report, stop everything."""
from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import Any, Callable

from demo.shop.defects import DEFECTS
from demo.shop.server import start_shop
from demo.shop.world import DEFAULT_PASSWORD

HERE = Path(__file__).resolve().parent
JOURNEYS = HERE.parent / "journeys"
DEMO_SECRET_ENV = "SHOPPER_SITE_PASSWORD"


def demo_defects(args: argparse.Namespace) -> tuple[str, ...] | None:
    if args.healthy and args.defect:
        raise SystemExit("--healthy and --defect exclude each other: --defect NAME starts a healthy shop with "
                         "only that defect")
    if args.defect:
        unknown = sorted(set(args.defect) - DEFECTS.keys())
        if unknown:
            from shopper.errors import ConfigError
            raise ConfigError(f"unknown defect(s) {', '.join(unknown)}; known: {', '.join(sorted(DEFECTS))}")
        return tuple(args.defect)
    return () if args.healthy else None


def run_demo(args: argparse.Namespace, execute_run: Callable[..., Any], load_config: Callable[..., Any]) -> int:
    """Run the demo; returns the run's exit status (1 when the broken world shows its findings)."""
    from shopper.store import open_store

    defects = demo_defects(args)
    config = load_config(args)
    os.environ.setdefault(DEMO_SECRET_ENV, DEFAULT_PASSWORD)   # the demo shop's own password, never a real one
    world = "healthy twin" if defects == () else "broken world" if defects is None else f"defects {', '.join(defects)}"
    store = open_store(config.store_url)
    try:
        with start_shop(defects, profile=args.profile) as shop:
            print(f"demo shop ({world}, profile {args.profile}) at {shop.url}", flush=True)
            run_args = argparse.Namespace(paths=[str(JOURNEYS)], journey=None, tag=None, json=args.json,
                                          base_url=shop.url, site=f"demo-{args.profile}" if args.profile != "a" else "demo",
                                          var=[], headed=False, no_report=False, now=None)
            _, code = execute_run(run_args, config, store)
    finally:
        store.close()
    return code


