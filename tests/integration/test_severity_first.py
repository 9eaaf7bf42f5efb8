"""Severity before averages: an open critical is red, leads the page, and one ranking serves report, mail and status."""
from __future__ import annotations

import re
import subprocess
import sys
from datetime import datetime, timezone
from html.parser import HTMLParser
from pathlib import Path
from types import SimpleNamespace

import pytest

from reports.mailing import build_report_email
from reports.render import render_run
from reports.view import run_view
from shopper.kinds_doc import finding_kinds_text
from shopper.model import Finding
from shopper.score import band, process_label, process_of
from shopper.store import open_store

ROOT = Path(__file__).resolve().parents[2]
NOW = datetime(2026, 3, 2, 8, 30, tzinfo=timezone.utc)


class Text(HTMLParser):
    """The text of the elements with an id, and their class attribute."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.by_id: dict[str, tuple[str, str]] = {}
        self._open: list[str | None] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self._open.append(a.get("id"))
        if a.get("id"):
            self.by_id[a["id"]] = (a.get("class") or "", "")

    def handle_endtag(self, tag):
        if self._open:
            self._open.pop()

    def handle_data(self, data):
        for i in self._open:
            if i:
                cls, text = self.by_id[i]
                self.by_id[i] = (cls, text + data)


def seeded(tmp_path: Path):
    """A run: payment has one critical (score 60), support two majors and a minor (score 52), web is clean."""
    store = open_store(str(tmp_path / "var" / "shopper.db"))
    for name, tags in (("retry_payment", ["payment", "orders"]), ("contact_support", ["support"]),
                       ("browse_shop", ["web"])):
        store.begin_run("r1", "2026-03-02T08:00:00+00:00") if name == "retry_payment" else None
        store.save_journey("r1", SimpleNamespace(
            name=name, path=f"journeys/{name}.yaml", site=None, tags=tags, status="findings", started_at="t",
            duration_ms=1.0, error=None, evidence=[], blocked_requests={}, steps=[], observations=[]))
    findings = [
        Finding.of("unanswered_email", severity="major", journey="contact_support", subject="a", title="No answer"),
        Finding.of("payment_inconsistent", severity="critical", journey="retry_payment", subject="p",
                   title="Charged although the page said failed"),
        Finding.of("no_acknowledgement", severity="minor", journey="contact_support", subject="b", title="No ack"),
        Finding.of("unanswered_form", severity="major", journey="contact_support", subject="c", title="Form black hole"),
    ]
    store.save_findings("r1", findings)
    store.finish_run("r1", "2026-03-02T08:01:00+00:00", "findings",
                     {"findings": 4, "score": 71, "processes": {"payment": 60, "support": 52, "website": 100}})
    return store


def test_an_open_critical_is_red_leads_and_is_ranked_the_same_everywhere(tmp_path):
    store = seeded(tmp_path)
    try:
        v = run_view(store, "r1")
        index = render_run(store, "r1", tmp_path / "report", tmp_path / "var")
        msg = build_report_email(store, "r1", html_single_file="<p>r</p>", sender="audit@example.test",
                                 to=["cio@example.test"], now=NOW)
    finally:
        store.close()
    assert v.headline == "1 critical, 2 major, 1 minor open" and v.band == "bad"   # 71 alone would be amber
    assert [p.key for p in v.processes][:2] == ["payment", "support"]   # the critical's process first
    page = Text(index.read_text())
    cls, text = page.by_id["headline"]
    assert "bad" in cls.split() and text.startswith("1 critical, 2 major, 1 minor open · score 71/100")
    assert "bad" in page.by_id["score"][0].split()
    groups = re.findall(r'id="group-([a-z0-9-]+)"', index.read_text())
    assert groups[0] == "payment"
    ranked = [f.title for f in v.ranked]
    assert ranked[0] == "Charged although the page said failed" and ranked[-1] == "No ack"
    assert [f.title for f in v.fix_first] == ranked[:3]
    text_part = msg.get_body(("plain",)).get_content()
    positions = [text_part.index(f"] NEW {t}") for t in ranked]
    assert positions == sorted(positions), "the mail ranks otherwise than the report"
    status = subprocess.run([sys.executable, str(ROOT / "runner.py"), "status", "--var-dir", str(tmp_path / "var")],
                            capture_output=True, text=True, timeout=60)
    assert status.returncode == 0, status.stderr
    assert ": findings, 1 critical, 2 major, 1 minor open, score 71/100" in status.stdout
    listed = [line.split(": ", 1)[1] for line in status.stdout.splitlines() if line.startswith("  [")]
    assert listed == ranked
    process_lines = [line.split()[0] for line in status.stdout.splitlines() if line.startswith("  ") and
                     not line.startswith("  [")]
    assert process_lines[:2] == ["Payment", "Support"]


def test_processes_have_one_set_of_names():
    assert process_of(["web", "account"], "x") == "website" and process_label("web") == "Website"
    assert band(95, {"critical": 1}) == "bad" and band(95, {"major": 1}) == "good" and band(None, {}) == "warn"
    kinds = finding_kinds_text()
    used = set(re.findall(r"process: (.+) \(([a-z_]+)\)", kinds))
    assert used and all(label == process_label(key) for label, key in used)
    assert {key for _, key in used} <= {"website", "orders", "payment", "support", "tracking", "unsubscribe",
                                          "shopper"}


@pytest.mark.browser
@pytest.mark.imap
@pytest.mark.smtp
def test_the_demo_with_only_payment_inconsistent_is_in_the_red(tmp_path, demo_run):
    # the same run as tests/test_demo.py's payment_inconsistent alone: one run per session (tests/fixtures/demo.py)
    run = demo_run(("payment_inconsistent",), "a")
    result, store = run.result, run.store
    assert [f.kind for f in result.findings] == ["payment_inconsistent"]
    v = run_view(store, result.run_id)
    index = render_run(store, result.run_id, tmp_path / "report", run.config.var_path)
    assert v.score is not None and v.score >= 90   # the average alone would say all is well
    page = Text(index.read_text())
    cls, text = page.by_id["headline"]
    assert "bad" in cls.split() and text.startswith("1 critical open · score ")
    assert "bad" in page.by_id["score"][0].split()
    assert "good" not in page.by_id.get("score-delta", ("", ""))[0].split()
    assert v.processes[0].key == "payment" and v.processes[0].band == "bad"
    note = page.by_id["run-note"][1]   # why the report's dates are not today's
    assert note.startswith("Demo world: its clock started ") and "ran 3 days on after the journeys" in note
