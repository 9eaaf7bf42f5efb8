#!/usr/bin/env python3
"""Mystery Shopper command line: parse arguments, load config, call the engine, print, exit code.

Exit status: 0 no findings, 1 findings, 2 usage, configuration or validation error.
"""
from __future__ import annotations

import argparse
import errno
import json
import logging
import os
import sys
from pathlib import Path
from typing import Any, Callable

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

from shopper.errors import ConfigError, JourneyError, ShopperError  # noqa: E402

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2
_EXTRAS = {"flask": "demo", "werkzeug": "demo", "aiosmtpd": "demo", "psycopg": "postgres",
           "procrastinate": "postgres", "pytest": "plugin"}   # what pyproject's extras bring
_DISK_ERRORS = (errno.ENOSPC, errno.EROFS, errno.EACCES, errno.EDQUOT)   # the machine's to fix, not a bug
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


# -- validate -------------------------------------------------------------------------------------
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


# -- doctor ---------------------------------------------------------------------------------------
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


# -- run ------------------------------------------------------------------------------------------
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


# -- report ---------------------------------------------------------------------------------------
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
    from shopper.probes.mail import mail_sender
    from shopper.publish import report_sender
    from shopper.probes.smtp import send
    from shopper.secrets import Redactor

    to = args.to or (config.alerts.email.to if config.alerts.email else [])
    if not to:
        raise ConfigError("whom to? give --to ADDR (repeatable) or set alerts.email.to in config.yaml")
    redactor = Redactor()
    sender = mail_sender(config, redactor, os.environ)
    if sender.settings is None:
        raise ConfigError("no SMTP server configured: set smtp.host (and smtp.user with $SHOPPER_SMTP_PASSWORD) "
                          "in config.yaml to email reports")
    msg = build_report_email(store, run_id, html_single_file=html, to=list(to),
                             sender=report_sender(config, sender.address), now=_clock(args).now(),
                             settings=config.report_settings, redactor=redactor)
    result = send(sender.settings, msg)
    if not result.ok:
        why = "; ".join(f"{a}: {c} {t}" for a, (c, t) in result.refused.items()) or f"DATA {result.data_code}"
        print(f"error: the report was not accepted: {why}", file=sys.stderr)
        return EXIT_FINDINGS
    print(f"report of run {run_id} emailed to {', '.join(result.accepted)}: {msg['Subject']}")
    return EXIT_OK


def _read_store(config):
    """The store for a command that only reads it; a missing one is an error, never created."""
    from shopper.store import open_existing_store

    store = open_existing_store(config.store_url)
    if store is None:
        raise ConfigError(f"no store at {config.store_url}: run `runner.py run` first, or pass the --var-dir / "
                          f"--config of the runs you mean")
    return store


# -- show-report and show-trace -------------------------------------------------------------------
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


# -- sweep and classify ---------------------------------------------------------------------------
@command
def cmd_sweep(args: argparse.Namespace) -> int:
    from shopper.audit import record_sweep, run_sweep
    from shopper.probes.mail import imap_settings
    from shopper.secrets import Redactor
    from shopper.store import open_store
    from shopper.sweep import Sweeper

    config = _config(args)
    store = open_store(config.store_url)
    clock = _clock(args)
    try:
        if not args.watch:
            run_id, result, findings = run_sweep(config, store, clock=clock, environ=os.environ,
                                                 progress=lambda line: print(line, flush=True))
            _print_sweep(result, findings)
            _alert(config, store, run_id, args)
            if not result.ok:
                return EXIT_USAGE if "no mailbox configured" in (result.error or "") else EXIT_FINDINGS
            return EXIT_FINDINGS if findings else EXIT_OK
        import signal
        import threading

        stop = threading.Event()
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
        settings = imap_settings(config, Redactor(), os.environ)
        sweeper = Sweeper(store, settings, clock)
        first_id, first, findings = run_sweep(config, store, clock=clock, environ=os.environ)
        _print_sweep(first, findings)
        _alert(config, store, first_id, args)
        store.begin_run(run_id := f"watch-{first_id[6:]}", clock.now().isoformat(), kind="sweep")
        print(f"watching {settings.host}:{settings.port} (IDLE); Ctrl-C to stop", flush=True)

        def on_result(result) -> None:
            found = record_sweep(store, run_id, result)
            if result.new_messages or found:
                _print_sweep(result, found)
                _alert(config, store, run_id, args)   # as after any sweep (docs/alerts.md); cool-down per finding

        try:
            sweeper.watch(stop, on_result)
        except KeyboardInterrupt:
            stop.set()
        store.finish_run(run_id, clock.now().isoformat(), "stopped", {})
        return EXIT_OK
    finally:
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


# -- merge ----------------------------------------------------------------------------------------
@command
def cmd_merge(args: argparse.Namespace) -> int:
    from shopper.audit import new_run_id
    from shopper.merge import load_part, merge_parts, store_merged
    from shopper.publish import Outputs, summary_lines
    from shopper.store import open_store
    from shopper.verdict import verdict

    config = _config(args)
    fail_on = _fail_on(args.fail_on, config.fail_on)
    merged = merge_parts([load_part(p) for p in args.inputs])
    run_id = "merged-" + new_run_id(_clock(args))
    store = open_store(config.store_url)
    try:
        record = store_merged(store, merged, run_id)
        with _session(config, store, args) as session:   # the same publishers as a run: JSON, JUnit, report, alerts
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


# -- schedule -------------------------------------------------------------------------------------
@command
def cmd_schedule(args: argparse.Namespace) -> int:
    import threading

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
        return _enqueue_on_schedule(config, plan, clock, stop)
    lock = SchedulerLock.for_store(config.store_url)
    lock.acquire(clock.now().isoformat())
    store = open_store(config.store_url)
    _stop_on_signals(stop, "stopping after the current step")

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
    from shopper.audit import run_sweep
    from shopper.schedule_plan import sweep_problem

    problem = sweep_problem(config)
    if problem:   # said on every slot, not skipped in silence
        print(f"sweep skipped: {problem}", file=sys.stderr, flush=True)
    else:
        run_id, result, findings = run_sweep(config, store, clock=clock, environ=os.environ)
        _print_sweep(result, findings)
        _alert(config, store, run_id, args)


def _scheduled_email_report(config, store, args: argparse.Namespace, to: list[str]) -> None:
    from reports.single_file import render_single_file

    run = store.last_run()
    if run is not None:
        ns = argparse.Namespace(**{**vars(args), "to": to or None})
        _email_report(ns, config, store, run.id, render_single_file(store, run.id, config.var_path,
                                                                    settings=config.report_settings))


def _stop_on_signals(stop, what: str) -> None:
    import signal
    import threading

    def on_signal(signum, _frame) -> None:
        # set from another thread: this handler may have interrupted the main thread inside stop.wait(), holding
        # the event's lock, and setting it here would wait for that lock for ever
        threading.Thread(target=stop.set, name="stop-on-signal", daemon=True).start()
        # straight to the file descriptor: a print() here could wait for the stdout lock the interrupted main
        # thread holds (mid-print), and the scheduler would never stop
        try:
            os.write(sys.stdout.fileno(), f"{signal.Signals(signum).name}: {what}\n".encode())
        except (OSError, ValueError):
            pass

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)


def _enqueue_on_schedule(config, plan, clock, stop) -> int:
    """`schedule` with a PostgreSQL store: enqueue the slots; `runner.py worker` processes run them."""
    from shopper.queue.schedule import enqueue_on_schedule

    _stop_on_signals(stop, "stopping")
    print(f"scheduler started (pid {os.getpid()}): enqueuing {len(plan.runs)} scheduled run(s)"
          f"{', sweeps every ' + str(plan.sweep_every) if plan.sweep_every else ''}"
          f"{', report ' + plan.report.days + ' at ' + plan.report.at if plan.report else ''} into the job queue "
          f"of the PostgreSQL store; `runner.py worker` runs them; Ctrl-C to stop", flush=True)
    enqueue_on_schedule(config.store_url, plan, clock, stop, lambda line: print(line, flush=True))
    print("scheduler stopped", flush=True)
    return EXIT_OK


# -- worker ---------------------------------------------------------------------------------------
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


# -- status ---------------------------------------------------------------------------------------
@command
def cmd_status(args: argparse.Namespace) -> int:
    from shopper.store import open_existing_store

    config = _config(args)
    store = open_existing_store(config.store_url)
    if store is None:
        print(f"no runs in {config.store_url} yet: run `runner.py run` (or `make demo`)")
        return EXIT_OK
    try:
        run = store.last_run()
        if run is None:
            print(f"no runs in {config.store_url} yet: run `runner.py run` (or `make demo`)")
            return EXIT_OK
        from reports.view import run_view

        s = run.summary
        v = run_view(store, run.id)   # the report's headline, process order and "fix these first" ranking
        score = "no score" if s.get("score") is None else f"score {s['score']}/100"
        statuses = ", ".join(f"{n} {st.replace('_', ' ')}" for st, n in (s.get("statuses") or {}).items() if n)
        print(f"last run {run.id} ({run.started_at[:16].replace('T', ' ')}): {run.status}, {v.headline}, {score}, "
              f"{s.get('findings', 0)} finding(s), {s.get('journeys', '?')} journey(s)"
              + (f" ({statuses})" if statuses else ""))
        if run.status == "error":
            print(f"  nothing was audited: {s.get('error') or 'no journey ran'}")
        for p in v.processes:
            print(f"  {p.label:<16} {'incomplete' if p.score is None else f'{p.score:>3}'}"
                  + (f"  {', '.join(f'{n} {sev}' for sev, n in p.counts.items())}" if p.counts else ""))
        if v.findings:
            print("fix first:")
        for f in v.ranked:
            print(f"  [{f.severity}] {f.kind}: {f.title}" + (" (flaky)" if f.flaky else ""))
        open_ = store.expectations(states=("open",))
        print(f"open expectations: {len(open_)}")
        for e in sorted(open_, key=lambda e: e.answer_deadline):
            due = e.answer_deadline.strftime("%Y-%m-%d %H:%M UTC")
            what = "no mail from" if e.kind == "silence" else f"{e.channel} notice for order" if e.kind == "order" \
                else f"{e.channel} reply from"
            print(f"  {e.journey}: {what} {e.target}, due {due}")
        sweep = store.last_sweep()
        if sweep:
            print(f"last sweep {sweep['started_at'][:16]}: {'ok' if sweep['ok'] else 'FAILED: ' + (sweep['error'] or '')}")
    finally:
        store.close()
    return EXIT_OK


# -- kinds ---------------------------------------------------------------------------------------
@command
def cmd_kinds(args: argparse.Namespace) -> int:
    from shopper.kinds_doc import finding_kinds_text, kinds_markdown, kinds_text

    if args.findings:
        _config(args)   # the kinds config.yaml declares (`findings:`) are listed too
    print(finding_kinds_text() if args.findings else kinds_markdown() if args.markdown else kinds_text())
    return EXIT_OK


# -- init-site ------------------------------------------------------------------------------------
@command
def cmd_init_site(args: argparse.Namespace) -> int:
    from shopper.init_site import render_profile, summary_rows, survey_site
    from shopper.probes.browser import BrowserProbe

    config = _config(args)
    out = Path(args.out or f"sites/{args.name or _site_name(args.url)}.yaml")
    if out.exists() and not args.force:
        raise ConfigError(f"{out} exists: pass --force to overwrite it, or --out another file")
    b = config.browser
    from shopper.probes import Probes

    probes = Probes.from_config(config)   # the site surveyed is the only one the reach policy adds
    with BrowserProbe(executable=b.executable, headless=b.headless, locale=b.locale) as browser:
        context, _ = browser.new_context(block_hosts=b.block_hosts, reach=probes.reach_for([args.url]))
        try:
            page = context.new_page()
            found = survey_site(page, args.url, config.var_path, progress=lambda s: print(f"  … {s}", flush=True))
        finally:
            context.close()
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(render_profile(found, args.url), encoding="utf-8")
    rows = summary_rows(found)
    w = max(len(r[0]) for r in rows)
    v = min(45, max(len(r[1]) for r in rows))
    for what, value, how in rows:
        print(f"{what:<{w}}  {value[:45]:<{v}}  {how}")
    print(f"site profile: {out}  (add it to config.yaml: site_files: [{out}])")
    return EXIT_OK


def _site_name(url: str) -> str:
    from urllib.parse import urlsplit

    host = urlsplit(url).hostname or "site"
    return host.replace(".", "-")


# -- demo -----------------------------------------------------------------------------------------
@command
def cmd_demo(args: argparse.Namespace) -> int:
    from demo.run import run_demo

    return run_demo(args, _config)


# -- parser ---------------------------------------------------------------------------------------
class _Parser(argparse.ArgumentParser):
    """An epilog may be a function, called only when the help is shown: `--help` of one command, or of
    `runner.py` itself, imports nothing another command needs (the demo's defect list imports its web shop)."""

    def format_help(self) -> str:
        if callable(self.epilog):
            self.epilog = self.epilog()
        return super().format_help()


def _defects_epilog() -> str:
    from demo.shop.defects import DEFECTS

    return "defects: " + "; ".join(f"{k}: {v}" for k, v in sorted(DEFECTS.items()))


def _version() -> str:
    """The installed package's version, else pyproject.toml's (a checkout run without installing)."""
    from importlib import metadata

    try:
        return metadata.version("mystery-shopper")
    except metadata.PackageNotFoundError:
        import tomllib

        return tomllib.loads((HERE / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]


class _VersionAction(argparse.Action):
    """--version: looks the version up only when asked (the package metadata costs a tenth of a start-up)."""

    def __init__(self, option_strings, dest=argparse.SUPPRESS, default=argparse.SUPPRESS, help=None):
        super().__init__(option_strings, dest=dest, default=default, nargs=0,
                         help=help or "show the version and exit")

    def __call__(self, parser, namespace, values, option_string=None):
        print(f"{parser.prog} {_version()}")
        parser.exit()


def build_parser() -> argparse.ArgumentParser:
    from shopper.cli_args import count, web_url

    p = argparse.ArgumentParser(prog="runner.py", description="Mystery Shopper: shops like a customer and finds "
                                "the black holes in a company's customer journeys.",
                                epilog="Exit status: 0 no findings, 1 findings, 2 usage/config/validation error.")
    p.add_argument("--version", action=_VersionAction)
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--config", metavar="FILE", help="config file (default: ./config.yaml or $SHOPPER_CONFIG)")
    common.add_argument("--var-dir", metavar="DIR", help="where the store, reports and evidence go (default: var/)")
    common.add_argument("-v", "--verbose", action="count", default=0, help="more log output on stderr")
    common.add_argument("--debug", action="store_true", help="show tracebacks")
    sub = p.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    v = sub.add_parser("validate", parents=[common], help="check journey files against the schema, run nothing",
                       description="Check journey files; prints every problem as path:line:col: message. "
                                   "Exit 0 when all are valid, 2 when not.")
    v.add_argument("paths", nargs="*", metavar="PATH", help="journey files or directories (default: journeys/)")
    v.add_argument("--preflight", action="store_true", help="also check what the journeys need, as `doctor` does")

    doc = sub.add_parser("doctor", parents=[common], help="check what the journeys need before a run",
                         description="Check, for real, what the selected journeys need: the secrets they use are "
                                     "set, the SMTP server takes a login, the IMAP mailbox logs in, a browser "
                                     "starts, the store is writable. Each problem names its fix. Exit 0 when all "
                                     "is in place, 2 when not.")
    doc.add_argument("paths", nargs="*", metavar="PATH", help="journey files or directories (default: journeys/)")
    doc.add_argument("--journey", action="append", metavar="NAME", help="only this journey; repeatable")
    doc.add_argument("--tag", action="append", metavar="TAG", help="only journeys with this tag; repeatable")

    def run_args(r: argparse.ArgumentParser) -> None:
        r.add_argument("--journey", action="append", metavar="NAME", help="only this journey (name or file stem); repeatable")
        r.add_argument("--tag", action="append", metavar="TAG", help="only journeys with this tag; repeatable")
        r.add_argument("--json", metavar="FILE", help="also write the run as JSON (docs/run.schema.json)")
        r.add_argument("--junit", metavar="FILE", help="also write JUnit XML: a test case per journey, a failure "
                       "per finding (flaky ones reported, not failing)")
        r.add_argument("--base-url", metavar="URL", type=web_url, help="audit this base URL instead of the site profile's")
        r.add_argument("--site", metavar="NAME", help="site profile from config.yaml to use")
        r.add_argument("--var", action="append", metavar="NAME=VALUE", help="set a journey variable; repeatable")
        r.add_argument("--headed", action="store_true", help="show the browser window")
        r.add_argument("--no-report", action="store_true", help="do not render the HTML report")
        r.add_argument("--now", metavar="ISO", help="pretend the time is this instant (tests, demos)")
        r.add_argument("--workers", type=count(1), default=1, metavar="N", help="run journeys in N parallel processes "
                       "(each with its own Chromium); results are the same as a serial run")
        r.add_argument("--shard", metavar="K/N", help="run only shard K of N: a stable subset (a journey always "
                       "lands in the same shard); combine shard outputs with `runner.py merge`")
        r.add_argument("--retries", type=count(0), metavar="N", help="re-run a journey that failed before it wrote to "
                       "anyone, up to N times; findings seen on only some attempts are marked flaky")
        r.add_argument("--fail-on", metavar="LIST", help="comma-separated finding kinds and/or a severity "
                       "(critical, major, minor, info: that one or worse) that fail the run (exit 1); others are "
                       "reported only. Default: every finding fails")

    r = sub.add_parser("run", parents=[common], help="run journeys in a real Chromium",
                       description="Run journeys, one fresh browser context each; invalid files are reported and "
                                   "skipped. Exit 0 no findings, 1 findings, 2 usage/config/validation error.")
    r.add_argument("paths", nargs="*", metavar="PATH", help="journey files or directories (default: journeys/)")
    run_args(r)
    r.add_argument("--browser", metavar="PATH", help="Chromium/Chrome executable (default: discovered)")
    r.add_argument("--queue", action="store_true", help="PostgreSQL store: put the journeys in the job queue as one "
                   "run, for `runner.py worker` processes (here or on other machines), wait and report")
    r.add_argument("--no-wait", action="store_true", help="with --queue: print the run id and return at once")
    r.add_argument("--trial", action="store_true", help="a trial while a site profile is being written: the run is "
                   "stored as a trial, kept out of history, trends and alerts, and leaves nothing to judge later")

    rep = sub.add_parser("report", parents=[common], help="render the HTML report of a run",
                         description="Render a run from the store as HTML (opens from disk, loads nothing from the internet).")
    g = rep.add_mutually_exclusive_group()
    g.add_argument("--run", metavar="ID", help="the run to render")
    g.add_argument("--last", action="store_true", help="the latest run (default)")
    rep.add_argument("--out", metavar="PATH", help="output directory (default: var/reports/RUN_ID), or the file "
                     "with --single-file")
    rep.add_argument("--single-file", action="store_true", help="one self-contained HTML file (images inlined) "
                     "for mailing or archiving")
    rep.add_argument("--email", action="store_true", help="mail the report (HTML + text, the single file attached) "
                     "via the configured SMTP server")
    rep.add_argument("--to", action="append", metavar="ADDR", help="recipient (repeatable; default: alerts.email.to)")
    rep.add_argument("--now", metavar="ISO", help=argparse.SUPPRESS)

    sr = sub.add_parser("show-report", parents=[common], help="print (and open) the latest report",
                        description="Print the path of the latest run's HTML report (rendering it if missing) and "
                                    "open it in a browser when there is a display.")
    sr.add_argument("--run", metavar="ID", help="this run instead of the latest")
    sr.add_argument("--print", action="store_true", help="only print the path, never open a browser")

    st = sub.add_parser("show-trace", parents=[common], help="open the Playwright trace of a finding",
                        description="Find the Playwright trace behind a finding (by its fingerprint, a prefix of at "
                                    "least 4 characters, or its report anchor f-...) in the newest run that has it, "
                                    "and open it with `playwright show-trace`; without a display, print the command.")
    st.add_argument("finding", metavar="FINDING", help="the finding's fingerprint (shown in the report)")
    st.add_argument("--run", metavar="ID", help="look in this run only")
    st.add_argument("--print", action="store_true", help="only print the trace path and the command")

    sw = sub.add_parser("sweep", parents=[common], help="read new mail and resolve expectations",
                        description="Read the shopper's mailbox (new messages only), classify and match them, and "
                                    "resolve expectations: met, bounced or breached. A breach is only declared "
                                    "after a sweep that succeeded past the deadline. Exit 0 no findings, 1 findings "
                                    "or the mailbox could not be read, 2 configuration error.")
    sw.add_argument("--watch", action="store_true", help="stay connected (IMAP IDLE) and resolve as mail arrives")
    sw.add_argument("--now", metavar="ISO", help="pretend the time is this instant (tests, demos)")

    c = sub.add_parser("classify", parents=[common], help="classify .eml files offline",
                       description="Classify .eml files: bounce, delay, reply, acknowledgement, autoreply, "
                                   "transactional, newsletter or other, with the reason, status and address of "
                                   "every failed recipient (one line each).")
    c.add_argument("files", nargs="+", metavar="FILE")
    c.add_argument("--json", action="store_true", help="one JSON object per line and file: file, kind, the first "
                   "failed recipient's reason, status, recipient, hard, diagnostic, matched_token, and `recipients`: "
                   "every recipient with its own fields (docs/mail.md)")

    sch = sub.add_parser("schedule", parents=[common], help="run journeys, sweeps and reports on a schedule",
                         description="Stay in the foreground and run `schedules:` from config.yaml: journeys every N "
                                     "minutes or at a time on given days, sweeps between them, emailed reports. One "
                                     "scheduler per store; SIGTERM/Ctrl-C stop it after the current step. With a "
                                     "PostgreSQL store it only enqueues each slot (once, even across restarts) into "
                                     "the store's job queue, and `runner.py worker` processes run them.")
    sch.add_argument("--now", metavar="ISO", help=argparse.SUPPRESS)
    sch.add_argument("--dry-run", action="store_true", help="check every entry, print the plan (each entry, its "
                     "journeys, the next run times) and exit")

    wk = sub.add_parser("worker", parents=[common], help="run queued journeys, runs, sweeps and reports (PostgreSQL)",
                        description="Take jobs from the job queue in the PostgreSQL store and run them, one at a time, "
                                    "in one Chromium (a fresh context per journey). Start any number, on any machines "
                                    "with the same config and journeys; results land in the one store. A journey "
                                    "runs once: the job of a lost worker (no heartbeat) is retried by another, unless "
                                    "its journey may already have written to the company (then it is recorded as "
                                    "interrupted). SIGTERM/Ctrl-C stop it after the current job.")
    wk.add_argument("--drain", action="store_true", help="stop once no job is waiting or running (CI, tests)")
    wk.add_argument("--heartbeat", type=float, default=10.0, metavar="SECONDS",
                    help="how often this worker tells the store it is alive (default 10)")
    wk.add_argument("--stalled-after", type=float, default=60.0, metavar="SECONDS",
                    help="a worker silent this long is lost and its jobs are retried (default 60)")
    wk.add_argument("--name", metavar="NAME", help="this worker's name in logs (default: host-pid)")
    wk.add_argument("--now", metavar="ISO", help=argparse.SUPPRESS)

    mg = sub.add_parser("merge", parents=[common], help="combine shard outputs into one run and report",
                        description="Combine the outputs of shards (their --json files, or their store files) into "
                                    "one run in this store, with one report. Exit 0 no findings, 1 findings.")
    mg.add_argument("inputs", nargs="+", metavar="SHARD", help="a shard's run JSON or SQLite store file")
    mg.add_argument("--json", metavar="FILE", help="also write the merged run as JSON")
    mg.add_argument("--junit", metavar="FILE", help="also write the merged run as JUnit XML")
    mg.add_argument("--fail-on", metavar="LIST", help="as for `run`: the finding kinds and/or severity that fail "
                    "the merged run (exit 1)")

    sub.add_parser("status", parents=[common], help="score, open findings and open expectations, in short",
                   description="A short summary of the latest run: score, findings, open expectations and their "
                               "deadlines, the last sweep.")

    k = sub.add_parser("kinds", parents=[common], help="list the step kinds with their keys (or the finding kinds)",
                       description="List every step kind, its keys, types and defaults (the journey schema); with "
                                   "--findings, every finding kind.")
    k.add_argument("--markdown", action="store_true", help="print the reference section of docs/journeys.md")
    k.add_argument("--findings", action="store_true", help="list the finding kinds instead: severity, process, "
                   "whether a breach, what to fix (the registry in checks/)")

    isite = sub.add_parser("init-site", parents=[common], help="visit a shop like a customer and write its site profile",
                           description="Visit a shop like a customer (home page, navigation and footer, a product, "
                                       "the basket, the checkout as a guest up to — never past — placing the order, "
                                       "contact and account pages) and write a site profile with what was found, a "
                                       "comment for each thing not found; prints a summary table.")
    isite.add_argument("url", metavar="URL", type=web_url, help="the shop's home page")
    isite.add_argument("--out", metavar="FILE", help="where to write the profile (default: sites/HOST.yaml)")
    isite.add_argument("--name", metavar="NAME", help="the profile's name (its file name; default: the host)")
    isite.add_argument("--force", action="store_true", help="overwrite an existing file")

    d = sub.add_parser("demo", parents=[common], help="start the demo world, run the shipped journeys, write the report",
                       description="Start the bundled demo world (shop, its mail department, the shopper's mailbox; "
                                   "every defect planted unless --healthy or --defect), run the shipped journeys, "
                                   "let three days pass, sweep, write the report, print a summary, stop everything.",
                       epilog=_defects_epilog)
    d.add_argument("--healthy", action="store_true", help="the healthy twin: no planted defects")
    d.add_argument("--defect", action="append", metavar="NAME", help="switch on only this defect; repeatable")
    d.add_argument("--json", metavar="FILE", help="also write the run as JSON")
    d.add_argument("--profile", default="a", choices=("a", "b", "c"), help="the shop's markup profile (a, b, or c: no landmarks, a two-page checkout)")
    d.add_argument("--workers", type=int, default=1, metavar="N",
                   help="run journeys in N worker processes (as `run --workers`)")
    return p


def main(argv: list[str] | None = None) -> int:
    from shopper.terminal import install

    install(sys)   # a terminal that only prints: untrusted text's control and bidi characters made visible
    try:
        code = _dispatch(argv)
        sys.stdout.flush()   # a reader that already left shows here, inside the handler, not at interpreter exit
        return code
    except BrokenPipeError:
        # the reader went away (`runner.py status | head`, also during --help or --version): stop quietly, as
        # other command-line tools do. Caught outside _dispatch: BrokenPipeError is an OSError, which it re-raises.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK


def _dispatch(argv: list[str] | None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not args.command:
        parser.print_help()
        return EXIT_USAGE
    level = logging.DEBUG if args.verbose > 1 else logging.INFO if args.verbose else logging.WARNING
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s", stream=sys.stderr)
    try:
        return COMMANDS[args.command.replace("-", "_")](args)
    except ConfigError as e:
        for p in e.problems:
            print(str(p), file=sys.stderr)
        print(f"error: {e}", file=sys.stderr)
        return EXIT_USAGE
    except ShopperError as e:
        if args.debug:
            raise
        print(f"error: {e}", file=sys.stderr)
        return e.exit_code
    except BrokenPipeError:
        raise
    except ModuleNotFoundError as e:   # an optional part (pyproject's extras) this command needs is not installed
        extra = _EXTRAS.get((e.name or "").split(".")[0])
        if extra is None or args.debug:
            raise
        print(f"error: {args.command} needs {e.name}, which is not installed: pip install "
              f"'mystery-shopper[{extra}]' (or make setup)", file=sys.stderr)
        return EXIT_USAGE
    except OSError as e:
        if args.debug or e.errno not in _DISK_ERRORS:
            raise
        print(f"error: cannot write {e.filename or 'a file'}: {e.strerror}: free space or fix the permissions "
              f"there (the store, reports and evidence go to --var-dir / var_dir)", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
