"""Bench: bounce classification side by side with Sisimai 5.1.0 on the labelled corpus, in the same run.

Both tools classify the same files; one scorer judges both (every labelled row, matched to the tool's row
for the same recipient, else to the row at the same position). Times are measured here, never typed in:
whole process on every corpus file, one file, and in-process (ours: classify() in this process; Sisimai's:
the batch time its own script reports, Perl start-up excluded). Where a goal is missed it prints why.
Our modules are byte-compiled before timing, as an installed copy (or any earlier run) has them: where
PYTHONDONTWRITEBYTECODE is set, every run would otherwise compile them from source.

    .venv/bin/python bench/classify_accuracy.py [--corpus DIR] [--wrong] [--repeat N]
"""
from __future__ import annotations

import argparse
import compileall
import cProfile
import io
import json
import os
import pstats
import re
import shutil
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from shopper.mail.classify import classify  # noqa: E402
from shopper.mail.corpus import Label, default_corpus, read_labels  # noqa: E402
from shopper.mail.mimetree import message_tree  # noqa: E402

GOALS = {"reason": 0.97, "status": 0.97, "recipient": 0.995}
WHOLE_GOAL, ONE_FILE_GOAL = 0.8, 2.0      # our wall time / Sisimai's
ONE_FILE = "eml/lhost-postfix-01.eml"
PERL_MODULES = ("JSON", "Class::Accessor::Lite")


@dataclass(frozen=True)
class Row:
    """One recipient as a tool reports it."""
    reason: str | None
    status: str | None
    recipient: str | None
    hard: bool | None


def sisimai_script(corpus: Path) -> Path:
    """../shared/anchors/sisimai-classify beside the corpus's shared folder (or $SHOPPER_SISIMAI)."""
    if os.environ.get("SHOPPER_SISIMAI"):
        return Path(os.environ["SHOPPER_SISIMAI"])
    return corpus.resolve().parents[1] / "anchors/sisimai-classify"


def sisimai_problem(script: Path) -> str:
    """Why Sisimai cannot run here ('' when it can)."""
    if not script.exists():
        return f"no Sisimai at {script} (set SHOPPER_SISIMAI)"
    if shutil.which("perl") is None:
        return "no perl on PATH: apt-get install perl"
    missing = [m for m in PERL_MODULES if subprocess.run(["perl", f"-M{m}", "-e1"], capture_output=True).returncode]
    if missing:
        return (f"Sisimai needs the Perl modules {', '.join(missing)}: run scripts/setup.sh, or "
                "apt-get install libjson-perl libclass-accessor-lite-perl")
    return ""


def run_timed(cmd: list[str], repeat: int) -> tuple[float, subprocess.CompletedProcess]:
    """Best wall time of `repeat` runs, and the output of the last."""
    best, done = float("inf"), None
    for _ in range(repeat):
        start = time.perf_counter()
        done = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT)
        best = min(best, time.perf_counter() - start)
        if done.returncode != 0:
            raise SystemExit(f"{' '.join(cmd[:3])} ... failed ({done.returncode}): {done.stderr[-2000:]}")
    return best, done


def run_side_by_side(ours: list[str], theirs: list[str] | None, repeat: int):
    """Best wall times of both commands, run alternately so that both meet the same machine load."""
    best = [float("inf"), float("inf")]
    outputs: list = [None, None]
    for _ in range(repeat):
        for i, cmd in enumerate((ours, theirs)):
            if cmd is None:
                continue
            seconds, outputs[i] = run_timed(cmd, 1)
            best[i] = min(best[i], seconds)
    return best, outputs


def our_rows(stdout: str) -> dict[str, list[Row]]:
    """`runner.py classify --json` lines -> rows per file (an out-of-office notice is Sisimai's 'vacation')."""
    rows: dict[str, list[Row]] = {}
    for line in stdout.splitlines():
        d = json.loads(line)
        found = [Row(r["reason"], r["status"], r["recipient"], r["hard"]) for r in d["recipients"]]
        if not found and d["reason"] == "vacation":
            found = [Row("vacation", None, None, False)]
        rows[d["file"]] = found
    return rows


def sisimai_rows(stdout: str) -> dict[str, list[Row]]:
    rows: dict[str, list[Row]] = {}
    for line in stdout.splitlines():
        d = json.loads(line)
        found = rows.setdefault(d["file"], [])
        if d.get("reason") is not None:
            found.append(Row(d["reason"], d.get("status") or None, d.get("recipient") or None, d.get("hard")))
    return rows


def matched(labels: list[Label], rows: list[Row]) -> list[Row | None]:
    """For each labelled row, the tool's row with the same recipient, else the unused row at its position."""
    used: set[int] = set()
    out: list[Row | None] = []
    for i, label in enumerate(labels):
        pick = None
        if label.recipient:
            pick = next((j for j, r in enumerate(rows) if j not in used
                         and (r.recipient or "").lower() == label.recipient.lower()), None)
        if pick is None and i < len(rows) and i not in used:
            pick = i
        if pick is not None:
            used.add(pick)
        out.append(rows[pick] if pick is not None else None)
    return out


def score(labels: dict[str, list[Label]], rows: dict[str, list[Row]]) -> tuple[dict[str, tuple[int, int]], list]:
    totals = {f: [0, 0] for f in ("reason", "status", "recipient", "hard")}
    wrong = []
    for name, want in labels.items():
        for label, got in zip(want, matched(want, rows.get(name, []))):
            checks = {"reason": (True, label.reason, got and got.reason),
                      "status": (bool(label.status), label.status, got and got.status),
                      "recipient": (bool(label.recipient), label.recipient.lower(),
                                    got and (got.recipient or "").lower()),
                      "hard": (True, label.hard, got and got.hard)}
            bad = []
            for field, (counted, expected, found) in checks.items():
                if counted:
                    totals[field][1] += 1
                    totals[field][0] += expected == found
                    if expected != found and field != "hard":
                        bad.append(field)
            if bad:
                wrong.append((label, got, bad))
    return {k: (v[0], v[1]) for k, v in totals.items()}, wrong


def _pct(good_total: tuple[int, int]) -> float:
    good, total = good_total
    return good / max(total, 1)


def byte_compile() -> bool:
    """Compile the modules `runner.py classify` loads into __pycache__ (py_compile writes whatever
    PYTHONDONTWRITEBYTECODE says); True when all compiled."""
    return all(compileall.compile_dir(str(ROOT / package), quiet=1) for package in ("cli", "shopper"))


def in_process_seconds(raws: dict[str, bytes], repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        for raw in raws.values():
            classify(raw)
        best = min(best, time.perf_counter() - start)
    return best


def import_profile(args: list[str], top: int = 8) -> str:
    """The slowest imports of one `runner.py` start (python -X importtime)."""
    done = subprocess.run([sys.executable, "-X", "importtime", *args], capture_output=True, text=True, cwd=ROOT)
    rows = []
    for line in done.stderr.splitlines():
        m = re.match(r"import time:\s+(\d+) \|\s+(\d+) \|(\s*)(\S+)", line)
        if m:
            rows.append((int(m.group(1)), int(m.group(2)), m.group(4)))
    total = sum(r[0] for r in rows)
    lines = [f"    imports: {total / 1e6:.3f} s in all; slowest (self, cumulative):"]
    for own, cum, name in sorted(rows, reverse=True)[:top]:
        lines.append(f"      {own / 1e6:7.3f} s {cum / 1e6:7.3f} s  {name}")
    return "\n".join(lines)


def call_profile(raws: dict[str, bytes], top: int = 10) -> str:
    profiler = cProfile.Profile()
    profiler.enable()
    for raw in raws.values():
        classify(raw)
    profiler.disable()
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(top)
    body = [line for line in out.getvalue().splitlines() if line.strip()][-(top + 1):]
    return "    in-process profile (top functions by own time):\n" + "\n".join("      " + b for b in body)


def main(argv: list[str] | None = None) -> int:  # noqa: C901 - one report, top to bottom
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=None,
                        help="folder holding labels.tsv and eml/ (default: $SHOPPER_CORPUS or shared/corpus/bounces "
                             "next to the checkout)")
    parser.add_argument("--wrong", action="store_true", help="list every wrong row of ours")
    parser.add_argument("--repeat", type=int, default=5, help="runs per timing; the best counts (default 5)")
    args = parser.parse_args(argv)
    corpus = args.corpus or default_corpus(ROOT)
    if not (corpus / "labels.tsv").exists():
        print(f"no corpus at {corpus} (set --corpus or SHOPPER_CORPUS)", file=sys.stderr)
        return 2
    labels = read_labels(corpus)
    files = [str(corpus / name) for name in labels]
    by_path = {str(corpus / name): name for name in labels}
    ours_cmd = [sys.executable, str(ROOT / "runner.py"), "classify", "--json"]
    script = sisimai_script(corpus)
    problem = sisimai_problem(script)

    print(f"corpus: {corpus} ({len(files)} files, {sum(len(v) for v in labels.values())} labelled rows)")
    print("bytecode: " + ("our modules compiled beforehand (compileall), as an installed copy has them"
                          if byte_compile() else "could not compile every module; our runs compile the rest from source"))
    if problem:
        print(f"Sisimai: not run: {problem}")
    sisimai_cmd = None if problem else ["perl", str(script)]
    (ours_whole, theirs_whole), (done, theirs_done) = run_side_by_side(
        ours_cmd + files, sisimai_cmd and sisimai_cmd + files, args.repeat)
    ours = {by_path[f]: rows for f, rows in our_rows(done.stdout).items()}
    ours_score, ours_wrong = score(labels, ours)
    theirs_score = None
    if not problem:
        theirs = {by_path[f]: rows for f, rows in sisimai_rows(theirs_done.stdout).items()}
        theirs_score, _ = score(labels, theirs)
        theirs_inner = float(re.search(r"sisimai_seconds=([\d.]+)", theirs_done.stderr).group(1))

    print("\naccuracy through the CLI (same scorer)   ours      Sisimai   goal (ours)")
    for field in ("reason", "status", "recipient", "hard"):
        mine = _pct(ours_score[field])
        other = f"{_pct(theirs_score[field]):8.2%}" if theirs_score else "       –"
        goal = GOALS.get(field)
        verdict = ("" if goal is None else f">= {goal:.1%}  " + ("met" if mine >= goal else "MISSED"))
        print(f"  {field:10s} {ours_score[field][0]:4d}/{ours_score[field][1]:<4d}"
              f"                 {mine:8.2%}  {other}   {verdict}")

    raws = {name: (corpus / name).read_bytes() for name in labels}
    slow = sum(message_tree(raw) is None for raw in raws.values())
    print(f"\nMIME parsing: {len(raws) - slow} of {len(raws)} files on the whole-text parser, {slow} left to the "
          "standard library's feedparser")
    ours_inner = in_process_seconds(raws, args.repeat)
    one = str(corpus / ONE_FILE)
    one_runs = max(args.repeat, 5)
    (ours_one, theirs_one), _ = run_side_by_side(ours_cmd + [one], sisimai_cmd and sisimai_cmd + [one], one_runs)
    print(f"\ntime (wall, best of {args.repeat}, one file best of {one_runs}; the two tools alternate)")
    misses = []
    if problem:
        print(f"  whole process, {len(files)} files: ours {ours_whole:.3f} s")
        print(f"  one file ({ONE_FILE}): ours {ours_one:.3f} s")
        print(f"  in-process, {len(files)} files: ours {ours_inner:.3f} s")
    else:
        for what, mine, other, goal in (
                (f"whole process, {len(files)} files", ours_whole, theirs_whole, WHOLE_GOAL),
                (f"one file ({ONE_FILE})", ours_one, theirs_one, ONE_FILE_GOAL),
                (f"in-process, {len(files)} files", ours_inner, theirs_inner, None)):
            ratio = mine / other
            verdict = "" if goal is None else f"  goal <= {goal:.1f}x: " + ("met" if ratio <= goal else "MISSED")
            print(f"  {what:38s} ours {mine:6.3f} s  Sisimai {other:6.3f} s  ratio {ratio:5.2f}x{verdict}")
            if goal is not None and ratio > goal:
                misses.append(what)
    misses += [f for f, goal in GOALS.items() if _pct(ours_score[f]) < goal]

    if misses:
        print(f"\nwhy goals were missed ({', '.join(misses)}):")
        print(import_profile([str(ROOT / "runner.py"), "classify", "--json", one]))
        print(call_profile(raws))
    confusion = Counter((label.reason, got.reason if got else None) for label, got, bad in ours_wrong
                        if "reason" in bad)
    if confusion:
        print("\nour reason confusions (expected -> got: count)")
        for (want, got), n in confusion.most_common():
            print(f"  {want:16s} -> {str(got):16s} {n}")
    if args.wrong:
        print("\nour wrong rows")
        for label, got, bad in ours_wrong:
            print(f"  {label.file}: {', '.join(bad)}: want {label.reason} {label.status} {label.recipient} "
                  f"got {got.reason if got else None} {got.status if got else None} {got.recipient if got else None}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
