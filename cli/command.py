"""What every command shares: the registry of commands, exit statuses, the config and clock a command runs with,
how it prints problems and lines."""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any, Callable

from shopper.errors import ConfigError, JourneyError

HERE = Path(__file__).resolve().parents[1]   # the checkout: config.yaml, pyproject.toml
EXIT_OK, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2
COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {}


def command(fn: Callable[[argparse.Namespace], int]) -> Callable[[argparse.Namespace], int]:
    COMMANDS[fn.__name__.removeprefix("cmd_")] = fn
    return fn


def _config(args: argparse.Namespace, overrides: dict[tuple[str, ...], Any] | None = None):
    from shopper.config import load_config

    flags = {("var_dir",): getattr(args, "var_dir", None)}
    flags.update(overrides or {})
    path = args.config
    if path is None and "SHOPPER_CONFIG" not in os.environ and not Path("config.yaml").exists():
        path = HERE / "config.yaml"   # run from anywhere: the checkout's own config
    return load_config(path, overrides=flags)


def _clock(args: argparse.Namespace):
    from shopper.clock import clock_from_env

    return clock_from_env(getattr(args, "now", None))


def _print_problems(errors: list[JourneyError], out=sys.stdout) -> None:
    for e in errors:
        for p in e.problems:
            print(str(p), file=out)


def _parse_vars(pairs: list[str]) -> dict[str, str]:
    out = {}
    for pair in pairs or []:
        if "=" not in pair:
            raise ConfigError(f"--var {pair!r}: expected NAME=VALUE")
        k, v = pair.split("=", 1)
        out[k.strip()] = v
    return out


def _print_lines(lines: list[str]) -> None:
    for line in lines:
        print(line, flush=True)


def _read_store(config):
    """The store for a command that only reads it; a missing one is an error, never created."""
    from shopper.store import open_existing_store

    store = open_existing_store(config.store_url)
    if store is None:
        raise ConfigError(f"no store at {config.store_url}: run `runner.py run` first, or pass the --var-dir / "
                          f"--config of the runs you mean")
    return store
