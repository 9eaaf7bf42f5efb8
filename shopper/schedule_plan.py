"""`runner.py schedule`'s plan: every entry checked at start, what it resolves to, when it next runs.

A schedule that would audit nothing never starts in silence: unknown journey names and tags
(with did-you-mean) and journey folders that do not exist stop it (exit 2); sweeps with no mailbox
to read are named on start and on every slot. A slot whose journeys vanished after start is stored
as a run with status `error` (and alerted), never as a clean run of nothing.
"""
from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from .selection_check import catalogue, missing_paths, resolved_names, selection_problems

if TYPE_CHECKING:
    from .store.contract import RunStore

NO_MAILBOX = "no mailbox configured (imap.host), so sweeps cannot run: set imap: in config.yaml, or sweep_every: null"


def entry_problems(config: Any) -> list[str]:
    """What stops the schedule from starting: one line per problem, naming the entry."""
    paths = [config.path(config.journeys)]
    problems = missing_paths(paths)
    if problems:   # one line for the folder, not one per entry
        return problems
    for entry in config.schedules.runs:
        problems += [f"schedule {entry.name!r}: {p}"
                     for p in selection_problems(paths, config, names=entry.journeys, tags=entry.tags)]
    return list(dict.fromkeys(problems))


def sweep_problem(config: Any) -> str | None:
    """Why the scheduled sweeps cannot run, or None."""
    if config.schedules.sweep_every is not None and not config.imap.host:
        return NO_MAILBOX
    return None


def plan_lines(config: Any, next_runs: dict[str, datetime], zone: Any) -> list[str]:
    """The plan: each entry, the journeys it resolves to, its next run in the configured time zone."""
    plan = config.schedules
    cat = catalogue([config.path(config.journeys)], config)

    def when(tag: str) -> str:
        t = next_runs.get(tag)
        return t.astimezone(zone).strftime("%Y-%m-%d %H:%M %Z") if t else "not planned"

    lines = [f"schedule plan (times in {config.report.timezone}; journeys from {config.path(config.journeys)}):"]
    if cat.invalid:
        lines.append(f"  invalid, skipped on every slot until fixed (`runner.py validate`): {', '.join(cat.invalid)}")
    for e in plan.runs:
        how = f"every {e.every}" if e.every is not None else f"{e.days} at {e.at}"
        names = resolved_names(cat, e.journeys, e.tags)
        lines.append(f"  {e.name}: {how}, next {when(e.name)}: {len(names)} journey(s): {', '.join(names)}")
    if plan.sweep_every is not None:
        problem = sweep_problem(config)
        lines.append(f"  sweep: every {plan.sweep_every}, "
                     + (f"CANNOT RUN: {problem}" if problem else f"next {when('sweep')}"))
    if plan.report is not None:
        lines.append(f"  report: {plan.report.days} at {plan.report.at}, next {when('report')}"
                     + (f", to {', '.join(plan.report.to)}" if plan.report.to else ""))
    return lines


def record_error_run(store: RunStore, run_id: str, now: str, why: str) -> dict[str, Any]:
    """A run that audited nothing, stored with status `error` and its reason; its run JSON."""
    from .summary import run_summary

    summary = run_summary([], [], invalid=0, error=why)
    store.begin_run(run_id, now)
    store.finish_run(run_id, now, "error", summary)
    return {"schema": "mystery-shopper/run/v1", "run_id": run_id, "started_at": now, "finished_at": now,
            "status": "error", "summary": summary, "journeys": [], "findings": [], "invalid": []}


def run_slot(session: Any, entry: Any, stop: Any) -> list[str]:
    """One slot of a schedule entry: its journeys run, published and alerted; the lines to print. A selection
    that cannot run (its folder vanished since start) is stored as an `error` run and alerted."""
    from .audit import AuditOptions, new_run_id, select_journeys
    from .publish import Outputs, summary_lines
    from .record import decode

    config, clock = session.config, session.clock
    paths = [config.path(config.journeys)]
    problems = selection_problems(paths, config, names=entry.journeys, tags=entry.tags)
    if problems:
        run_json = record_error_run(session.store, new_run_id(clock), clock.now().isoformat(),
                                    f"schedule {entry.name!r}: " + "; ".join(problems))
        record = decode(run_json)
        published = session.publish(record, Outputs(report=False))
        return summary_lines(record) + [f"alerts: {line}" for line in published.alerts]
    sel = select_journeys(paths, config, names=entry.journeys, tags=entry.tags)
    result = session.run(sel, AuditOptions(retries=config.retries), stop=stop)
    record = result.record()
    published = session.publish(record, Outputs())
    return summary_lines(record) + [f"report: {published.report}"] + [f"alerts: {line}" for line in published.alerts]
