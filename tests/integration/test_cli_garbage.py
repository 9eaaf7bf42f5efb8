"""Every command given garbage exits 2 with a one-line message, never a traceback; read-only commands never
create a store. Each case runs `runner.py` as a subprocess, as a user types it."""
from __future__ import annotations

import json
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
READ_ONLY = {"status", "report", "show-report", "show-trace", "kinds", "validate"}

# (arguments, a piece of the message). {d} is a scratch directory holding the files made below.
CASES: list[tuple[str, str]] = [
    ("", "usage"),
    ("frobnicate", "invalid choice"),
    ("--var-dir", "unrecognized arguments"),
    ("run --base-url file:///etc/passwd", "http:// or https://"),
    ("run --base-url javascript:alert(1)", "http:// or https://"),
    ("run --base-url data:text/html,x", "http:// or https://"),
    ("run --base-url shop.example.com", "http:// or https://"),
    ("run --base-url http://", "http:// or https://"),
    ("run --base-url http://shop.test:99999/", "not a URL"),
    ("run --workers 0", "give 1 or more"),
    ("run --workers -3", "give 1 or more"),
    ("run --workers many", "not a whole number"),
    ("run --retries -5", "give 0 or more"),
    ("run --retries 1.5", "not a whole number"),
    ("run --now garbage", "not an instant"),
    ("run --now 9999-99-99", "not an instant"),
    ("run --now 99999-01-01T00:00Z", "not an instant"),
    ("run --shard 3/2", "--shard"),
    ("run --shard x", "--shard"),
    ("run --shard 0/0", "--shard"),
    ("run --var novalue", "NAME=VALUE"),
    ("run --fail-on nonsense_kind", "fail-on"),
    ("run --site nosuchsite", "site profile 'nosuchsite'"),
    ("run --config {d}/missing.yaml", "does not exist"),
    ("run --config {d}/latin1.yaml", "is not UTF-8"),
    ("run --config {d}/workers0.yaml", "workers must be at least 1"),
    ("run --config {d}/badallow.yaml", "allow:"),
    ("run --config {d}/badbase.yaml", "must be an http:// or https://"),
    ("run --config {d}/retries.yaml", "retries must be 0 or more"),
    ("run --config {d}/notyaml.yaml", "notyaml.yaml"),
    ("run {d}/binary.yaml", "binary.yaml"),
    ("run {d}/nosuchdir", "nosuchdir"),
    ("validate {d}/binary.yaml", "binary.yaml"),
    ("validate --config {d}/latin1.yaml", "is not UTF-8"),
    ("doctor --config {d}/latin1.yaml", "is not UTF-8"),
    ("doctor --journey", "expected one argument"),
    ("report --run nosuchrun", "no store"),
    ("report --last --run x", "not allowed with"),
    ("show-report --run nosuchrun", "no store"),
    ("show-trace deadbeef", "no store"),
    ("show-trace", "the following arguments are required"),
    ("status --config {d}/latin1.yaml", "is not UTF-8"),
    ("status extra", "unrecognized arguments"),
    ("sweep --now yesterday", "not an instant"),
    ("classify", "the following arguments are required"),
    ("merge {d}/array.json", "not a run JSON"),
    ("merge {d}/notjson.json", "not valid JSON"),
    ("merge {d}/latin1.yaml", "neither a run JSON"),
    ("merge {d}/nothing.json", "no such file"),
    ("schedule --config {d}/workers0.yaml", "workers must be at least 1"),
    ("worker --heartbeat abc", "invalid float"),
    ("kinds --bogus", "unrecognized arguments"),
    ("init-site file:///etc/passwd", "http:// or https://"),
    ("init-site javascript:alert(1)", "http:// or https://"),
    ("demo --profile zz", "invalid choice"),
    ("demo --defect no_such_defect", "no_such_defect"),
]


def make_files(d: Path) -> None:
    d.mkdir(parents=True, exist_ok=True)
    (d / "latin1.yaml").write_bytes(b"var_dir: var\n# caf\xe9\nbrowser:\n  headless: true\n")
    (d / "workers0.yaml").write_text("links:\n  workers: 0\n")
    (d / "badallow.yaml").write_text("network:\n  allow: ['10.0.0.0/33']\n")
    (d / "badbase.yaml").write_text("sites:\n  x:\n    base_url: file:///etc/passwd\n")
    (d / "retries.yaml").write_text("retries: -2\n")
    (d / "notyaml.yaml").write_text("browser: [unclosed\n")
    (d / "binary.yaml").write_bytes(bytes(range(256)))
    (d / "array.json").write_text(json.dumps([1, 2, 3]))
    (d / "notjson.json").write_text("{nope")


def run_case(args: str, d: Path) -> subprocess.CompletedProcess:
    argv = [a.replace("{d}", str(d)) for a in args.split()]
    if "--config" not in argv and argv and argv[0] not in ("--var-dir", "frobnicate"):
        # read-only commands get a var dir of their own: nothing may appear in it
        argv += ["--var-dir", str(d / ("read-only" if argv[0] in READ_ONLY else "var"))]
    return subprocess.run([sys.executable, str(ROOT / "runner.py"), *argv], capture_output=True, text=True,
                          timeout=120, cwd=d, env={"PATH": "/usr/bin:/bin", "HOME": str(d)})


def test_every_command_given_garbage_exits_2_with_a_message(tmp_path):
    make_files(tmp_path)
    assert len(CASES) >= 56
    with ThreadPoolExecutor(max_workers=3) as pool:
        results = list(pool.map(lambda case: run_case(case[0], tmp_path), CASES))
    bad = []
    for (args, wanted), out in zip(CASES, results):
        text = out.stderr + out.stdout
        if out.returncode != 2 or "Traceback" in text or wanted.lower() not in text.lower():
            bad.append(f"{args!r}: exit {out.returncode}, wanted {wanted!r}: {text.strip()[-300:]}")
    assert not bad, f"{len(bad)} of {len(CASES)} garbage invocations misbehaved:\n" + "\n".join(bad)
    assert not (tmp_path / "read-only").exists(), "a read-only command created a store"


@pytest.mark.parametrize("command", sorted(READ_ONLY))
def test_read_only_commands_never_create_a_store(tmp_path, command):
    args = {"show-trace": ["show-trace", "abc"]}.get(command, [command])
    out = subprocess.run([sys.executable, str(ROOT / "runner.py"), *args, "--var-dir", str(tmp_path / "v")],
                         capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert "Traceback" not in out.stderr
    assert not (tmp_path / "v").exists() or not any((tmp_path / "v").iterdir()), list((tmp_path / "v").iterdir())


@pytest.mark.browser
def test_init_site_is_a_command_that_runs(shop_healthy, tmp_path):
    """`init-site` was registered under a name the dispatcher never looked up (KeyError, a traceback)."""
    out = subprocess.run([sys.executable, str(ROOT / "runner.py"), "init-site", shop_healthy.url, "--out",
                          str(tmp_path / "site.yaml"), "--var-dir", str(tmp_path / "var")],
                         capture_output=True, text=True, timeout=180, cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    assert "contact           /contact" in out.stdout and (tmp_path / "site.yaml").is_file()
