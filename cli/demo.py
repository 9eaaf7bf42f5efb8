"""`demo`: the bundled demo world, its journeys, a report."""
from __future__ import annotations

import argparse

from cli.command import _config, command


@command
def cmd_demo(args: argparse.Namespace) -> int:
    from demo.run import run_demo

    return run_demo(args, _config)
