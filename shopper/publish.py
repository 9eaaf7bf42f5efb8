"""After a run, the engine's side: what to publish (Outputs), who mail comes from, the summary lines every entry
point prints. Writing the report and JUnit is reports.publish's job, injected into the session by the entry point
(the engine never imports reports)."""
from __future__ import annotations

from typing import Any

from .outputs import Outputs, Published, alerts_sender, report_sender   # noqa: F401 (imported from here too)
from .record import JourneyStatus, RunRecord, RunStatus


def summary_lines(run: RunRecord) -> list[str]:
    """The short summary every entry point prints: statuses, findings by severity, the score."""
    s = run.summary
    statuses = ", ".join(f"{n} {st.replace('_', ' ')}" for st, n in (s.get("statuses") or {}).items() if n)
    sev = ", ".join(f"{n} {k}" for k, n in (s.get("by_severity") or {}).items())
    score = s.get("score")
    score_text = "no score (nothing could be scored)" if score is None else f"score {score}/100"
    if s.get("incomplete_processes"):
        score_text += f" (no score for {', '.join(s['incomplete_processes'])}: incomplete)"
    lines = [f"run {run.run_id}: {s.get('journeys', len(run.journeys))} journey(s){': ' + statuses if statuses else ''}; "
             f"{s.get('findings', len(run.findings))} finding(s){' (' + sev + ')' if sev else ''}; {score_text}"
             + (f"; {s['invalid']} invalid file(s)" if s.get("invalid") else "")]
    if run.status == RunStatus.ERROR:
        lines.append(f"error: nothing was audited: {nothing_audited_reason(run)}")
    for j in run.journeys:
        if j.status == JourneyStatus.NOT_APPLICABLE:
            lines.append(f"  not applicable (not scored): {j.name}: {j.reason or ''}")
    for f in run.findings:
        lines.append(f"  [{f.severity}] {f.journey}: {f.kind}: {f.title}{finding_reason(f)}")
    return lines


def finding_reason(f: Any) -> str:
    """': <the browser's error, shortened>' for a failed step's finding; '' otherwise (its title says it)."""
    from .reachability import short_error

    return f": {short_error(f.detail)}" if f.kind == "step_failed" and f.detail else ""


def nothing_audited_reason(run: RunRecord) -> str:
    """Why a run with status `error` audited nothing, in one line."""
    if run.summary.get("error"):
        return str(run.summary["error"])
    if run.invalid:
        return (f"every selected journey file is invalid ({len(run.invalid)}: "
                f"{', '.join(i.path for i in run.invalid[:3])})")
    return "no journey was selected"
