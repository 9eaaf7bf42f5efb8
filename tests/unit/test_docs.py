"""Docs cannot drift: the step-kind reference is generated, and every example in it validates."""
import re
from pathlib import Path

import pytest

from shopper.journey import parse_journey
from shopper.kinds_doc import kinds_markdown
from shopper.steps import load_all
from shopper.template import references

ROOT = Path(__file__).resolve().parents[2]
DOC = (ROOT / "docs/journeys.md").read_text()


def test_reference_is_up_to_date():
    assert kinds_markdown() in DOC, "regenerate: see the end of docs/journeys.md (runner.py kinds --markdown)"


@pytest.mark.parametrize("kind", sorted(load_all()))
def test_every_kind_has_a_valid_example(kind):
    section = DOC.split(f"### `{kind}`", 1)[1].split("\n### ", 1)[0]
    blocks = re.findall(r"```yaml\n(.*?)```", section, re.S)
    assert blocks, f"{kind} has no example"
    example = blocks[0]
    names = {r.name for r in references(example) if not r.is_secret}
    journey = "name: x\nsteps:\n" + "".join(f"  {line}\n" for line in example.splitlines())
    j = parse_journey(journey, f"docs:{kind}", known_vars=names)
    assert {s.kind for s in j.steps} == {kind}
