"""Every command line README.md and docs/ show runs, as a subprocess, against the demo world: no traceback,
an exit status the docs give for it. A crash like `init-site`'s `KeyError: 'init_site'` cannot ship again.

Command lines are the lines of ```sh blocks that start with `runner.py` or `.venv/bin/python runner.py`
(a trailing backslash continues them). A ```yaml block whose first line is a comment naming a file
(`# journeys/x.yaml`) is written to that file first, as the reader would. Commands that need a real remote
site are pointed at the demo world (REMOTE below); output files go to a temporary directory."""
from __future__ import annotations

import dataclasses
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from demo.world import DemoWorld

pytestmark = [pytest.mark.browser, pytest.mark.imap, pytest.mark.slow]
ROOT = Path(__file__).resolve().parents[2]
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
BLOCK = re.compile(r"```(\w*)\n(.*?)```", re.S)
COMMAND = re.compile(r"^(?:\$ )?(?:\.venv/bin/python )?runner\.py\b")
REMOTE = {  # what a doc points at -> the demo world's equivalent ({shop} is its URL)
    "https://shop.example": "{shop}",
    "http://127.0.0.1:8765/": "{shop}/",
    "http://127.0.0.1:8766": "{shop}",   # EverShop's walk-through: init-site runs on the demo shop instead
    "--site oscar": "--site demo",
}
# the exit statuses the docs give (README "Exit status of run", docs/ci.md, docs/mail.md)
EXITS = {"run": {0, 1, 2}, "sweep": {0, 1, 2}, "demo": {0, 1}, "doctor": {0, 2}}


def doc_commands() -> list[tuple[str, str]]:
    """(where, command line) for every command in the docs' sh blocks, in order."""
    out = []
    for doc in DOCS:
        text = doc.read_text(encoding="utf-8")
        for m in BLOCK.finditer(text):
            if m.group(1) not in ("sh", "bash", "console", "shell"):
                continue
            line_no = text.count("\n", 0, m.start(2)) + 1
            buf = ""
            for i, line in enumerate(m.group(2).splitlines()):
                if not buf and not COMMAND.match(line.strip()):
                    continue
                buf += " " + line.strip()
                if buf.endswith("\\"):
                    buf = buf[:-1]
                    continue
                out.append((f"{doc.relative_to(ROOT)}:{line_no + i}", buf.strip()))
                buf = ""
    return out


def doc_files() -> dict[str, str]:
    """Files the docs write out in full: a yaml block whose first line is `# path/to/file.yaml`."""
    out = {}
    for doc in DOCS:
        for m in BLOCK.finditer(doc.read_text(encoding="utf-8")):
            first = m.group(2).split("\n", 1)[0].strip()
            if m.group(1) == "yaml" and re.fullmatch(r"# [\w./-]+\.ya?ml", first) and "/" in first:
                out[first[2:]] = m.group(2)
    return out


COMMANDS = doc_commands()


def test_the_docs_show_commands():
    verbs = {shlex.split(c.split("#")[0])[1 if c.startswith("runner.py") else 2] for _, c in COMMANDS}
    assert {"validate", "doctor", "run", "report", "kinds", "status", "init-site", "sweep"} <= verbs


@pytest.fixture(scope="module")
def project(tmp_path_factory, browser):
    """A healthy demo world, a config pointing at it (as `runner.py demo` does), the docs' files, and a store
    that already holds a run (so `report --last` and `status` have one)."""
    tmp = tmp_path_factory.mktemp("docs-project")
    with DemoWorld.start((), "a") as world:
        cfg = yaml.safe_load((ROOT / "config.yaml").read_text(encoding="utf-8"))
        world_cfg = world.configure(_config_stub())
        cfg.update(var_dir=str(tmp / "var"), journeys=str(ROOT / "journeys"), default_site="demo")
        cfg["sites"]["demo"]["base_url"] = world.shop.url
        cfg["shopper"] = {"address": world_cfg.shopper.address, "name": "Alex Shopper", "plus_addressing": True}
        cfg["smtp"] = {"host": "127.0.0.1", "port": world_cfg.smtp.port, "security": "none"}
        cfg["imap"] = {"host": "127.0.0.1", "port": world_cfg.imap.port, "security": "none",
                       "user": world_cfg.imap.user, "folders": ["INBOX"]}
        cfg["dns"] = {"nameservers": ["127.0.0.1"], "port": world_cfg.dns.port, "timeout": "2s"}
        (tmp / "config.yaml").write_text(yaml.safe_dump(cfg, sort_keys=False), encoding="utf-8")
        for path, text in doc_files().items():
            (tmp / path).parent.mkdir(parents=True, exist_ok=True)
            (tmp / path).write_text(text, encoding="utf-8")
        env = {**world.environ({k: v for k, v in os.environ.items() if not k.startswith("SHOPPER_")}),
               "SHOPPER_CONFIG": str(tmp / "config.yaml"), "SHOPPER_SMTP_PASSWORD": "unused",
               # the world's clock (its mail is dated by it): what `runner.py demo` passes to its session
               "SHOPPER_NOW": world.clock.now().isoformat()}
        seed = run(tmp, env, "runner.py run --journey browse_shop")
        assert seed.returncode in (0, 1), seed.stdout + seed.stderr
        yield tmp, env, world


def _config_stub():
    from shopper.config import Config
    return Config()


def run(cwd: Path, env: dict, command: str, shop: str = "") -> subprocess.CompletedProcess:
    args = shlex.split(command, comments=True)
    if args[0] == ".venv/bin/python":
        args = args[1:]
    assert args[0] == "runner.py"
    return subprocess.run([sys.executable, str(ROOT / "runner.py"), *args[1:]], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=300)


@pytest.mark.parametrize("where, command", COMMANDS, ids=[w for w, _ in COMMANDS])
def test_documented_command_runs(project, where, command):
    tmp, env, world = project
    for remote, local in REMOTE.items():
        command = command.replace(remote, local.format(shop=world.shop.url))
    verb = shlex.split(command, comments=True)[1 if command.startswith("runner.py") else 2]
    done = run(tmp, env, command)
    out = done.stdout + done.stderr
    assert "Traceback (most recent call last)" not in out, f"{where}: {command}\n{out[-3000:]}"
    assert done.returncode in EXITS.get(verb, {0}), f"{where}: {command} -> {done.returncode}\n{out[-3000:]}"
