"""Journey validation: every problem, located as path:line:col, with hints; exit codes of `validate`."""
import subprocess
import sys
from pathlib import Path

import pytest

from shopper.errors import JourneyError
from shopper.journey import load_journey, parse_journey
from shopper.steps import load_all

KINDS = ", ".join(sorted(load_all()))

ROOT = Path(__file__).resolve().parents[2]
BAD = Path("tests/data/journeys/bad")

EXPECTED = {
    "mistakes.yaml": [
        "1:1: journey: missing 'name' (text)",
        f"5:5: 'clik' is not a step kind; did you mean 'click'? (kinds: {KINDS})",
        "6:5: fill: missing 'value': the text to type",
        "7:14: unknown key 'txt' in expect; did you mean 'text'? (keys: selector, text, label, placeholder, "
        "role, named, nth, finding, severity, within, hidden, url, title, status)",
        "8:46: check_links.max_links: expected a whole number, got 'many'",
        "9:5: wait: give exactly one of an element (selector/text/label/role), url, response or load",
        "10:11: variable 'order_number' is not defined (define it under 'variables:', in the site profile, "
        "or extract it in an earlier step)",
        "12:14: step 8.timeout: expected a duration like '30s', '5m', '2d', got 'soon'",
    ],
    "syntax.yaml": ["5:3: YAML syntax error: expected ',' or '}', but got '-' (while parsing a flow mapping "
                    "that starts at line 4, column 12)"],
    "not_a_journey.yaml": ["1:1: a journey is a mapping with 'name' and 'steps'"],
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_every_problem_is_reported_with_its_position(name):
    path = BAD / name
    with pytest.raises(JourneyError) as err:
        load_journey(ROOT / path)
    got = [f"{p.line}:{p.col}: {p.message}" for p in err.value.problems]
    assert got == EXPECTED[name]


def test_validate_cli_prints_every_error_and_exits_2():
    proc = subprocess.run([sys.executable, "runner.py", "validate", str(BAD), "tests/data/journeys/good"],
                          cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2
    lines = proc.stdout.splitlines()
    for name, problems in EXPECTED.items():
        for p in problems:   # the CLI knows config.yaml's variables, so its hints may add a suggestion
            line_col, message = p.split(": ", 1)
            assert any(ln.startswith(f"{BAD / name}:{line_col}: {message.split(' (')[0].split(';')[0]}")
                       for ln in lines), p
    assert "tests/data/journeys/good/home.yaml: ok (home_page, 2 steps)" in lines
    assert "3 invalid file(s), 10 problem(s)" in proc.stderr


def test_validate_cli_exit_0_on_shipped_journeys():
    proc = subprocess.run([sys.executable, "runner.py", "validate"], cwd=ROOT, capture_output=True, text=True,
                          timeout=60)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_shorthand_and_full_forms_bind_the_same():
    j = parse_journey("name: j\nsteps:\n  - open: /a\n  - open: {url: /a}\n  - check_links\n", "j.yaml")
    assert j.steps[0].spec == j.steps[1].spec
    assert j.steps[2].kind == "check_links" and j.steps[2].spec.within is None


def test_extracted_variables_are_defined_for_later_steps_only():
    text = ("name: j\nsteps:\n  - open: /o/${n}\n  - extract: {selector: '#n', into: n}\n"
            "  - open: /o/${n}\n")
    with pytest.raises(JourneyError) as err:
        parse_journey(text, "j.yaml")
    assert [(p.line, p.col) for p in err.value.problems] == [(3, 11)]


def test_secrets_need_no_definition_and_are_flagged_on_the_step():
    j = parse_journey("name: j\nsteps:\n  - fill: {label: Password, value: '${secret:SITE_PW}'}\n", "j.yaml")
    assert j.steps[0].has_secret()


def test_known_vars_from_site_profile_are_accepted():
    text = "name: j\nsteps:\n  - open: ${home_path}\n"
    with pytest.raises(JourneyError):
        parse_journey(text, "j.yaml")
    assert parse_journey(text, "j.yaml", known_vars={"home_path"}).steps[0].spec.url == "${home_path}"


def test_two_kinds_in_one_step_is_an_error():
    with pytest.raises(JourneyError) as err:
        parse_journey("name: j\nsteps:\n  - open: /\n    click: '#a'\n", "j.yaml")
    assert "one step kind per step" in err.value.problems[0].message


def test_duplicate_keys_are_reported():
    with pytest.raises(JourneyError) as err:
        parse_journey("name: j\nname: k\nsteps:\n  - open: /\n", "j.yaml")
    assert str(err.value.problems[0]) == "j.yaml:2:1: duplicate key 'name' (first at line 1)"


def test_yaml_merge_keys_and_anchors():
    from shopper.yamlnodes import load
    root, problems = load("base: &b {a: 1, b: 2}\nchild:\n  <<: *b\n  b: 3\n", "c.yaml")
    assert problems == [] and root.plain()["child"] == {"b": 3, "a": 1}


def test_keys_are_names_not_yaml_booleans():
    from shopper.yamlnodes import load
    root, problems = load("on: [a]\nyes: 1\n", "c.yaml")
    assert problems == [] and set(root.plain()) == {"on", "yes"}
