"""The string-based boundary matcher answers exactly as the regular expression email.feedparser compiles, and our
parser (a private copy of email.feedparser) builds the standard library's message tree without touching it."""
from __future__ import annotations

import email
import email.feedparser
import random
import re
from email.message import Message
from pathlib import Path

from shopper.mail.boundaries import BoundaryLine, LineEndAtEnd, _ReForTheParser, message_from_bytes
from shopper.mail.corpus import default_corpus
from shopper.mail.parse import parse_message

SUFFIX = r")(?P<end>--)?(?P<ws>[ \t]*)(?P<linesep>\r\n|\r|\n)?$"


def test_the_matcher_agrees_with_the_regular_expression_on_every_line_shape() -> None:
    rng = random.Random(18)
    pieces = ["--", "-", " ", "\t", "\r", "\n", "\r\n", "x", "=", "?", ".", "(", "\\", "b"]
    for boundary in ["b", "==_Part_1.2(x)", "a+b*c?", "--x--", "q\\w"]:
        separator = "--" + boundary
        regex = re.compile("(?P<sep>" + re.escape(separator) + SUFFIX)
        fast = _ReForTheParser().compile("(?P<sep>" + re.escape(separator) + SUFFIX)
        assert isinstance(fast, BoundaryLine) and fast.separator == separator
        lines = [separator + "".join(rng.choice(pieces) for _ in range(rng.randrange(6))) for _ in range(3000)]
        lines += ["", separator, "x" + separator, separator[:-1]]
        for line in lines:
            want, got = regex.match(line), fast.match(line)
            assert (want is None) == (got is None), repr(line)
            if want:
                assert [want.group(g) for g in ("sep", "end", "ws", "linesep")] == \
                       [got.group(g) for g in ("sep", "end", "ws", "linesep")], repr(line)


def test_the_line_end_test_agrees_with_the_parsers_regular_expression() -> None:
    rng = random.Random(18)
    regex, fast = re.compile(r"(\r\n|\r|\n)\Z"), LineEndAtEnd()
    for _ in range(5000):
        text = "".join(rng.choice(["\r", "\n", "x", " ", "\r\n"]) for _ in range(rng.randrange(6)))
        want, got = regex.search(text), fast.search(text)
        assert (want is None) == (got is None) and (not want or want.group(0) == got.group(0) == got.group(1)), \
            repr(text)


def test_other_patterns_still_compile_as_regular_expressions() -> None:
    assert _ReForTheParser().compile(r"\r\n|\r|\n").pattern == r"\r\n|\r|\n"
    assert _ReForTheParser().escape("a.b") == re.escape("a.b")


def test_the_parser_splits_parts_with_the_matcher() -> None:
    raw = (b"Content-Type: multipart/mixed; boundary=\"a.b+c\"\r\n\r\npreamble\r\n--a.b+c\r\nContent-Type: text/plain"
           b"\r\n\r\none\r\n--a.b+c  \r\nContent-Type: text/plain\r\n\r\ntwo\r\n--a.b+c--\r\nepilogue\r\n")
    mail = parse_message(raw)
    assert mail.text == "one\ntwo" and mail.problems == []


def test_the_standard_library_parser_is_left_alone() -> None:
    parse_message(b"Content-Type: multipart/mixed; boundary=b\n\n--b\n\nx\n--b--\n")
    assert email.feedparser.re is re   # no process-wide patch: other users of the email package are unaffected


def _tree(msg: Message) -> list:
    """What a parse produced: per part, the headers, the defects, the unparsed payload, preamble, epilogue, the
    envelope line, the content type and the default one."""
    out = []
    for part in msg.walk():
        payload = part._payload  # noqa: SLF001 - as parsed (get_payload() would decode a hostile charset)
        out.append((part._headers, [type(d).__name__ for d in part.defects],  # noqa: SLF001
                    payload if isinstance(payload, str) else len(payload), part.preamble, part.epilogue,
                    part.get_unixfrom(), part.get_content_type(), part.get_default_type()))
    return out


def _hostile_messages() -> list[bytes]:
    nested = b"".join(b"Content-Type: multipart/mixed; boundary=\"b%d\"\n\n--b%d\n" % (i, i) for i in range(60))
    return [
        b"Content-Type: multipart/mixed; boundary=\"(.*)+$\"\n\n--(.*)+$\n\nbody\n--(.*)+$--\n",
        b"Content-Type: multipart/mixed; boundary=\"x\"\n\n--x\r\n\r\nno end boundary\r\n--xy\n",
        b"Content-Type: multipart/mixed; boundary=\"\"\n\n--\n\nempty boundary\n----\n",
        b"Content-Type: multipart/alternative\n\nno boundary parameter\n",
        b"Content-Type: multipart/report; boundary=r\n\n--r\nContent-Type: message/delivery-status\n\n"
        b"Reporting-MTA: dns; a.test\n\nFinal-Recipient: rfc822; x@a.test\nAction: failed\n--r \t\n"
        b"Content-Type: message/rfc822\n\nFrom: a@b.test\nSubject: s\n\nold\n--r--\r",
        nested + b"deep\n",
        b"From: \xff\xfe@x.test\nContent-Type: text/plain; charset=undefined\n\n\x80\x81 8-bit\n",
        b"no headers at all",
        b"",
    ]


def test_our_parser_builds_the_standard_librarys_tree() -> None:
    corpus = default_corpus(Path(__file__).resolve().parents[2]) / "eml"
    raws = _hostile_messages() + [p.read_bytes() for p in sorted(corpus.glob("*.eml"))[::2]]
    for raw in raws:
        assert _tree(message_from_bytes(raw)) == _tree(email.message_from_bytes(raw)), raw[:200]
