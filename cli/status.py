"""`status` and `kinds`: the latest run in short; the step kinds and finding kinds."""
from __future__ import annotations

import argparse

from cli.command import EXIT_OK, _config, _print_lines, command


@command
def cmd_status(args: argparse.Namespace) -> int:
    from shopper.status import status_lines
    from shopper.store import open_existing_store

    config = _config(args)
    store = open_existing_store(config.store_url)
    try:
        _print_lines(status_lines(store, config.store_url, run_view=_run_view))
    finally:
        if store is not None:
            store.close()
    return EXIT_OK


def _run_view(store, run_id: str):
    """The report's headline, process order and "fix these first" ranking (imported only when there is a run)."""
    from reports.view import run_view

    return run_view(store, run_id)


@command
def cmd_kinds(args: argparse.Namespace) -> int:
    from shopper.kinds_doc import finding_kinds_text, kinds_markdown, kinds_text

    if args.findings:
        _config(args)   # the kinds config.yaml declares (`findings:`) are listed too
    print(finding_kinds_text() if args.findings else kinds_markdown() if args.markdown else kinds_text())
    return EXIT_OK
