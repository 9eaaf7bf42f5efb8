"""Shards: stable subsets that together cover every journey once; merge combines them into one run."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from shopper.audit import select_journeys, shard_of
from shopper.config import load_config

pytestmark = pytest.mark.browser
ROOT = Path(__file__).resolve().parents[2]


def test_shards_are_stable_and_cover_everything():
    names = [f"journey_{i}" for i in range(40)]
    for n in (1, 2, 3, 4):
        shards = [[x for x in names if shard_of(x, n) == k] for k in range(1, n + 1)]
        assert sorted(sum(shards, [])) == sorted(names)
        assert shards == [[x for x in names if shard_of(x, n) == k] for k in range(1, n + 1)]
    config = load_config(ROOT / "config.yaml", environ={})
    a = select_journeys([ROOT / "journeys"], config, shard=(1, 2)).journeys
    b = select_journeys([ROOT / "journeys"], config, shard=(2, 2)).journeys
    assert sorted(j.name for j in a + b) == sorted(j.name for j in select_journeys([ROOT / "journeys"], config).journeys)


def test_two_shards_merged_equal_one_run(shop_broken, tmp_path):
    jdir = tmp_path / "journeys"
    jdir.mkdir()
    for p in (ROOT / "journeys/browse_shop.yaml", ROOT / "journeys/account_login.yaml",
              ROOT / "tests/data/journeys/good/home.yaml"):
        shutil.copy(p, jdir)
    env = {**os.environ, "SHOPPER_SITE_PASSWORD": "kettle-secret-123"}

    def cli(*args):
        return subprocess.run([sys.executable, str(ROOT / "runner.py"), *args, "--config", str(ROOT / "config.yaml")],
                              capture_output=True, text=True, timeout=240, env=env, cwd=tmp_path)

    outs = []
    for k in (1, 2):
        out = tmp_path / f"shard{k}.json"
        p = cli("run", str(jdir), "--base-url", shop_broken.url, "--shard", f"{k}/2", "--json", str(out),
                "--var-dir", str(tmp_path / f"var{k}"), "--no-report")
        assert p.returncode in (0, 1), p.stderr
        outs.append(out)
    whole = cli("run", str(jdir), "--base-url", shop_broken.url, "--json", str(tmp_path / "whole.json"),
                "--var-dir", str(tmp_path / "varw"), "--no-report")
    merged = cli("merge", *map(str, outs), "--json", str(tmp_path / "merged.json"), "--var-dir", str(tmp_path / "varm"))
    assert merged.returncode == 1, merged.stdout + merged.stderr
    w = json.loads((tmp_path / "whole.json").read_text())
    m = json.loads((tmp_path / "merged.json").read_text())
    assert sorted(j["name"] for j in m["journeys"]) == sorted(j["name"] for j in w["journeys"])
    assert sorted(f["fingerprint"] for f in m["findings"]) == sorted(f["fingerprint"] for f in w["findings"])
    assert m["summary"]["score"] == w["summary"]["score"]
    # the merged summary is computed as a run's is: equal to the whole run's but for where it came from
    assert {k: v for k, v in m["summary"].items() if k not in ("browser", "shards")} == \
        {k: v for k, v in w["summary"].items() if k != "browser"}
    assert m["status"] == w["status"] and m["summary"]["shards"] == [json.loads(o.read_text())["run_id"] for o in outs]
    assert "report: " in merged.stdout and whole.returncode == 1


def test_workers_give_the_same_results_as_a_serial_run(shop_broken, tmp_path):
    env = {**os.environ, "SHOPPER_SITE_PASSWORD": "kettle-secret-123"}
    paths = [str(ROOT / "journeys/browse_shop.yaml"), str(ROOT / "journeys/account_login.yaml"),
             str(ROOT / "tests/data/journeys/good/home.yaml")]
    out = {}
    for workers in (1, 2):
        p = subprocess.run([sys.executable, str(ROOT / "runner.py"), "run", *paths, "--base-url", shop_broken.url,
                            "--workers", str(workers), "--json", str(tmp_path / f"w{workers}.json"),
                            "--var-dir", str(tmp_path / f"var{workers}"), "--no-report"],
                           capture_output=True, text=True, timeout=240, env=env)
        assert p.returncode == 1, p.stderr
        out[workers] = json.loads((tmp_path / f"w{workers}.json").read_text())
    assert [(j["name"], j["status"], [s["status"] for s in j["steps"]]) for j in out[1]["journeys"]] == \
        [(j["name"], j["status"], [s["status"] for s in j["steps"]]) for j in out[2]["journeys"]]
    assert sorted(f["fingerprint"] for f in out[1]["findings"]) == sorted(f["fingerprint"] for f in out[2]["findings"])
    assert out[2]["summary"]["browser"] == "2 worker processes"


WAITS_LONG = """name: waits_long_{n}
steps:
  - open: /
  - expect: "A text this page never shows"
    timeout: 90s
"""


def _descendants(pid: int) -> set[int]:
    """Every live process below `pid` (read from /proc at this moment)."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                fields = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            children.setdefault(int(fields[1]), []).append(int(entry))
    found, todo = set(), [pid]
    while todo:
        for c in children.get(todo.pop(), []):
            found.add(c)
            todo.append(c)
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state not in ("Z", "X")


def _within(seconds: float, condition) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)   # polling a condition with a deadline; nothing here is timed by this
    return condition()


def test_sigkill_of_a_run_with_workers_leaves_nothing_running(shop_healthy, tmp_path):
    """Orphans: worker Pythons, their drivers and Chromiums die with the `run --workers` that started them."""
    paths = []
    for n in (1, 2):
        paths.append(tmp_path / f"waits_long_{n}.yaml")
        paths[-1].write_text(WAITS_LONG.format(n=n), encoding="utf-8")
    run = subprocess.Popen([sys.executable, str(ROOT / "runner.py"), "run", *map(str, paths), "--base-url",
                            shop_healthy.url, "--workers", "2", "--var-dir", str(tmp_path / "var"), "--no-report"],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        def two_browsers_open() -> bool:
            cmds = [Path(f"/proc/{p}/cmdline").read_bytes() for p in _descendants(run.pid) if _alive(p)]
            return sum(1 for c in cmds if b"--type=renderer" in c) >= 2
        assert _within(120, two_browsers_open), "the workers never opened their pages"
        below = _descendants(run.pid)
    finally:
        run.kill()
        run.wait(30)
    assert _within(30, lambda: not any(_alive(p) for p in below)), \
        [Path(f"/proc/{p}/cmdline").read_bytes()[:80] for p in below if _alive(p)]
