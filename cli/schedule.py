"""`schedule`: run `schedules:` from config.yaml in the foreground (or enqueue its slots, with PostgreSQL)."""
from __future__ import annotations

import argparse
import os
import sys

from shopper.errors import ConfigError

from cli.command import EXIT_OK, _clock, _config, _print_lines, command
from cli.sweep import _print_sweep


@command
def cmd_schedule(args: argparse.Namespace) -> int:
    import threading

    from cli.run import _session
    from shopper.schedule_jobs import enqueue_on_schedule, stop_on_signals
    from shopper.schedule_plan import entry_problems, plan_lines, run_slot
    from shopper.scheduler import Scheduler, SchedulerLock
    from shopper.store import open_store

    config = _config(args)
    plan = config.schedules
    if not plan.runs and plan.report is None:
        raise ConfigError("nothing to schedule: add `schedules: {runs: [...]}` to config.yaml (see docs/scheduling.md)")
    problems = entry_problems(config)   # a schedule that would audit nothing does not start
    if problems:
        raise ConfigError("; ".join(problems))
    clock = _clock(args)
    stop = threading.Event()
    if args.dry_run:
        dry = Scheduler(plan, clock, config.var_path / "scheduler-state.json", run_journeys=print, sweep=print,
                        email_report=print)
        _print_lines(plan_lines(config, dry.next_runs(), config.report.zone()))
        return EXIT_OK
    if config.store_url.startswith(("postgresql://", "postgres://")):
        enqueue_on_schedule(config, plan, clock, stop, lambda line: print(line, flush=True))
        return EXIT_OK
    lock = SchedulerLock.for_store(config.store_url)
    lock.acquire(clock.now().isoformat())
    store = open_store(config.store_url)
    stop_on_signals(stop, "stopping after the current step")

    session = _session(config, store, args)

    def run_journeys(entry) -> None:
        _print_lines(run_slot(session, entry, stop))

    def sweep() -> None:
        _scheduled_sweep(config, store, clock, args)

    def email_report(report) -> None:
        _scheduled_email_report(config, store, args, report.to)

    scheduler = Scheduler(plan, clock, config.var_path / "scheduler-state.json", run_journeys=run_journeys,
                          sweep=sweep, email_report=email_report, stop=stop)
    try:
        print(f"scheduler started (pid {os.getpid()}): {len(plan.runs)} scheduled run(s)"
              f"{', sweeps every ' + str(plan.sweep_every) if plan.sweep_every else ''}"
              f"{', report ' + plan.report.days + ' at ' + plan.report.at if plan.report else ''}; Ctrl-C to stop",
              flush=True)
        _print_lines(plan_lines(config, scheduler.next_runs(), config.report.zone()))
        scheduler.catch_up()
        scheduler.loop()
    finally:
        session.close()
        store.close()
        lock.release()
    print("scheduler stopped", flush=True)
    return EXIT_OK


def _scheduled_sweep(config, store, clock, args: argparse.Namespace) -> None:
    """A sweep slot (the scheduler's or a queued one): the engine's job, printed and alerted as `sweep` does."""
    from cli.run import _alert
    from shopper.schedule_jobs import scheduled_sweep

    def on_sweep(run_id: str, result, findings) -> None:
        _print_sweep(result, findings)
        _alert(config, store, run_id, args)

    scheduled_sweep(config, store, clock, os.environ, on_sweep=on_sweep,
                    warn=lambda line: print(line, file=sys.stderr, flush=True))


def _scheduled_email_report(config, store, args: argparse.Namespace, to: list[str]) -> None:
    """A report slot: the engine's job, the report rendered and mailed as `report --email` does."""
    from cli.report import _email_report
    from reports.single_file import render_single_file
    from shopper.schedule_jobs import scheduled_email_report

    def email_run(run_id: str) -> None:
        ns = argparse.Namespace(**{**vars(args), "to": to or None})
        _email_report(ns, config, store, run_id, render_single_file(store, run_id, config.var_path,
                                                                    settings=config.report_settings))

    scheduled_email_report(store, email_run)
