"""Caseless patterns answer exactly as the same pattern compiled with re.I."""
from __future__ import annotations

import random
import re

import pytest

from shopper.mail import signals
from shopper.mail.patterns import caseless


def test_caseless_patterns_agree_with_re_i_on_mixed_case_text() -> None:
    rng = random.Random(18)
    words = ["Gave Up", "GIVING up", "still BEING retried", "Delayed Mail", "will keep trying", "UNDELIVERABLE",
             "permanent error", "message  expired", "ſtill", "K", "İ", "é", "\u212a", " ", "\n", "x", "-", "\\b"]
    for name in ("FINAL_TEXT", "RETRYING_TEXT", "DELAY_TEXT", "PERMANENT_TEXT", "BOUNCE_TEXT"):
        pattern = getattr(signals, name)
        exact = re.compile(pattern.pattern, pattern.flags)
        for _ in range(2000):
            text = "".join(rng.choice(words) for _ in range(rng.randrange(8)))
            assert pattern.found(text) == bool(exact.search(text)), (name, text)


def test_a_caseless_pattern_must_be_written_in_lower_case() -> None:
    assert caseless(r"\bgave up\S").found("We GAVE UP!")
    with pytest.raises(ValueError):
        caseless(r"Gave up").found("gave up")
