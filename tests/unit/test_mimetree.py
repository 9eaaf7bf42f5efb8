"""The whole-text MIME parser builds exactly the standard library's compat32 tree (headers, payloads, preamble,
epilogue, defects, default types) on every mail file we hold and on hostile and mutated mail, takes the fast path
for nearly all real mail, and leaves what it does not read to the feedparser."""
from __future__ import annotations

import email
import random
import time
from pathlib import Path

import pytest

from shopper.mail import mimetree
from shopper.mail.corpus import default_corpus
from shopper.mail.mimetree import message_from_bytes, message_tree
from tests.unit.test_boundaries import _hostile_messages, _tree

ROOT = Path(__file__).resolve().parents[2]
CORPUS = default_corpus(ROOT) / "eml"
FAST_SHARE = 0.95


def _mail_files() -> list[Path]:
    """Every mail file: the shared bounce corpus and the test data (helpdesks, people, shops)."""
    return sorted(CORPUS.glob("*.eml")) + sorted((ROOT / "tests").rglob("*.eml"))


def _standard(raw: bytes) -> list:
    return _tree(email.message_from_bytes(raw))


def test_every_mail_file_gives_the_standard_librarys_tree() -> None:
    files = _mail_files()
    if not CORPUS.is_dir():
        pytest.skip(f"bounce corpus not found at {CORPUS} (set SHOPPER_CORPUS)")
    fast = 0
    for path in files:
        raw = path.read_bytes()
        tree = message_tree(raw)
        if tree is not None:
            fast += 1
            assert _tree(tree) == _standard(raw), path.name
        assert _tree(message_from_bytes(raw)) == _standard(raw), path.name
    # Nobody may quietly send everything to the slow parser: nearly all real mail takes the fast path.
    assert fast >= FAST_SHARE * len(files), f"only {fast} of {len(files)} files took the fast path"


def test_mail_with_crlf_line_ends_gives_the_standard_librarys_tree() -> None:
    files = _mail_files()[::4]
    fast = 0
    for path in files:
        raw = path.read_bytes().replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
        tree = message_tree(raw)
        if tree is not None:
            fast += 1
            assert _tree(tree) == _standard(raw), path.name
    assert fast >= FAST_SHARE * len(files)


_PIECES = [b"", b"--", b" ", b"\t", b":", b"From ", b"\r\n", b"\xff", b"X", b": x",
           b"Content-Type: multipart/mixed; boundary=x", b"--x", b"--x--", b"--x-- \t", b"Content-Type: message/rfc822",
           b"Content-Type: message/delivery-status", b"Content-Type: multipart/digest; boundary=\"d\"", b"--d",
           b"Content-Transfer-Encoding: base64", b"Content-Type: text/plain; charset=\xe9",
           b"Content-Type: multipart/x", b"Content-Type: multipart/alternative; boundary*0=\"x\"", b" folded",
           b"Content-Type: text/\xe9"]


def _mutated(raw: bytes, rng: random.Random) -> bytes:
    """Lines deleted, inserted, doubled or cut into; the message cut short: shapes the parser must follow."""
    lines = raw.split(b"\n")
    for _ in range(rng.randrange(1, 6)):
        at = rng.randrange(len(lines) + 1)
        line = min(at, len(lines) - 1)
        op = rng.randrange(6)
        if op == 0 and lines:
            del lines[line]
        elif op == 1:
            lines.insert(at, rng.choice(_PIECES))
        elif op == 2 and lines:
            cut = rng.randrange(len(lines[line]) + 1)
            lines[line] = lines[line][:cut] + rng.choice(_PIECES) + lines[line][cut:]
        elif op == 3:
            lines = lines[:at]
        elif op == 4 and lines:
            lines.insert(line, lines[rng.randrange(len(lines))])
        elif op == 5:
            lines.insert(at, b"")
    return b"\n".join(lines)


def test_hostile_and_mutated_mail_gives_the_standard_librarys_tree() -> None:
    rng = random.Random(18)
    sources = [p.read_bytes() for p in _mail_files()] or _hostile_messages()
    raws = _hostile_messages() + [_mutated(rng.choice(sources), rng) for _ in range(1500)]
    raws += [b"Content-Type: multipart/mixed; boundary=x\n\n--x\n--x--\n--x\n\nafter close\n",   # repeated lines
             b"Content-Type: multipart/mixed; boundary=x\n\n--x--\n",                            # closed at once
             b"Content-Type: multipart/mixed; boundary=x\n\npre\n--x\nA: b\n--x--",              # no final LF
             b"Content-Type: multipart/digest; boundary=d\n\n--d\n\nFrom: a@b.test\n\nbody\n--d\n--d--\n",
             b"Content-Type: message/delivery-status\n\n\nA: 1\n\n\nB: 2\nnot a field\n\n",
             b"From a@b.test Mon Jan  1 00:00:00 2024\r\nSubject: x\r\n\r\nbody\r\n",
             b"Subject: x\nContent-Type: multipart/mixed; boundary=\"a\n b\"\n\n--a\n b\n"]
    fast = 0
    for raw in raws:
        tree = message_tree(raw)
        if tree is not None:
            fast += 1
            assert _tree(tree) == _standard(raw), raw[:300]
    assert fast >= len(raws) // 2   # the mutations are mostly of the common shape


@pytest.mark.parametrize("raw", [
    b"Subject: a\rFrom: b\r\rCR-only line ends\r",
    b" continued first line\nSubject: x\n\nbody\n",
    b"Subject: x\nFrom somebody in the middle\n\nbody\n",
    b": no name\n\nbody\n",
])
def test_what_the_feedparser_treats_specially_is_left_to_it(raw: bytes) -> None:
    assert message_tree(raw) is None
    assert _tree(message_from_bytes(raw)) == _standard(raw)


def test_deep_nesting_is_left_to_the_feedparser_and_stays_bounded() -> None:
    part = b"Content-Type: multipart/mixed; boundary=\"b%d\"\n\n--b%d\n"
    shallow = b"".join(part % (i, i) for i in range(mimetree.MAX_DEPTH - 1)) + b"deep\n"
    assert message_tree(shallow) is not None and _tree(message_tree(shallow)) == _standard(shallow)
    deep = b"".join(part % (i, i) for i in range(3000)) + b"deep\n"
    started = time.monotonic()
    assert message_tree(deep) is None
    assert time.monotonic() - started < 0.5


def test_huge_lines_and_floods_of_candidate_boundaries_stay_fast() -> None:
    flood = (b"Content-Type: multipart/mixed; boundary=x\n\n--x\n\n" + b"--x--x--x" * 200_000 + b"\n"
             + b"--xy\n" * 50_000 + b"--x--\n")
    giant = b"Subject: " + b"A" * 2_000_000 + b"\nX-Long:" + b" folded\r\n" * 20_000 + b"\nbody\n"
    for raw in (flood, giant):
        started = time.monotonic()
        tree = message_tree(raw)
        took = time.monotonic() - started
        assert tree is not None and _tree(tree) == _standard(raw)
        assert took < 0.5, took


def test_the_fault_suites_mutations_give_the_standard_librarys_tree() -> None:
    from tests.faults.test_fuzzed_mail import MUTATIONS, nested

    rng = random.Random(13)
    files = sorted(CORPUS.glob("*.eml"))
    if not files:
        pytest.skip(f"bounce corpus not found at {CORPUS} (set SHOPPER_CORPUS)")
    for i, path in enumerate(rng.sample(files, 20)):
        raw = path.read_bytes()
        shapes = [fn for name, fn in MUTATIONS.items() if name != "giant_headers" or i == 0]   # giant ones are slow
        for mutated in [fn(raw, rng) for fn in shapes] + [nested(raw, 30), nested(raw, 100)]:
            tree = message_tree(mutated)
            if tree is not None:
                assert _tree(tree) == _standard(mutated), path.name
            assert _tree(message_from_bytes(mutated)) == _standard(mutated), path.name
