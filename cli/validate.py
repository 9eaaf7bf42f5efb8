"""`validate` and `doctor`: check journey files, and what they need, before anything runs."""
from __future__ import annotations

import argparse
import os
import sys

from shopper.errors import ConfigError

from cli.command import EXIT_OK, EXIT_USAGE, _config, _print_lines, _print_problems, command


@command
def cmd_validate(args: argparse.Namespace) -> int:
    from shopper.audit import select_journeys

    config = _config(args)
    sel = select_journeys(args.paths or [config.path(config.journeys)], config)
    _print_problems(sel.invalid)
    for j in sel.journeys:
        print(f"{j.path}: ok ({j.name}, {len(j.steps)} steps)")
    _print_order_placing(config, sel.journeys)
    if sel.invalid:
        n = sum(len(e.problems) for e in sel.invalid)
        print(f"{len(sel.invalid)} invalid file(s), {n} problem(s)", file=sys.stderr)
        return EXIT_USAGE
    return _preflight(config, sel.journeys) if args.preflight else EXIT_OK


def _print_order_placing(config, journeys) -> None:
    from shopper.steps.checkout import places_orders

    placing = [j.name for j in journeys if places_orders(j)]
    if not placing:
        return
    if config.shopper.place_orders:
        print(f"places real orders: {', '.join(placing)} (set shopper.place_orders: false to stop before the "
              f"final button)")
    else:
        print(f"would place orders, stopped before the final button (shopper.place_orders: false): "
              f"{', '.join(placing)}")


def _preflight(config, journeys) -> int:
    from shopper.doctor import doctor, report_lines

    needs, checks = doctor(config, journeys, os.environ)
    _print_lines(report_lines(journeys, needs, checks))
    return EXIT_OK if all(c.ok for c in checks) else EXIT_USAGE


@command
def cmd_doctor(args: argparse.Namespace) -> int:
    from shopper.audit import select_journeys

    from shopper.selection_check import selection_problems

    config = _config(args)
    paths = args.paths or [config.path(config.journeys)]
    problems = selection_problems(paths, config, names=args.journey or [], tags=args.tag or [])
    if problems:
        raise ConfigError("; ".join(problems))
    sel = select_journeys(paths, config, names=args.journey or [], tags=args.tag or [])
    _print_problems(sel.invalid, sys.stderr)
    code = _preflight(config, sel.journeys)
    return EXIT_USAGE if sel.invalid else code
