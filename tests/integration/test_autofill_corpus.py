"""Our field classification scored on Chromium's autofill regression forms (../shared/corpus/autofill, used as
it is), through the bench a user runs: `bench/autofill_corpus.py --corpus DIR`."""
from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.slow]
ROOT = Path(__file__).resolve().parents[2]
CORPUS = Path(os.environ.get("SHOPPER_SHARED") or ROOT.parent / "shared") / "corpus" / "autofill"
GOALS = {"precision": 0.97, "recall": 0.90}
# what the classifier reaches today: a change that makes it worse fails here
FLOOR = {"precision": 0.98, "recall": 0.95}


@pytest.fixture(scope="module")
def scores():
    if not (CORPUS / "input").is_dir():
        pytest.skip(f"no autofill corpus at {CORPUS} (set SHOPPER_SHARED to the shared dir)")
    run = subprocess.run([sys.executable, str(ROOT / "bench" / "autofill_corpus.py"), "--corpus", str(CORPUS)],
                         capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr
    last = run.stdout.strip().splitlines()[-1]
    m = re.fullmatch(r"precision=(\d\.\d{3}) recall=(\d\.\d{3}) fields=(\d+)", last)
    assert m, last
    return {"precision": float(m.group(1)), "recall": float(m.group(2)), "fields": int(m.group(3)),
            "table": run.stdout}


def test_every_field_of_the_corpus_is_scored(scores):
    assert scores["fields"] == 1193
    for family in ("NAME", "ADDRESS", "PHONE", "EMAIL", "CREDIT_CARD", "COMPANY", "overall"):
        assert re.search(rf"^{family}\s+\d+", scores["table"], re.M), scores["table"]


def test_the_classifier_keeps_its_level(scores):
    assert scores["precision"] >= FLOOR["precision"] and scores["recall"] >= FLOOR["recall"], scores["table"]


def test_the_goals(scores):
    assert scores["precision"] >= GOALS["precision"] and scores["recall"] >= GOALS["recall"], scores["table"]
