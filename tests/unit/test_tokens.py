"""Message tokens are found exactly where the token pattern finds them, looked for only where 'ms-' stands."""
from __future__ import annotations

import random

from shopper.mail.tokens import TOKEN, _scan


def test_the_scan_finds_what_the_pattern_finds() -> None:
    rng = random.Random(18)
    pieces = ["ms-", "ms-", "abcdefghijkl", "a2b3c4d5e6f7", "x", "9", "-", " ", "\n", "m", "s", "ms-ms-", "Z", "é"]
    for _ in range(20_000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randrange(1, 12)))
        want: list[str] = []
        for token in TOKEN.findall(text):
            if token not in want:
                want.append(token)
        found: list[str] = []
        _scan(text, found)
        assert found == want, text


def test_a_token_inside_a_word_is_not_a_token() -> None:
    found: list[str] = []
    _scan("xms-abcdefghijkl ms-abcdefghijkm, (ms-abcdefghijkn)ms-abcdefghijkl", found)
    assert found == ["ms-abcdefghijkm", "ms-abcdefghijkn", "ms-abcdefghijkl"]
