"""What fails a run: `--fail-on` (finding kinds and/or a severity), the exit status and the lines saying why.

Pure: it reads a run record and decides; the CLI, the pytest plugin and JUnit ask it the same question.

    >>> from shopper.model import Finding
    >>> f = Finding.of("broken_link", severity="minor", journey="j", subject="/x", title="Broken link")
    >>> fail_reason(f, ["major"]) is None, fail_reason(f, ["minor"])
    (True, '--fail-on minor')
"""
from __future__ import annotations

from pathlib import Path
from typing import Iterable

from .model import SEVERITIES, Finding
from .record import JourneyStatus, RunRecord, RunStatus

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2


def fail_reason(finding: Finding, fail_on: Iterable[str]) -> str | None:
    """Why `finding` fails the run, or None. Flaky findings and findings about the shopper's own set-up never
    do; `fail_on` holds finding kinds and/or a severity (that one or worse); empty: every finding fails."""
    from checks.registry import is_setup

    fail_on = tuple(fail_on)
    if finding.data.get("flaky") or is_setup(finding.kind):
        return None
    kind, severity = finding.kind, finding.severity
    if not fail_on:
        return "every finding fails the run (no --fail-on)"
    for item in fail_on:
        if item == kind:
            return f"--fail-on {item}"
        if item in SEVERITIES and severity in SEVERITIES and SEVERITIES.index(severity) <= SEVERITIES.index(item):
            return f"--fail-on {item}" + ("" if severity == item else f": {severity} is worse")
    return None


def check_fail_on(items: Iterable[str]) -> list[str]:
    """The items, or ConfigError (exit 2, did-you-mean) for one that is neither a severity nor a kind."""
    from checks.registry import fail_on_problem

    from .errors import ConfigError

    items = list(items)
    problems = [p for p in map(fail_on_problem, items) if p]
    if problems:
        raise ConfigError("; ".join(problems))
    return items


def parse_fail_on(flag: str | None, configured: list[str]) -> list[str]:
    """--fail-on (comma-separated) or, without it, config's fail_on:, checked."""
    return check_fail_on([x.strip() for x in (flag.split(",") if flag else configured) if x.strip()])


def verdict(run: RunRecord, fail_on: Iterable[str]) -> tuple[int, list[str]]:
    """(exit status, lines saying why): 2 when journey files are invalid or the shopper's set-up kept a
    journey from running, 1 when findings fail the run (or a journey was never judged: unknown is not a
    pass), else 0."""
    from checks.registry import is_setup

    fail_on = tuple(fail_on)
    lines: list[str] = []
    setup = [j for j in run.journeys if j.status == JourneyStatus.SETUP_ERROR]
    own = [f for f in run.findings if is_setup(f.kind)]   # e.g. the shopper's mailbox unreadable
    failing = [(f, r) for f in run.findings if (r := fail_reason(f, fail_on))]
    findings = [f for f in run.findings if f not in own]
    if findings and not failing:
        lines.append(f"{len(findings)} finding(s) reported, none of them fails the run"
                     + (f" (--fail-on {','.join(fail_on)})" if fail_on else ""))
    if setup or own:
        lines.append(f"exit 2: the shopper's own set-up kept {len(setup)} journey(s) and {len(own)} check(s) from "
                     "running (not scored, not alerted; fix and run again):")
        lines += [f"  {j.name}: {j.error}" for j in setup]
        lines += [f"  {f.kind}: {f.title}" for f in own]
    if failing:   # the findings are listed above (summary_lines): say which fail, not all of them again
        code = 2 if setup or own or run.invalid else 1
        if not fail_on:
            lines.append(f"exit {code}: {len(failing)} finding(s) fail the run; without --fail-on, every finding does")
        else:
            lines.append(f"exit {code}: {len(failing)} of {len(findings)} finding(s) fail the run with --fail-on "
                         f"{','.join(fail_on)}:")
            lines += [f"  [{f.severity}] {f.journey}: {f.kind}" for f, _ in failing]
    unjudged = [j for j in run.journeys if j.status == JourneyStatus.FINISHED]   # their run died before its judge
    if unjudged:
        lines.append(f"exit 1: {len(unjudged)} journey(s) were never judged (their run was killed before its "
                     f"checks): what they found is unknown; run them again: {', '.join(j.name for j in unjudged)}")
    if run.invalid or setup or own or run.status == RunStatus.ERROR:
        return EXIT_USAGE, lines
    return (EXIT_FINDINGS if failing or unjudged else EXIT_OK), lines


def evidence_paths(paths: Iterable[str], var_dir: Path | None) -> list[str]:
    """Evidence paths as a reader outside the var dir needs them (absolute with var_dir)."""
    if var_dir is None:
        return [str(p) for p in paths]
    return [str(p) if Path(p).is_absolute() else str(var_dir / p) for p in paths]


def finding_text(finding: Finding, var_dir: Path | None = None) -> str:
    """Why a finding fails, in full: severity, where, detail, evidence (absolute with var_dir), fingerprint —
    the body of a JUnit <failure> and of a failing pytest item."""
    lines = [f"severity: {finding.severity}"]
    if finding.step is not None:
        lines.append(f"step: {int(finding.step) + 1}")
    if finding.subject:
        lines.append(f"subject: {finding.subject}")
    if finding.detail:
        lines.append(f"detail: {finding.detail}")
    lines += [f"evidence: {p}" for p in evidence_paths(finding.evidence, var_dir)]
    lines.append(f"fingerprint: {finding.fingerprint}")
    return "\n".join(lines)
