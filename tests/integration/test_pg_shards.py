"""Four shards at once against one PostgreSQL store, merged into one run."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from shopper.audit import shard_of
from shopper.store import open_store

pytestmark = [pytest.mark.postgres, pytest.mark.browser]
ROOT = Path(__file__).resolve().parents[2]


def test_four_shards_into_one_postgresql_store(pg_url, shop_broken, tmp_path):
    jdir = tmp_path / "journeys"
    jdir.mkdir()
    pages = ["/", "/reviews", "/product/1", "/contact", "/careers", "/newsletter", "/product/2", "/order-status"]
    for n, page in enumerate(pages):
        (jdir / f"j{n}.yaml").write_text(f"name: j{n}\ntags: [web]\nsteps:\n  - open: {page}\n  - expect: {{role: heading}}\n")
    assert len({shard_of(f"j{n}", 4) for n in range(len(pages))}) == 4   # every shard has work
    env = {**os.environ, "SHOPPER_STORE": pg_url}
    procs = [subprocess.Popen([sys.executable, str(ROOT / "runner.py"), "run", str(jdir), "--shard", f"{k}/4",
                               "--base-url", shop_broken.url, "--json", str(tmp_path / f"shard{k}.json"),
                               "--var-dir", str(tmp_path / f"var{k}"), "--no-report"],
                              env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for k in (1, 2, 3, 4)]
    for p in procs:
        out, err = p.communicate(timeout=300)
        assert p.returncode in (0, 1), err
    merged = subprocess.run([sys.executable, str(ROOT / "runner.py"), "merge",
                             *[str(tmp_path / f"shard{k}.json") for k in (1, 2, 3, 4)],
                             "--json", str(tmp_path / "merged.json"), "--var-dir", str(tmp_path / "varm")],
                            env=env, capture_output=True, text=True, timeout=120)
    assert merged.returncode == 1, merged.stderr
    m = json.loads((tmp_path / "merged.json").read_text())
    assert sorted(j["name"] for j in m["journeys"]) == [f"j{n}" for n in range(len(pages))]
    # /reviews answers 500 and its JS-erroring product page throws: found once each, whichever shard ran them
    kinds = sorted((f["journey"], f["kind"]) for f in m["findings"])
    assert ("j1", "page_error") in kinds and ("j2", "page_error") in kinds
    store = open_store(pg_url)
    try:
        runs = store.runs(limit=10)
        assert len(runs) == 5 and sum(r.id.startswith("merged-") for r in runs) == 1
        shard_journeys = sum(len(store.journeys(r.id)) for r in runs if not r.id.startswith("merged-"))
        assert shard_journeys == len(pages)
        assert len(store.journeys(next(r.id for r in runs if r.id.startswith("merged-")))) == len(pages)
    finally:
        store.close()
