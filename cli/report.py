"""`report`, `show-report` and `show-trace`: a stored run as HTML (on disk or by mail), and the evidence behind a
finding."""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from shopper.errors import ConfigError

from cli.command import EXIT_FINDINGS, EXIT_OK, _clock, _config, _read_store, command


@command
def cmd_report(args: argparse.Namespace) -> int:
    from reports.render import render_run

    config = _config(args)
    store = _read_store(config)
    try:
        run = store.run(args.run) if args.run else store.last_run()
        if run is None:
            raise ConfigError(f"no run {args.run!r} in {config.store_url}" if args.run else
                              f"no runs in {config.store_url} yet: run `runner.py run` first")
        if args.single_file or args.email:
            from reports.single_file import render_single_file

            html = render_single_file(store, run.id, config.var_path, settings=config.report_settings)
        if args.email:
            return _email_report(args, config, store, run.id, html)
        if args.single_file:
            path = Path(args.out) if args.out else config.var_path / "reports" / f"mystery-shopper-{run.id}.html"
            from shopper.atomic import write_atomic

            write_atomic(path, html, what="single-file report")
        else:
            out = Path(args.out) if args.out else config.var_path / "reports" / run.id
            path = render_run(store, run.id, out, config.var_path, settings=config.report_settings)
    finally:
        store.close()
    print(f"report: {path}")
    return EXIT_OK


def _email_report(args: argparse.Namespace, config, store, run_id: str, html: str) -> int:
    from reports.mailing import build_report_email
    from shopper.report_mail import mail_report

    def message(to: list[str], sender: str, redactor):
        return build_report_email(store, run_id, html_single_file=html, to=to, sender=sender, now=_clock(args).now(),
                                  settings=config.report_settings, redactor=redactor)

    mailed = mail_report(config, os.environ, args.to, message)
    if not mailed.ok:
        print(f"error: the report was not accepted: {mailed.why}", file=sys.stderr)
        return EXIT_FINDINGS
    print(f"report of run {run_id} emailed to {', '.join(mailed.accepted)}: {mailed.subject}")
    return EXIT_OK


def _has_display() -> bool:
    return sys.platform in ("darwin", "win32") or bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


@command
def cmd_show_report(args: argparse.Namespace) -> int:
    from reports.locate import report_index

    config = _config(args)
    store = _read_store(config)
    try:
        run_id, index = report_index(store, config.var_path, args.run)
        if not index.is_file():   # rendered with --no-report, or the report directory was cleaned
            from reports.render import render_run

            index = render_run(store, run_id, index.parent, config.var_path, settings=config.report_settings)
    finally:
        store.close()
    print(index)
    if not args.print and _has_display():
        import webbrowser

        webbrowser.open(index.as_uri())
    return EXIT_OK


@command
def cmd_show_trace(args: argparse.Namespace) -> int:
    import shlex
    import subprocess

    from reports.locate import finding_trace

    config = _config(args)
    store = _read_store(config)
    try:
        hit = finding_trace(store, config.var_path, args.finding, args.run)
    finally:
        store.close()
    trace = hit.traces[-1]   # the part that ends where the journey stopped
    cmd = [sys.executable, "-m", "playwright", "show-trace", str(trace)]
    print(f"finding {hit.fingerprint} ({hit.journey}): {hit.title}")
    for part in hit.traces:
        print(f"trace: {part}")
    if args.print or not _has_display():
        print(f"open it with: {shlex.join(cmd)}" + ("" if args.print else "  (no display here: copy the trace to a "
                                                     "machine with one, or upload it to trace.playwright.dev)"))
        return EXIT_OK
    return subprocess.call(cmd)
