"""SMTP connection dropped after RCPT and after DATA: the send is recorded as 'delivery unknown', never retried.

The server may well have the message (after DATA it does): sending again would write to the company
twice. So the step fails with the reason, the message stays recorded (replies to it still match),
no broken_email is blamed on the company, and `--retries` does not run the journey again.
"""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from shopper.store import open_store

from .servers import HangUpSmtpServer

pytestmark = [pytest.mark.faults, pytest.mark.smtp]
ROOT = Path(__file__).resolve().parents[2]
JOURNEY = """name: write_support
steps:
  - send_email: {to: "support@shop.test", subject: "Where is my kettle?", body: "Hello, order KC-1."}
  - expect_reply: {answer_within: 2d}
"""


def write_config(tmp_path: Path, smtp_port: int) -> Path:
    cfg = tmp_path / "config.yaml"
    cfg.write_text(f"""var_dir: {tmp_path / 'var'}
shopper: {{address: "alex@mail.test", name: Alex Shopper}}
smtp: {{host: 127.0.0.1, port: {smtp_port}, security: none, timeout: 5s}}
sites: {{shop: {{base_url: "http://127.0.0.1:9"}}}}
default_site: shop
""")
    return cfg


@pytest.mark.parametrize("drop", ["after_rcpt", "after_data"])
def test_dropped_connection_is_delivery_unknown_and_never_sent_twice(drop, tmp_path, figures):
    (tmp_path / "write_support.yaml").write_text(JOURNEY)
    with HangUpSmtpServer(drop) as server:
        cfg = write_config(tmp_path, server.port)
        done = subprocess.run([sys.executable, str(ROOT / "runner.py"), "run", str(tmp_path / "write_support.yaml"),
                               "--config", str(cfg), "--retries", "2", "--no-report", "--json",
                               str(tmp_path / "run.json")], capture_output=True, text=True, timeout=120, cwd=tmp_path)
        counts = server.counts
    figures.messages(1, counts.transactions)     # tried exactly once: a retry would be a second transaction
    out = done.stdout + done.stderr
    assert counts.transactions == 1, out
    assert len(counts.delivered) == (1 if drop == "after_data" else 0)
    assert done.returncode == 1, out
    assert "attempt 2" not in out
    run = json.loads((tmp_path / "run.json").read_text())
    (journey,) = run["journeys"]
    send = journey["steps"][0]
    assert send["status"] == "failed"
    assert "delivery unknown" in send["error"] and f"127.0.0.1:{server.port}" in send["error"]
    assert "not sent again" in send["error"]
    kinds = sorted(f["kind"] for f in run["findings"])
    assert "broken_email" not in kinds and kinds == ["step_failed"]
    store = open_store(str(tmp_path / "var" / "shopper.db"))
    try:
        (sent,) = store.query("SELECT * FROM sent_messages")
        assert sent["to_addr"] == "support@shop.test" and sent["ok"] == 0
        (obs,) = store.observations(run["run_id"], kind="mail_sent")
        assert obs["data"]["delivery"] == "unknown"
    finally:
        store.close()
