"""Site flows: named lists of steps in a site profile (validated with file:line:col) that journeys call."""
import pytest

from shopper.config import load_site_file
from shopper.errors import ConfigError, JourneyError
from shopper.journey import expand_flows, parse_journey

JOURNEY = """\
name: j
flows:
  place_order:
    - checkout: {into: order_no}
steps:
  - open: /
  - flow: place_order
  - open: /orders/${order_no}
"""


def test_the_journey_default_runs_when_the_profile_has_none():
    j = parse_journey(JOURNEY, "j.yaml")
    steps = expand_flows(j, {})
    assert [(s.index, s.kind, s.label) for s in steps] == [
        (0, "open", "open /"), (1, "checkout", "place_order: checkout order_no"), (2, "open", "open /orders/${order_no}")]


def test_a_profile_flow_replaces_the_default(tmp_path):
    site = tmp_path / "shop.yaml"
    site.write_text("base_url: http://127.0.0.1:1\nvars: {}\nflows:\n  place_order:\n"
                    "    - open: /quick-order\n    - extract: {regex: 'Order (\\\\d+)', into: order_no}\n")
    profile = load_site_file(site)
    steps = expand_flows(parse_journey(JOURNEY, "j.yaml"), profile.flows)
    assert [s.kind for s in steps] == ["open", "open", "extract", "open"]
    assert steps[1].label == "place_order: open /quick-order" and steps[1].line == 5


def test_profile_flows_are_validated_with_their_position(tmp_path):
    site = tmp_path / "shop.yaml"
    site.write_text("base_url: http://x.test\nflows:\n  place_order:\n    - clik: '#buy'\n    - flow: other\n")
    with pytest.raises(ConfigError) as e:
        load_site_file(site)
    shown = [str(p) for p in e.value.problems]
    assert any(f"{site}:4:7: 'clik' is not a step kind; did you mean 'click'?" in p for p in shown), shown
    assert any(p.startswith(f"{site}:5:7: flow 'place_order': a flow cannot call a flow") for p in shown), shown


def test_a_flow_nobody_defines_names_itself():
    j = parse_journey("name: j\nsteps:\n  - flow: pay\n", "j.yaml")
    with pytest.raises(JourneyError) as e:
        expand_flows(j, {"place_order": ()})
    assert "j.yaml:3:5: flow 'pay' is defined neither in the site profile nor in the journey's 'flows:' " \
           "(flows: place_order)" in str(e.value)


def test_profile_values_are_expanded_at_run_time():
    from shopper.secrets import Redactor
    from shopper.template import resolve

    variables = {"order_status_path": "/orders/${order_no}?mail=${shopper_email}", "order_no": "100004",
                 "shopper_email": "a+t@mail.test"}
    assert resolve("${order_status_path}", variables, Redactor(), {}).text == "/orders/100004?mail=a+t@mail.test"
    loop = {"a": "${b}", "b": "${a}"}
    assert "${" in resolve("${a}", loop, Redactor(), {}).text   # a loop stops, it never hangs
