"""`run`, `merge` and `worker`: journeys run in one audit session (here, in shards or from the job queue)."""
from __future__ import annotations

import argparse
import os
import sys
from typing import Any

from shopper.errors import ConfigError

from cli.command import (EXIT_OK, EXIT_USAGE, _clock, _config, _parse_vars, _print_lines, _print_problems,
                         command)
from cli.schedule import _scheduled_email_report, _scheduled_sweep


def _session(config, store, args: argparse.Namespace, **kwargs: Any):
    from reports.publish import publish
    from shopper.audit import AuditSession

    return AuditSession(config, store, _clock(args), os.environ, progress=lambda line: print(line, flush=True),
                        publisher=publish, **kwargs)


def execute_run(args: argparse.Namespace, config, store) -> tuple[Any, int]:
    """`run`: select, run in one audit session, publish (JSON, JUnit, report, alerts), print, exit status."""
    from shopper.audit import AuditOptions
    from shopper.publish import Outputs, summary_lines
    from shopper.verdict import verdict

    variables = _parse_vars(getattr(args, "var", []))
    fail_on = _fail_on(getattr(args, "fail_on", None), config.fail_on)
    sel = _select(args, config, variables)
    retries = args.retries if getattr(args, "retries", None) is not None else config.retries
    trial = bool(getattr(args, "trial", False))
    options = AuditOptions(base_url=args.base_url, site=args.site, variables=variables, retries=retries,
                           workers=getattr(args, "workers", 1) or 1, headed=args.headed, trial=trial)
    with _session(config, store, args) as session:
        result = session.run(sel, options)
        record = result.record()
        published = session.publish(record, Outputs(json=args.json, junit=getattr(args, "junit", None),
                                                      report=not getattr(args, "no_report", False),
                                                      fail_on=tuple(fail_on), alerts=not trial))
    if trial:
        print(f"trial run {result.run_id}: stored as a trial, kept out of history, trends and alerts")
    _print_lines(summary_lines(record))
    if published.report:
        print(f"report: {published.report}")
    if published.report_error:
        print(f"error: {published.report_error}", file=sys.stderr)
    _print_lines([f"alerts: {line}" for line in published.alerts])
    code, why = verdict(record, fail_on)
    _print_lines(why)
    return result, EXIT_USAGE if published.report_error else code


def _select(args: argparse.Namespace, config, variables: dict[str, str]):
    """The journeys the command line asks for; invalid files are printed (and kept in the selection)."""
    from shopper.audit import select_journeys
    from shopper.selection_check import selection_problems

    paths = args.paths or [config.path(config.journeys)]
    problems = selection_problems(paths, config, names=args.journey or [], tags=args.tag or [],
                                  extra_vars=variables)
    if problems:   # nothing run is never clean: a typo or a missing folder stops here, in one line
        raise ConfigError("; ".join(problems))
    sel = select_journeys(paths, config,
                          names=args.journey or [], tags=args.tag or [], extra_vars=variables,
                          shard=_shard(getattr(args, "shard", None)))
    _print_problems(sel.invalid, sys.stderr)
    for line in sel.warnings():   # invalid files not selected: a warning, never the exit status
        print(line, file=sys.stderr)
    if not sel.journeys and not sel.invalid:
        raise ConfigError("no journey matched: check the paths, --journey and --tag")
    return sel


def execute_queued_run(args: argparse.Namespace, config, store) -> int:
    """`run --queue`: the journeys go into the job queue as one run; workers run them; wait, report, exit code."""
    from shopper.publish import summary_lines
    from shopper.queue.app import require_postgres
    from shopper.queue.journeys import RunRequest
    from shopper.queue.runs import queue_run, wait_for_record
    from shopper.verdict import verdict

    require_postgres(config.store_url, "runner.py run --queue")
    if args.json or getattr(args, "junit", None) or args.workers > 1 or args.shard:
        raise ConfigError("--queue: --json, --junit, --workers and --shard do not apply (workers take the journeys; "
                          "`runner.py report --run ID` renders the run)")
    variables = _parse_vars(args.var)
    fail_on = _fail_on(args.fail_on, config.fail_on)
    sel = _select(args, config, variables)
    retries = args.retries if args.retries is not None else config.retries
    q = queue_run(store, config.store_url, sel, RunRequest(args.base_url, args.site, variables, retries), _clock(args))
    print(f"run {q.run_id}: {q.queued} journey(s) queued for `runner.py worker`"
          + (f"; not queued, still waiting from an earlier run: {', '.join(q.left_out)}" if q.left_out else ""),
          flush=True)
    if args.no_wait:
        return EXIT_OK
    record = wait_for_record(store, q.run_id, lambda line: print(line, flush=True))
    _print_lines(summary_lines(record))
    if not args.no_report:
        from reports.render import render_run

        index = render_run(store, q.run_id, config.var_path / "reports" / q.run_id, config.var_path,
                           settings=config.report_settings)
        print(f"report: {index}")
    code, why = verdict(record, fail_on)
    _print_lines(why)
    return code


def _shard(text: str | None) -> tuple[int, int] | None:
    if not text:
        return None
    try:
        k, n = (int(x) for x in text.split("/"))
    except ValueError:
        raise ConfigError(f"--shard {text!r}: expected K/N, e.g. 2/4") from None
    if not 1 <= k <= n:
        raise ConfigError(f"--shard {text!r}: K must be between 1 and N")
    return k, n


def _alert(config, store, run_id: str, args: argparse.Namespace) -> None:
    """After a sweep: alerts as configured (never fails the command; problems are printed)."""
    from shopper.publish import Outputs
    from shopper.record import stored_record

    with _session(config, store, args) as session:
        published = session.publish(stored_record(store, run_id), Outputs(report=False))
    _print_lines([f"alerts: {line}" for line in published.alerts])


def _fail_on(flag: str | None, configured: list[str]) -> list[str]:
    """The --fail-on items (else config's fail_on:); an unknown one is a usage error, before anything runs."""
    from shopper.verdict import parse_fail_on

    return parse_fail_on(flag, configured)


@command
def cmd_run(args: argparse.Namespace) -> int:
    from shopper.store import open_store

    config = _config(args, {("browser", "executable"): args.browser})
    _fail_on(args.fail_on, config.fail_on)   # a typo is a usage error before anything is stored
    store = open_store(config.store_url)
    try:
        if args.queue:
            return execute_queued_run(args, config, store)
        _, code = execute_run(args, config, store)
    finally:
        store.close()
    return code


@command
def cmd_merge(args: argparse.Namespace) -> int:
    from shopper.audit import new_run_id
    from shopper.merge import load_part, merge_parts
    from shopper.publish import Outputs, summary_lines
    from shopper.store import open_store
    from shopper.verdict import verdict

    config = _config(args)
    fail_on = _fail_on(args.fail_on, config.fail_on)
    merged = merge_parts([load_part(p) for p in args.inputs])
    run_id = "merged-" + new_run_id(_clock(args))
    store = open_store(config.store_url)
    try:
        with _session(config, store, args) as session:   # the same publishers as a run: JSON, JUnit, report, alerts
            record = session.merge(merged, run_id)
            published = session.publish(record, Outputs(json=args.json, junit=args.junit, fail_on=tuple(fail_on)))
    finally:
        store.close()
    print(f"merged {len(args.inputs)} shard(s) into run {run_id}")
    _print_lines(summary_lines(record))
    print(f"report: {published.report}")
    _print_lines([f"alerts: {line}" for line in published.alerts])
    code, why = verdict(record, fail_on)
    _print_lines(why)
    return code


@command
def cmd_worker(args: argparse.Namespace) -> int:
    from shopper.queue.app import require_postgres
    from shopper.queue.worker import WorkerHost, WorkerSettings, run_worker
    from shopper.store import open_store

    config = _config(args)
    require_postgres(config.store_url, "runner.py worker")
    clock = _clock(args)
    store = open_store(config.store_url)

    def after_run(run_id: str) -> None:   # the publishers of a run made here: report and alerts
        from shopper.publish import Outputs
        from shopper.record import stored_record

        with _session(config, store, args) as session:
            published = session.publish(stored_record(store, run_id), Outputs())
        print(f"report: {published.report}", flush=True)
        _print_lines([f"alerts: {line}" for line in published.alerts])

    report = config.schedules.report
    host = WorkerHost(config, store, clock, os.environ, after_run=after_run,
                      email_report=lambda: _scheduled_email_report(config, store, args, report.to if report else []),
                      sweep=lambda: _scheduled_sweep(config, store, clock, args),
                      progress=lambda line: print(line, flush=True))
    settings = WorkerSettings(heartbeat_s=args.heartbeat, stalled_after_s=args.stalled_after, drain=args.drain,
                              name=args.name or "")
    print(f"worker started (pid {os.getpid()}): taking journeys, runs, sweeps and reports from the job queue"
          f"{' until it is empty' if args.drain else '; SIGTERM/Ctrl-C stop it after the current job'}", flush=True)
    try:
        run_worker(host, config.store_url, settings)
    finally:
        store.close()
    print("worker stopped", flush=True)
    return EXIT_OK
