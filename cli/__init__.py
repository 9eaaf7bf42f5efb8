"""The command line: the parser, and one module per command group. It is the composition root: it may import
shopper, checks and reports, and injects into the engine what the engine must not import (printing, alerts,
rendering and mailing reports). The engine never imports it."""
from __future__ import annotations

import importlib
from typing import Callable

GROUPS = {"validate": "validate", "doctor": "validate", "run": "run", "merge": "run", "worker": "run",
          "report": "report", "show-report": "report", "show-trace": "report", "sweep": "sweep",
          "classify": "sweep", "schedule": "schedule", "status": "status", "kinds": "status", "init-site": "site",
          "demo": "demo"}


def command_function(name: str) -> Callable:
    """The function of command `name`, importing only its group's module (a quick command stays quick)."""
    from cli.command import COMMANDS

    importlib.import_module(f"cli.{GROUPS[name]}")
    return COMMANDS[name.replace("-", "_")]
