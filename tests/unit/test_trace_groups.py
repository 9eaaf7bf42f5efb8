"""A cheaply recorded trace part gets its steps' groups once saved: each action under the last step begun before it."""
from __future__ import annotations

import json
import zipfile

from shopper.probes.trace import group_actions

WALL0 = 1_800_000_000_000   # ms: the part's chunk began at this wall time, at driver time 5000 ms


def part_with(tmp_path, events):
    path = tmp_path / "trace-part1.zip"
    head = {"version": 10, "type": "context-options", "wallTime": WALL0, "monotonicTime": 5000.0}
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("trace.trace", "".join(json.dumps(e) + "\n" for e in [head, *events]))
        z.writestr("trace.network", "")
    return path


def action(n, start, end, **extra):
    return [{"type": "before", "callId": f"c@{n}", "startTime": start, "class": "Frame", "method": "goto",
             "params": {}, **extra},
            {"type": "after", "callId": f"c@{n}", "endTime": end}]


def wall(driver_ms):   # seconds, as the runner notes a step's start and end
    return (WALL0 + driver_ms - 5000) / 1000


def test_each_action_goes_under_the_step_that_ran_it(tmp_path):
    # step 1 ran from 5010 to 5050 (driver ms); step 2 began at 5050.5: its action starts 0.4 ms later,
    # closer than the millisecond the part's wall time is rounded to
    events = action(0, 5001, 5005) + action(1, 5012, 5040) + action(2, 5050.9, 5060)
    part = part_with(tmp_path, events)
    assert group_actions(part, [("1. open /", wall(5010), wall(5050)), ("2. fill Name", wall(5050.5), wall(5061))])
    with zipfile.ZipFile(part) as z:
        assert z.namelist() == ["trace.trace", "trace.network"]
        got = [json.loads(line) for line in z.read("trace.trace").decode().splitlines()]
    groups = {e["callId"]: e["title"] for e in got if e.get("method") == "tracingGroup"}
    assert list(groups.values()) == ["1. open /", "2. fill Name"]
    parents = {e["callId"]: groups.get(e.get("parentId")) for e in got if e.get("class") == "Frame"}
    assert parents == {"c@0": None, "c@1": "1. open /", "c@2": "2. fill Name"}   # c@0: the page opening
    order = [e["callId"] for e in got if e.get("type") == "before"]
    assert order.index("shopper-step@1") < order.index("c@1") < order.index("shopper-step@2") < order.index("c@2")
    ends = [e["callId"] for e in got if e.get("type") == "after"]
    assert ends.index("c@1") < ends.index("shopper-step@1")


def test_a_part_that_is_not_a_trace_is_left_as_it_is(tmp_path):
    part = tmp_path / "trace-part1.zip"
    part.write_bytes(b"PK\x03\x04 not really")
    assert group_actions(part, [("1. open /", 1.0, 2.0)]) is False
    assert part.read_bytes() == b"PK\x03\x04 not really"
    assert group_actions(part, []) is True   # no steps recorded: nothing to write
