"""`runner.py init-site URL` as a user types it (a subprocess), on the demo shop: it used to crash at once
with KeyError 'init_site' (only the Python function was tested)."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from shopper.config import load_site_file

pytestmark = pytest.mark.browser
ROOT = Path(__file__).resolve().parents[2]


def test_init_site_command_writes_a_profile(shop_healthy, tmp_path):
    out = tmp_path / "demo.yaml"
    run = subprocess.run([sys.executable, str(ROOT / "runner.py"), "init-site", shop_healthy.url, "--out", str(out),
                          "--var-dir", str(tmp_path / "var")], capture_output=True, text=True, timeout=300, cwd=ROOT)
    assert run.returncode == 0, run.stderr
    assert "Traceback" not in run.stderr
    assert f"site profile: {out}" in run.stdout
    found = load_site_file(out).vars
    assert found["contact_path"] == "/contact" and found["product_path"].startswith("/product/")
    assert "(dry run: not pressed)" in out.read_text()     # walked the checkout, placed no order


def test_init_site_refuses_to_overwrite_without_force(shop_healthy, tmp_path):
    out = tmp_path / "demo.yaml"
    out.write_text("keep me\n")
    run = subprocess.run([sys.executable, str(ROOT / "runner.py"), "init-site", shop_healthy.url, "--out", str(out)],
                         capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert run.returncode == 2 and "--force" in run.stderr and out.read_text() == "keep me\n"


def test_init_site_on_a_shop_that_is_not_there_names_it(tmp_path):
    """A URL nothing answers on (a shop not started yet): one line naming the URL and the fix, exit 2."""
    import socket

    with socket.socket() as s:   # a free port, closed again: connections to it are refused
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    url = f"http://127.0.0.1:{port}"
    run = subprocess.run([sys.executable, str(ROOT / "runner.py"), "init-site", url, "--out", str(tmp_path / "x.yaml"),
                          "--var-dir", str(tmp_path / "var")], capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert run.returncode == 2 and "Traceback" not in run.stderr, run.stderr
    assert f"cannot open {url}" in run.stderr and "that the shop is running" in run.stderr
