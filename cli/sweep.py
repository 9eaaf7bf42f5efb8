"""`sweep` and `classify`: read the mailbox and resolve expectations (once, or watching); classify .eml files."""
from __future__ import annotations

import argparse
import json
import sys

from cli.command import EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, _config, command


@command
def cmd_sweep(args: argparse.Namespace) -> int:
    from cli.run import _alert, _session
    from shopper.store import open_store

    config = _config(args)
    store = open_store(config.store_url)
    session = _session(config, store, args)   # the audit session composes every run, a sweep's too
    try:
        if not args.watch:
            run_id, result, findings = session.sweep()
            _print_sweep(result, findings)
            _alert(config, store, run_id, args)
            if not result.ok:
                return EXIT_USAGE if "no mailbox configured" in (result.error or "") else EXIT_FINDINGS
            return EXIT_FINDINGS if findings else EXIT_OK
        import signal
        import threading


        stop = threading.Event()
        signal.signal(signal.SIGTERM, lambda *_: stop.set())

        def on_sweep(run_id: str, result, findings) -> None:
            _print_sweep(result, findings)
            _alert(config, store, run_id, args)   # as after any sweep (docs/alerts.md); cool-down per finding

        session.watch(stop, on_sweep)
        return EXIT_OK
    finally:
        session.close()
        store.close()


def _print_sweep(result, findings) -> None:
    if result.ok:
        print(f"sweep: {result.new_messages} new message(s), {len(findings)} finding(s)", flush=True)
    else:
        print(f"sweep failed: {result.error}", file=sys.stderr, flush=True)
    for o in result.observations:
        if o.kind == "expectation":
            d = o.data
            print(f"  {o.journey}: {d['channel']} to {d['target']}: {', '.join(d['changes'])} (now {d['state']})")
    for f in findings:
        print(f"  [{f.severity}] {f.kind}: {f.title}", flush=True)


@command
def cmd_classify(args: argparse.Namespace) -> int:
    from shopper.mail.classify import classify_file

    code = EXIT_OK
    for path in args.files:
        try:
            row = classify_file(path)
        except OSError as e:
            print(f"{path}: cannot read: {e}", file=sys.stderr)
            code = EXIT_USAGE
            continue
        if args.json:
            print(json.dumps(row, ensure_ascii=False))
            continue
        token = f" [{row['matched_token']}]" if row["matched_token"] else ""
        if not row["recipients"]:
            print(f"{path}: {row['kind']}{' ' + row['reason'] if row['reason'] else ''}{token}")
        for r in row["recipients"]:   # a line per recipient: a bounce may name several
            print(f"{path}: {row['kind']} {r['reason']} {r['status'] or ''} {r['recipient'] or ''}".rstrip() + token)
    return code
