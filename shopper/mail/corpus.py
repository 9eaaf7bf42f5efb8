"""Read the labelled bounce corpus (labels.tsv) and pair its rows with what classify() found."""
from __future__ import annotations

import csv
import os
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from shopper.mail.classify import Classification


@dataclass(frozen=True)
class Label:
    """One expected row: a failed recipient of a corpus email."""
    file: str
    reason: str
    status: str
    reply_code: str
    hard: bool
    recipient: str


@dataclass(frozen=True)
class Pair:
    """An expected row next to what we found for it (None fields when we found fewer recipients)."""
    label: Label
    reason: str | None
    status: str | None
    recipient: str | None
    hard: bool | None


def default_corpus(checkout: str | Path) -> Path:
    """SHOPPER_CORPUS, else shared/corpus/bounces beside the checkout or beside a folder above it (a git
    worktree under work/wt/NAME finds work/shared as well as work/main does)."""
    env = os.environ.get("SHOPPER_CORPUS")
    if env:
        return Path(env)
    here = Path(checkout).resolve()
    for folder in here.parents:
        if (folder / "shared/corpus/bounces/labels.tsv").exists():
            return folder / "shared/corpus/bounces"
    return here.parent / "shared/corpus/bounces"


def read_labels(corpus: Path) -> dict[str, list[Label]]:
    """Labels grouped by file (relative path), rows in file order."""
    grouped: dict[str, list[Label]] = defaultdict(list)
    with open(corpus / "labels.tsv", encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh, delimiter="\t"):
            grouped[row["file"]].append(Label(row["file"], row["reason"], row["status"], row["replycode"],
                                              row["hard"] == "1", row["recipient"]))
    return dict(grouped)


def pair(labels: list[Label], result: Classification) -> list[Pair]:
    """Pair the n-th label with the n-th delivery; an auto-reply stands for reason 'vacation'."""
    found = list(result.deliveries)
    pairs = []
    for i, label in enumerate(labels):
        if i < len(found):
            d = found[i]
            pairs.append(Pair(label, d.reason, d.status, d.recipient, d.hard))
        elif not found and result.kind == "autoreply":
            pairs.append(Pair(label, "vacation", None, None, False))
        else:
            pairs.append(Pair(label, None, None, None, None))
    return pairs
