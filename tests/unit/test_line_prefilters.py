"""The first-character tests in front of textbounce's line patterns never skip a line the pattern matches: every
line of every mail file we hold, and lines built from the patterns' own openings."""
from __future__ import annotations

from pathlib import Path

from shopper.mail.corpus import default_corpus
from shopper.mail.textbounce import _STRONG_HEADER, _STRONG_STARTS, _TRANSCRIPT_LINE, _TRANSCRIPT_STARTS

ROOT = Path(__file__).resolve().parents[2]
MADE = ["While talking to mx.example.test:", ">>> RCPT To:<a@b.test>", "<<< 550 5.1.1 unknown",
        "550 a.example.test (smtp)... x", "٥٥٠ host (smtp)... x", "Return-Path: <x@y>", "received: from x",
        "Message-Id: <a@b>", "DKIM-Signature: v=1", "date: today", "FROM: a@b", " >>> indented", "w"]


def lines() -> list[str]:
    files = sorted((default_corpus(ROOT) / "eml").glob("*.eml")) + sorted((ROOT / "tests").rglob("*.eml"))
    assert len(files) > 500
    found = list(MADE)
    for f in files:
        found += f.read_bytes().decode("utf-8", "replace").split("\n")
    return found


def test_no_line_the_patterns_match_is_skipped() -> None:
    matched = 0
    for line in lines():
        if _TRANSCRIPT_LINE.match(line):
            matched += 1
            assert line.startswith(_TRANSCRIPT_STARTS) or line[:1].isdecimal(), line
        if _STRONG_HEADER.match(line):
            matched += 1
            assert line[:1] in _STRONG_STARTS, line
    assert matched > 1000
