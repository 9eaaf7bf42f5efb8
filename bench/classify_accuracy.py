"""Bench: accuracy of mail classification per field on the labelled bounce corpus, and its speed."""
from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from shopper.mail.classify import classify  # noqa: E402
from shopper.mail.corpus import SISIMAI_SECONDS, Pair, default_corpus, pair, read_labels  # noqa: E402


def _accuracy(pairs: list[Pair]) -> dict[str, tuple[int, int]]:
    score = {"reason": [0, 0], "status": [0, 0], "recipient": [0, 0], "hard": [0, 0]}
    for p in pairs:
        score["reason"][1] += 1
        score["reason"][0] += p.reason == p.label.reason
        score["hard"][1] += 1
        score["hard"][0] += p.hard == p.label.hard
        if p.label.status:
            score["status"][1] += 1
            score["status"][0] += p.status == p.label.status
        if p.label.recipient:
            score["recipient"][1] += 1
            score["recipient"][0] += (p.recipient or "").lower() == p.label.recipient.lower()
    return {k: (v[0], v[1]) for k, v in score.items()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--corpus", type=Path, default=None,
                        help="folder holding labels.tsv and eml/ (default: $SHOPPER_CORPUS or "
                             "../shared/corpus/bounces next to the checkout)")
    parser.add_argument("--wrong", action="store_true", help="list every wrong row")
    args = parser.parse_args(argv)
    corpus = args.corpus or default_corpus(Path(__file__).resolve().parents[1])
    if not (corpus / "labels.tsv").exists():
        print(f"no corpus at {corpus} (set --corpus or SHOPPER_CORPUS)", file=sys.stderr)
        return 2
    labels = read_labels(corpus)
    raws = {name: (corpus / name).read_bytes() for name in labels}

    best = float("inf")
    results = {}
    for _ in range(3):
        start = time.perf_counter()
        results = {name: classify(raw) for name, raw in raws.items()}
        best = min(best, time.perf_counter() - start)

    pairs = [p for name, rows in labels.items() for p in pair(rows, results[name])]
    for field, (good, total) in _accuracy(pairs).items():
        print(f"{field:10s} {good:4d}/{total:<4d} {100.0 * good / max(total, 1):6.2f}%")

    confusion = Counter((p.label.reason, p.reason) for p in pairs if p.reason != p.label.reason)
    if confusion:
        print("\nreason confusions (expected -> got: count)")
        for (want, got), n in confusion.most_common():
            print(f"  {want:16s} -> {str(got):16s} {n}")
    if args.wrong:
        print("\nwrong rows")
        for p in pairs:
            bad = [f for f, w, g in (("reason", p.label.reason, p.reason), ("status", p.label.status, p.status),
                                     ("recipient", p.label.recipient.lower(), (p.recipient or "").lower()))
                   if w and w != g]
            if bad:
                print(f"  {p.label.file}: {', '.join(bad)}: want {p.label.reason} {p.label.status} "
                      f"{p.label.recipient} got {p.reason} {p.status} {p.recipient}")
    print(f"\ntime: {best:.3f} s for {len(raws)} emails (best of 3); "
          f"{best / SISIMAI_SECONDS:.2f}x Sisimai's {SISIMAI_SECONDS} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
