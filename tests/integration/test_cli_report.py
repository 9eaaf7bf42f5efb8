"""`runner.py report --single-file` and `--email` through the CLI, against a real SMTP server."""
from __future__ import annotations

import email
import subprocess
import sys
from email import policy
from pathlib import Path

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.smtp]
ROOT = Path(__file__).resolve().parents[2]


def test_report_single_file_and_email(audit, shop_broken, smtp, tmp_path):
    a = audit([ROOT / "journeys/browse_shop.yaml"], base_url=shop_broken.url)
    cfg = tmp_path / "config.yaml"
    cfg.write_text(f"var_dir: {a.config.var_path}\nshopper: {{address: auditor@mail.test, name: Audit Bot}}\n"
                   f"smtp: {{host: 127.0.0.1, port: {smtp.port}, security: none}}\n")
    def cli(*args):
        return subprocess.run([sys.executable, str(ROOT / "runner.py"), "report", "--config", str(cfg), *args],
                              capture_output=True, text=True, timeout=120)
    single = cli("--last", "--single-file", "--out", str(tmp_path / "one.html"))
    assert single.returncode == 0, single.stderr
    assert "data:image/png;base64," in (tmp_path / "one.html").read_text()
    sent = cli("--run", a.result.run_id, "--email", "--to", "cio@example.test", "--to", "qa@example.test")
    assert sent.returncode == 0, sent.stderr
    (m,) = smtp.wait_for(1, 10)
    assert set(m.rcpt_tos) == {"cio@example.test", "qa@example.test"}
    msg = email.message_from_bytes(m.data, policy=policy.default)
    assert " open, " in msg["Subject"] and msg["Subject"].endswith("/100") and "· Mystery Shopper, score " in msg["Subject"]
    assert [p.get_content_type() for p in msg.walk()][:4] == ["multipart/mixed", "multipart/alternative",
                                                              "text/plain", "text/html"]
    nobody = cli("--last", "--email")
    assert nobody.returncode == 2 and "--to" in nobody.stderr


def test_the_schedules_report_job_mails_the_latest_run_like_report_email(audit, shop_broken, smtp, tmp_path):
    """The job the scheduler and the worker run for `schedules: report:` — the engine's job, the CLI's mailing."""
    import argparse

    from cli.schedule import _scheduled_email_report
    from shopper.config import load_config
    from shopper.store import open_store

    a = audit([ROOT / "journeys/browse_shop.yaml"], base_url=shop_broken.url)
    cfg = tmp_path / "config.yaml"
    cfg.write_text(f"var_dir: {a.config.var_path}\nshopper: {{address: auditor@mail.test, name: Audit Bot}}\n"
                   f"smtp: {{host: 127.0.0.1, port: {smtp.port}, security: none}}\n")
    config = load_config(cfg, environ={})
    with open_store(config.store_url) as store:
        _scheduled_email_report(config, store, argparse.Namespace(now=None), ["cio@example.test"])
    (m,) = smtp.wait_for(1, 10)
    assert list(m.rcpt_tos) == ["cio@example.test"]
    msg = email.message_from_bytes(m.data, policy=policy.default)
    assert msg["Subject"].endswith("/100") and "Mystery Shopper" in msg["From"]
    assert [p.get_filename() for p in msg.walk() if p.get_filename()] == \
        [f"mystery-shopper-report-{a.result.run_id}.html"], [p.get_filename() for p in msg.walk()]
