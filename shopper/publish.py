"""After a run: the run JSON, JUnit, the HTML report, alerts and the summary lines — the same for every entry point."""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .model import SEVERITIES

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2


@dataclass(frozen=True)
class Outputs:
    """What to publish after a run: files to write, the report, alerts; `fail_on` decides what fails it."""

    json: str | Path | None = None
    junit: str | Path | None = None
    report: bool = True
    alerts: bool = True
    fail_on: tuple[str, ...] = ()


@dataclass
class Published:
    report: Path | None = None
    report_error: str | None = None   # the report could not be written (the run is stored all the same)
    alerts: list[str] = field(default_factory=list)


def publish(session: Any, run_json: dict[str, Any], outputs: Outputs) -> Published:
    """Write what `outputs` asks for the run `run_json` (already in session.store); alerts never raise."""
    config, store = session.config, session.store
    out = Published()
    if outputs.json:
        from .atomic import write_atomic

        write_atomic(outputs.json, json.dumps(run_json, indent=2, ensure_ascii=False), what="run JSON")
    if outputs.junit:
        from reports.junit import write_junit

        write_junit(run_json, outputs.junit, config.var_path, fail_on=list(outputs.fail_on))
    if outputs.report:
        from reports.render import render_run

        from .atomic import OutputError

        run_id = run_json["run_id"]
        where = config.var_path / "reports" / run_id
        try:
            out.report = render_run(store, run_id, where, config.var_path, settings=config.report_settings)
        except (OSError, OutputError) as e:   # a full or read-only var/: the run is stored, the report can be later
            import shutil

            shutil.rmtree(where, ignore_errors=True)   # no half-written report
            out.report_error = (f"the report could not be written ({e.strerror}: {e.filename}); run {run_id} is "
                                f"stored: free space or fix permissions in {config.var_path}, then `runner.py "
                                f"report --run {run_id}`")
    if outputs.alerts and config.alerts.enabled:
        from .alerts import alert_after
        from .probes.mail import mail_sender

        sender = mail_sender(config, session.redactor, session.environ)
        out.alerts = alert_after(config.alerts, store, run_json["run_id"], session.clock.now(),
                                 smtp_settings=sender.settings, sender_address=alerts_sender(config, sender.address),
                                 environ=session.environ)
    return out


def alerts_sender(config: Any, persona: str) -> str:
    """Who alerts come from: `alerts.email.from`, else the shopper's address."""
    email = config.alerts.email
    return (email.from_ if email is not None and email.from_ else "") or persona


def report_sender(config: Any, persona: str) -> str:
    """Who the report mail comes from: `report.from`, else the alerts' sender, else "Mystery Shopper" at the
    address the SMTP server lets the shopper send as — never the shopper persona's name, so that a reply
    reads as one to the audit tool."""
    from email.utils import formataddr

    if config.report.from_:
        return config.report.from_
    configured = alerts_sender(config, "")
    return configured or formataddr(("Mystery Shopper", persona))


def stored_run_json(store: Any, run_id: str) -> dict[str, Any]:
    """The run JSON (docs/run.schema.json) of a run already in the store: for runs made elsewhere (shards,
    the job queue's workers), to publish and judge them as a run made here."""
    run = store.run(run_id)
    journeys = store.journeys(run_id)
    for j in journeys:
        j["steps"] = [{**s, "index": s["idx"]} for s in j["steps"]]
        j["blocked_requests"] = j.pop("blocked", {})
    return {"schema": "mystery-shopper/run/v1", "run_id": run.id, "started_at": run.started_at,
            "finished_at": run.finished_at, "status": run.status, "summary": run.summary, "journeys": journeys,
            "findings": store.findings(run_id), "invalid": store.invalid(run_id)}


# -- what fails a run --------------------------------------------------------------------------------
def _get(f: Any, key: str) -> Any:
    return f.get(key) if isinstance(f, dict) else getattr(f, key)


def fail_reason(finding: Any, fail_on: list[str] | tuple[str, ...]) -> str | None:
    """Why `finding` (a Finding or its dict) fails the run, or None. Flaky findings and findings about the
    shopper's own set-up never do; `fail_on` holds finding kinds and/or a severity (that one or worse);
    empty: every finding fails."""
    from checks.registry import is_setup

    if (_get(finding, "data") or {}).get("flaky") or is_setup(_get(finding, "kind")):
        return None
    kind, severity = _get(finding, "kind"), _get(finding, "severity")
    if not fail_on:
        return "every finding fails the run (no --fail-on)"
    for item in fail_on:
        if item == kind:
            return f"--fail-on {item}"
        if item in SEVERITIES and severity in SEVERITIES and SEVERITIES.index(severity) <= SEVERITIES.index(item):
            return f"--fail-on {item}" + ("" if severity == item else f": {severity} is worse")
    return None


def check_fail_on(items: list[str] | tuple[str, ...]) -> list[str]:
    """The items, or ConfigError (exit 2, did-you-mean) for one that is neither a severity nor a kind."""
    from checks.registry import fail_on_problem

    from .errors import ConfigError

    problems = [p for p in map(fail_on_problem, items) if p]
    if problems:
        raise ConfigError("; ".join(problems))
    return list(items)


def parse_fail_on(flag: str | None, configured: list[str]) -> list[str]:
    """--fail-on (comma-separated) or, without it, config's fail_on:, checked."""
    return check_fail_on([x.strip() for x in (flag.split(",") if flag else configured) if x.strip()])


def verdict(run_json: dict[str, Any], fail_on: list[str] | tuple[str, ...]) -> tuple[int, list[str]]:
    """(exit status, lines saying why): 2 when journey files are invalid or the shopper's set-up kept a
    journey from running, 1 when findings fail the run, else 0."""
    from checks.registry import is_setup

    lines: list[str] = []
    setup = [j for j in run_json.get("journeys") or [] if j.get("status") == "setup_error"]
    own = [f for f in run_json.get("findings") or [] if is_setup(f["kind"])]   # e.g. the shopper's mailbox unreadable
    failing = [(f, r) for f in run_json.get("findings") or [] if (r := fail_reason(f, fail_on))]
    findings = [f for f in run_json.get("findings") or [] if f not in own]
    if findings and not failing:
        lines.append(f"{len(findings)} finding(s) reported, none of them fails the run"
                     + (f" (--fail-on {','.join(fail_on)})" if fail_on else ""))
    if setup or own:
        lines.append(f"exit 2: the shopper's own set-up kept {len(setup)} journey(s) and {len(own)} check(s) from "
                     "running (not scored, not alerted; fix and run again):")
        lines += [f"  {j['name']}: {j.get('error')}" for j in setup]
        lines += [f"  {f['kind']}: {f['title']}" for f in own]
    if failing:   # the findings are listed above (summary_lines): say which fail, not all of them again
        code = 2 if setup or own or run_json.get('invalid') else 1
        if not fail_on:
            lines.append(f"exit {code}: {len(failing)} finding(s) fail the run; without --fail-on, every finding does")
        else:
            lines.append(f"exit {code}: {len(failing)} of {len(findings)} finding(s) fail the run with --fail-on "
                         f"{','.join(fail_on)}:")
            lines += [f"  [{f['severity']}] {f['journey']}: {f['kind']}" for f, _ in failing]
    if run_json.get("invalid") or setup or own or run_json.get("status") == "error":
        return EXIT_USAGE, lines
    return (EXIT_FINDINGS if failing else EXIT_OK), lines


def summary_lines(run_json: dict[str, Any]) -> list[str]:
    """The short summary every entry point prints: statuses, findings by severity, the score."""
    s = run_json["summary"]
    statuses = ", ".join(f"{n} {st.replace('_', ' ')}" for st, n in (s.get("statuses") or {}).items() if n)
    sev = ", ".join(f"{n} {k}" for k, n in (s.get("by_severity") or {}).items())
    score = s.get("score")
    score_text = "no score (nothing could be scored)" if score is None else f"score {score}/100"
    if s.get("incomplete_processes"):
        score_text += f" (no score for {', '.join(s['incomplete_processes'])}: incomplete)"
    lines = [f"run {run_json['run_id']}: {s['journeys']} journey(s){': ' + statuses if statuses else ''}; "
             f"{s['findings']} finding(s){' (' + sev + ')' if sev else ''}; {score_text}"
             + (f"; {s['invalid']} invalid file(s)" if s.get("invalid") else "")]
    if run_json.get("status") == "error":
        lines.append(f"error: nothing was audited: {nothing_audited_reason(run_json)}")
    for j in run_json.get("journeys") or []:
        if j.get("status") == "not_applicable":
            lines.append(f"  not applicable (not scored): {j['name']}: {j.get('reason') or ''}")
    for f in run_json.get("findings") or []:
        lines.append(f"  [{f['severity']}] {f['journey']}: {f['kind']}: {f['title']}{finding_reason(f)}")
    return lines


def finding_reason(f: dict[str, Any]) -> str:
    """': <the browser's error, shortened>' for a failed step's finding; '' otherwise (its title says it)."""
    from .reachability import short_error

    return f": {short_error(f.get('detail'))}" if f["kind"] == "step_failed" and f.get("detail") else ""


def nothing_audited_reason(run_json: dict[str, Any]) -> str:
    """Why a run with status `error` audited nothing, in one line."""
    s = run_json.get("summary") or {}
    if s.get("error"):
        return str(s["error"])
    invalid = run_json.get("invalid") or []
    if invalid:
        return f"every selected journey file is invalid ({len(invalid)}: {', '.join(i['path'] for i in invalid[:3])})"
    return "no journey was selected"
