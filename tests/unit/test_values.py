"""Durations, templates, secrets and the clock: pure logic."""
from datetime import timedelta

import pytest

from shopper.clock import ManualClock, clock_from_env, parse_instant
from shopper.duration import Duration
from shopper.secrets import Redactor, Secret
from shopper.template import MissingSecret, UndefinedVariable, references, resolve


@pytest.mark.parametrize("text,seconds", [("500ms", 0.5), ("15s", 15), ("2m", 120), ("1h30m", 5400),
                                          ("2d", 172800), ("1w", 604800), (30, 30)])
def test_duration_parse(text, seconds):
    assert Duration.parse(text).seconds == seconds


@pytest.mark.parametrize("text", ["", "soon", "5 parsecs", "1h 2", "-3s"])
def test_duration_rejects(text):
    with pytest.raises(ValueError):
        Duration.parse(text)


def test_template_resolves_variables_and_masks_secrets():
    red = Redactor()
    r = resolve("user ${name} pw ${secret:PW} $${literal}", {"name": "ann"}, red, {"PW": "hunter22"})
    assert r.text == "user ann pw hunter22 ${literal}"
    assert r.display == "user ann pw *** ${literal}"
    assert r.has_secret
    assert red.redact("log: hunter22!") == "log: ***!"


def test_template_errors_name_what_is_missing():
    with pytest.raises(UndefinedVariable) as e:
        resolve("${nope}", {"yes": "1"}, Redactor(), {})
    assert e.value.known == ["yes"]
    with pytest.raises(MissingSecret):
        resolve("${secret:NOT_SET}", {}, Redactor(), {})


def test_references_in_order():
    assert [(r.name, r.is_secret) for r in references("${a}/${secret:B}/${c}")] == [
        ("a", False), ("B", True), ("c", False)]


def test_secret_never_prints_its_value():
    s = Secret("PW", "hunter22")
    assert str(s) == "***" and "hunter22" not in repr(s) and s.reveal() == "hunter22"


def test_manual_clock_moves_only_when_told():
    c = ManualClock(parse_instant("2026-01-05T09:00:00Z"))
    t0 = c.now()
    assert c.now() == t0
    assert c.advance(days=2) - t0 == timedelta(days=2)


def test_clock_from_env_pins_now():
    c = clock_from_env("2030-01-01T00:00:00Z")
    assert c.now().year == 2030
