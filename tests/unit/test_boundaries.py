"""The string-based boundary matcher answers exactly as the regular expression email.feedparser compiles."""
from __future__ import annotations

import random
import re

from shopper.mail.boundaries import BoundaryLine, _ReForTheParser, install
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


def test_other_patterns_still_compile_as_regular_expressions() -> None:
    assert _ReForTheParser().compile(r"\r\n|\r|\n").pattern == r"\r\n|\r|\n"
    assert _ReForTheParser().escape("a.b") == re.escape("a.b")


def test_the_parser_splits_parts_the_same_with_the_matcher_installed() -> None:
    install()
    raw = (b"Content-Type: multipart/mixed; boundary=\"a.b+c\"\r\n\r\npreamble\r\n--a.b+c\r\nContent-Type: text/plain"
           b"\r\n\r\none\r\n--a.b+c  \r\nContent-Type: text/plain\r\n\r\ntwo\r\n--a.b+c--\r\nepilogue\r\n")
    mail = parse_message(raw)
    assert mail.text == "one\ntwo" and mail.problems == []
