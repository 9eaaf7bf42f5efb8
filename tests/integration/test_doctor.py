"""`runner.py doctor` / `validate --preflight`: what the selected journeys need, checked against real servers."""
from __future__ import annotations

import socket
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
pytestmark = [pytest.mark.smtp, pytest.mark.imap]

MAIL_JOURNEY = """name: writes_support
tags: [support]
steps:
  - send_email: {to: support@shop.test, subject: "${secret:SHOPPER_H12_TOKEN}", body: hello}
  - expect_reply: {answer_within: 2d}
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def config_file(tmp_path: Path, smtp_port: int, imap_port: int, imap_user: str) -> Path:
    p = tmp_path / "config.yaml"
    p.write_text(f"var_dir: {tmp_path / 'var'}\n"
                 f"smtp: {{host: 127.0.0.1, port: {smtp_port}, security: none}}\n"
                 f"imap: {{host: 127.0.0.1, port: {imap_port}, security: none, user: {imap_user}}}\n",
                 encoding="utf-8")
    return p


def doctor(tmp_path: Path, config: Path, *extra: str, env: dict | None = None, command=("doctor",)):
    journey = tmp_path / "writes.yaml"
    journey.write_text(MAIL_JOURNEY, encoding="utf-8")
    return subprocess.run([sys.executable, str(ROOT / "runner.py"), *command, "--config", str(config), str(journey),
                           *extra], capture_output=True, text=True, timeout=120, env=env)


def test_everything_in_place(tmp_path, smtp, imap_user):
    config = config_file(tmp_path, smtp.port, imap_user.server.port, imap_user.login)
    env = {"PATH": "/usr/bin:/bin", "SHOPPER_H12_TOKEN": "t", "SHOPPER_IMAP_PASSWORD": imap_user.password}
    out = doctor(tmp_path, config, env=env)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "doctor: 1 journey(s) need SMTP, IMAP, secrets SHOPPER_H12_TOKEN" in out.stdout
    assert f"ok    smtp: 127.0.0.1:{smtp.port}: connected" in out.stdout
    assert f"ok    imap: 127.0.0.1:{imap_user.server.port}: logged in as {imap_user.login}" in out.stdout
    assert "ok    secret SHOPPER_H12_TOKEN: set" in out.stdout and "browser" not in out.stdout
    assert "ok    store: " in out.stdout and imap_user.password not in out.stdout
    assert smtp.messages == []   # nothing was sent


def test_each_problem_is_named_with_its_fix(tmp_path, imap_user):
    config = config_file(tmp_path, free_port(), imap_user.server.port, imap_user.login)
    env = {"PATH": "/usr/bin:/bin", "SHOPPER_IMAP_PASSWORD": "wrong-password"}
    for command in (("doctor",), ("validate", "--preflight")):
        out = doctor(tmp_path, config, env=env, command=command)
        assert out.returncode == 2, out.stdout + out.stderr
        lines = out.stdout
        assert "FAIL  secret SHOPPER_H12_TOKEN: not set" in lines and "fix: export SHOPPER_H12_TOKEN=..." in lines
        assert "FAIL  smtp: " in lines and "connection refused" in lines.lower()
        assert "FAIL  imap: " in lines and "wrong-password" not in lines
        assert "3 problem(s) of the shopper's own set-up" in lines


def test_validate_without_preflight_checks_no_servers(tmp_path):
    config = config_file(tmp_path, free_port(), free_port(), "nobody")
    out = doctor(tmp_path, config, env={"PATH": "/usr/bin:/bin"}, command=("validate",))
    assert out.returncode == 0, out.stdout + out.stderr
    assert "doctor" not in out.stdout
