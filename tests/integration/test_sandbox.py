"""The browser keeps its sandbox: `--no-sandbox` only as root, and Chromium launched as an unprivileged user
runs its renderers sandboxed (their own PID namespace, seccomp-bpf), as the systemd unit and the examples do."""
from __future__ import annotations

import os
import pwd
import sys
from pathlib import Path

import pytest

from shopper.doctor import check_sandbox
from shopper.probes import browser as browser_module
from shopper.probes.browser import LAUNCH_ARGS, find_browser

pytestmark = pytest.mark.browser
ROOT = Path(__file__).resolve().parents[2]

# Run by root (the driver), it becomes `nobody` and starts Chromium without the --no-sandbox root needed.
WRAPPER = """#!{python}
import os, pwd, sys
user = pwd.getpwnam("nobody")
args = [a for a in sys.argv[1:] if a != "--no-sandbox"]
for a in args:
    if a.startswith("--user-data-dir="):
        for root, dirs, files in os.walk(a.split("=", 1)[1]):
            for n in [root, *(os.path.join(root, x) for x in dirs + files)]:
                os.chown(n, user.pw_uid, user.pw_gid)
os.setgroups([]); os.setgid(user.pw_gid); os.setuid(user.pw_uid)
os.environ["HOME"] = "/tmp"
os.execv({chromium!r}, [{chromium!r}, *args])
"""


def test_no_sandbox_only_as_root(monkeypatch):
    assert "--no-sandbox" not in LAUNCH_ARGS
    monkeypatch.setattr(browser_module.os, "geteuid", lambda: 1000)
    assert browser_module.sandbox_on() and check_sandbox().detail.startswith("on")
    monkeypatch.setattr(browser_module.os, "geteuid", lambda: 0)
    check = check_sandbox()
    assert not browser_module.sandbox_on() and "OFF: running as root" in check.detail
    assert "unprivileged user" in check.fix and "mystery-shopper.service" in check.fix


def test_examples_run_as_an_unprivileged_user():
    unit = (ROOT / "examples" / "mystery-shopper.service").read_text()
    assert "\nUser=shopper\n" in unit
    k8s = (ROOT / "examples" / "k8s" / "deployment.yaml").read_text()
    assert k8s.count("runAsNonRoot: true") == 2
    ci = (ROOT / "examples" / "ci" / "github-actions.yml").read_text()
    assert "sudo .venv/bin/python" not in ci and "sudo make setup" in ci


# In a process of its own: a test process that already drives the session's browser with Playwright's sync API
# cannot start a second one.
PROBE = """
import json, sys
from pathlib import Path
from shopper.probes.browser import BrowserProbe, _descendants, _process_table

def status_of(pid):
    lines = Path(f"/proc/{pid}/status").read_text().splitlines()
    return {k: v.strip() for k, _, v in (line.partition(":") for line in lines)}

with BrowserProbe(executable=sys.argv[1]) as probe:
    ctx, _ = probe.new_context(block_hosts=[])
    page = ctx.new_page()
    page.goto("data:text/html,<title>sandboxed</title><p>hello")
    table = _process_table()
    renderers = [p for p in _descendants(probe.pid, table) if "--type=renderer" in table[p][1]]
    out = {"title": page.title(), "renderers": [status_of(p) for p in renderers]}
    out["killed"] = probe.kill_pages()
    ctx.close()
print(json.dumps(out))
"""


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="drops from root to nobody")
def test_chromium_as_an_unprivileged_user_renders_with_its_sandbox(tmp_path):
    import json
    import subprocess

    chromium = find_browser(None, headless=True).executable
    wrapper = tmp_path / "chromium-as-nobody"
    wrapper.write_text(WRAPPER.format(python=os.path.realpath(sys.executable), chromium=chromium))
    wrapper.chmod(0o755)
    nobody = pwd.getpwnam("nobody").pw_uid
    done = subprocess.run([sys.executable, "-c", PROBE, str(wrapper)], cwd=ROOT, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout.strip().splitlines()[-1])
    assert out["title"] == "sandboxed" and out["renderers"]
    for s in out["renderers"]:
        assert s["Uid"].split()[0] == str(nobody)
        assert s["Seccomp"] == "2"                # seccomp-bpf filter on
        assert len(s["NSpid"].split()) > 1        # in the sandbox's own PID namespace
    assert out["killed"] == len(out["renderers"])   # the watchdog (root) can still stop a hung page
