"""Sender and recipient headers read without the email package's address parser give what getaddresses
gives: on every address header of the mail we hold and on random ones (quotes, comments, brackets, 8-bit)."""
from __future__ import annotations

import random
from pathlib import Path

from shopper.mail.classify import _addresses, _parsed_addresses
from shopper.mail.corpus import default_corpus
from shopper.mail.parse import parse_message

ROOT = Path(__file__).resolve().parents[2]


def _values() -> set[str]:
    values: set[str] = set()
    files = sorted((default_corpus(ROOT) / "eml").glob("*.eml")) + sorted((ROOT / "tests").rglob("*.eml"))
    for path in files:
        mail = parse_message(path.read_bytes())
        for headers in (mail.headers, mail.original_headers):
            values.update(v for k, v in (headers.items if headers else ()) if k in ("from", "to", "cc", "reply-to",
                                                                                   "return-path", "sender"))
    rng = random.Random(18)
    pieces = ['"', '"', "(", ")", "<", ">", "a@b.test", "x", " ", "  ", ",", "\\", "Name", "=?utf-8?q?J=C3=B6rg?=",
              ".", ":", ";", "[", "]", "\r", "a-b@c.test", "\t", "\udcff"]
    values.update("".join(rng.choice(pieces) for _ in range(rng.randrange(1, 9))) for _ in range(20_000))
    values.update(['"Doe, Jane" <jane@shop.test>', "bounce@mx.test (Mail Delivery System)", '"" <a@b.test>',
                   '"a@b.test" <c@d.test>', "x@y.test ( spaced  comment )"])
    return values


def test_the_common_shapes_read_as_getaddresses_reads_them() -> None:
    odd = 0
    for value in _values():
        mine, theirs = _addresses(value), _parsed_addresses(value)
        if mine != theirs:
            # Known and kept: an address holding several '@' ("a@b@c"), which getaddresses cuts at the last one.
            assert value.count("@") > 1 and len(mine) == 1 and "@" in mine[0][1], (value, mine, theirs)
            odd += 1
    assert _addresses('"Doe, Jane" <jane@shop.test>') == [("Doe, Jane", "jane@shop.test")]
    assert _addresses("bounce@mx.test (Mail Delivery System)") == [("Mail Delivery System", "bounce@mx.test")]
