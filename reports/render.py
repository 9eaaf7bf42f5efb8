"""Render a run from the store as static HTML: index + one page per journey, evidence copied beside it."""
from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from jinja2 import Environment, PackageLoader, select_autoescape

from shopper.score import process_label, scores
from shopper.steps.context import slug

from .fixes import fix_for
from .history import history
from .response_times import response_times
from .svg import line_chart

CSP = ("default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'; base-uri 'none'; "
       "form-action 'none'")


def safe_href(url: Any) -> str:
    """Only http(s) URLs become links; anything else (javascript:, data:...) is shown as text only."""
    s = str(url or "")
    return s if urlsplit(s).scheme in ("http", "https") else ""


def duration(ms: Any) -> str:
    ms = float(ms or 0)
    return f"{ms:.0f} ms" if ms < 1000 else f"{ms / 1000:.1f} s"


def environment() -> Environment:
    env = Environment(loader=PackageLoader("reports", "templates"), autoescape=select_autoescape(default=True),
                      trim_blocks=True, lstrip_blocks=True)
    env.filters["safe_href"] = safe_href
    env.filters["duration"] = duration
    env.filters["slug"] = slug
    env.globals["CSP"] = CSP
    return env


def _copy_evidence(paths: list[str], var_dir: Path, out: Path) -> dict[str, str]:
    """Copy evidence files next to the report; map stored path -> path relative to the report."""
    mapping = {}
    for p in paths:
        src = (var_dir / p).resolve()
        try:
            src.relative_to(var_dir.resolve())   # stored paths never leave the var dir
        except ValueError:
            continue
        if not src.is_file():
            continue
        dest = out / "evidence" / p.replace("/", "__")
        dest.parent.mkdir(parents=True, exist_ok=True)
        if not dest.exists():
            shutil.copy2(src, dest)
        mapping[p] = f"evidence/{dest.name}"
    return mapping


def render_run(store: Any, run_id: str, out: Path, var_dir: Path) -> Path:
    """Write the report of `run_id` into `out`; returns the path of index.html."""
    run = store.run(run_id)
    if run is None:
        raise KeyError(run_id)
    out.mkdir(parents=True, exist_ok=True)
    journeys = store.journeys(run_id)
    findings = store.findings(run_id)
    observations = store.observations(run_id)
    paths = [e for f in findings for e in f["evidence"]]
    paths += [e for j in journeys for e in j["evidence"]]
    paths += [e for j in journeys for s in j["steps"] for e in s["evidence"]]
    paths += [e for o in observations for e in o["evidence"]]
    files = _copy_evidence(paths, var_dir, out)
    by_journey: dict[str, list[dict]] = {}
    for o in observations:
        by_journey.setdefault(o["journey"], []).append(o)
    env = environment()
    previous = store.previous_run(run_id)
    mail = [o for o in observations if o["kind"] == "mail_received"]
    hist = history(store, run_id, findings)
    new_prints = {f["fingerprint"] for f in hist.new}
    since = {f["fingerprint"]: (f["since"], f["runs"]) for f in hist.recurring}
    for f in findings:
        f["fix"] = f["data"].get("fix") or fix_for(f["kind"])
        f["status"] = "new" if f["fingerprint"] in new_prints else "open"
        f["since"], f["runs"] = since.get(f["fingerprint"], (run.started_at, 1))
    score = run.summary.get("score")
    if score is None:
        score_all = scores(journeys, findings)
        score, processes = score_all["overall"], score_all["processes"]
    else:
        processes = run.summary.get("processes", {})
    trend_scores = line_chart([(t["started_at"], t["score"]) for t in hist.trend], top=100, label="health score")
    trend_open = line_chart([(t["started_at"], t["findings"]) for t in hist.trend], colour="#c0392b",
                            label="open findings")
    ctx = {"run": run, "journeys": journeys, "findings": findings, "files": files, "invalid": store.invalid(run_id),
           "previous": previous, "counts": _counts(findings), "mail": mail, "history": hist, "score": score,
           "processes": [(process_label(k), v) for k, v in processes.items()], "trend_scores": trend_scores,
           "trend_open": trend_open, "response_times": response_times(store.expectations()),
           "expectations": [o for o in observations if o["kind"] == "expectation"]}
    (out / "index.html").write_text(env.get_template("index.html").render(**ctx), encoding="utf-8")
    (out / "journeys").mkdir(exist_ok=True)
    for j in journeys:
        page = env.get_template("journey.html").render(
            run=run, journey=j, files=files, observations=by_journey.get(j["name"], []),
            findings=[f for f in findings if f["journey"] == j["name"]])
        (out / "journeys" / f"{slug(j['name'])}.html").write_text(page, encoding="utf-8")
    return out / "index.html"


def _counts(findings: list[dict]) -> dict[str, dict[str, int]]:
    by_kind: dict[str, int] = {}
    by_sev: dict[str, int] = {}
    for f in findings:
        by_kind[f["kind"]] = by_kind.get(f["kind"], 0) + 1
        by_sev[f["severity"]] = by_sev.get(f["severity"], 0) + 1
    return {"kind": by_kind, "severity": by_sev}
