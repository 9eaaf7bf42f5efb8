"""Content-Type parameters read directly answer as compat32 Message.get_param / get_boundary do, on real headers
and on random ones (quotes, semicolons, equals signs, RFC 2231 pieces, backslashes, 8-bit bytes)."""
from __future__ import annotations

import random
from email.message import Message
from pathlib import Path

from shopper.mail.corpus import default_corpus
from shopper.mail.mimeparams import boundary, param
from shopper.mail.mimetree import message_tree

ROOT = Path(__file__).resolve().parents[2]
NAMES = ("boundary", "charset", "report-type", "name")


def _message(value: str | None) -> Message:
    msg = Message()
    msg._headers = [("Subject", "x")] + ([("Content-TYPE", value)] if value is not None else [])  # noqa: SLF001
    return msg


def _agree(msg: Message) -> None:
    for name in NAMES:
        assert param(msg, name) == msg.get_param(name), (msg._headers, name)  # noqa: SLF001
    assert boundary(msg) == msg.get_boundary(), msg._headers  # noqa: SLF001


def test_random_header_values_read_as_get_param_reads_them() -> None:
    rng = random.Random(18)
    pieces = ["multipart/mixed", "text/plain", ";", ";", "=", "=", '"', '"', " ", "\t", "boundary", "BOUNDARY",
              "charset", "report-type", "name", "*", "*0*", "''", "\\", "\\\"", "<", ">", "x", "utf-8", "--=_a.b",
              "\udce9", "%41", "(c)", ",", "\n "]
    _agree(_message(None))
    for _ in range(5_000):
        _agree(_message("".join(rng.choice(pieces) for _ in range(rng.randrange(1, 14)))))


def test_every_part_of_the_corpus_reads_as_get_param_reads_it() -> None:
    files = sorted((default_corpus(ROOT) / "eml").glob("*.eml")) + sorted((ROOT / "tests").rglob("*.eml"))
    for path in files:
        tree = message_tree(path.read_bytes())
        for part in tree.walk() if tree is not None else ():
            _agree(part)
