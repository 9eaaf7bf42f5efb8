"""Accuracy floors of bounce analysis over the labelled Sisimai corpus (reason, status, recipient)."""
from __future__ import annotations

from pathlib import Path

import pytest

from shopper.mail.classify import classify
from shopper.mail.corpus import Pair, default_corpus, pair, read_labels

CORPUS = default_corpus(Path(__file__).resolve().parents[2])
FLOORS = {"reason": 0.95, "status": 0.95, "recipient": 0.99}

pytestmark = pytest.mark.skipif(not (CORPUS / "labels.tsv").exists(),
                                reason=f"bounce corpus not found at {CORPUS} (set SHOPPER_CORPUS)")


@pytest.fixture(scope="module")
def pairs() -> list[Pair]:
    labels = read_labels(CORPUS)
    return [p for name, rows in labels.items() for p in pair(rows, classify((CORPUS / name).read_bytes()))]


def _wrong(pairs: list[Pair], field: str) -> tuple[float, list[str]]:
    if field == "status":
        rows = [p for p in pairs if p.label.status]
        bad = [p for p in rows if p.status != p.label.status]
    elif field == "recipient":
        rows = [p for p in pairs if p.label.recipient]
        bad = [p for p in rows if (p.recipient or "").lower() != p.label.recipient.lower()]
    else:
        rows = pairs
        bad = [p for p in rows if p.reason != p.label.reason]
    got = {"reason": lambda p: p.reason, "status": lambda p: p.status, "recipient": lambda p: p.recipient}[field]
    want = {"reason": lambda p: p.label.reason, "status": lambda p: p.label.status,
            "recipient": lambda p: p.label.recipient}[field]
    return 1 - len(bad) / len(rows), [f"{p.label.file}: want {want(p)!r} got {got(p)!r}" for p in bad]


@pytest.mark.parametrize("field", sorted(FLOORS))
def test_accuracy_floor(pairs: list[Pair], field: str) -> None:
    accuracy, wrong = _wrong(pairs, field)
    assert accuracy >= FLOORS[field], (
        f"{field} accuracy {accuracy:.2%} < {FLOORS[field]:.0%}; first wrong rows:\n" + "\n".join(wrong[:25]))


def test_every_labelled_email_is_read(pairs: list[Pair]) -> None:
    missing = [p.label.file for p in pairs if p.reason is None]
    assert len(missing) <= len(pairs) * 0.01, f"{len(missing)} rows without a delivery: {missing[:20]}"
