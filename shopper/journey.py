"""Load and validate journey YAML into Journey/Step objects; every problem located as path:line:col."""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

from .declared_kinds import DeclaredKind, register_declared
from .duration import Duration
from .errors import JourneyError, Problem
from .schema import MISSING, bind_dataclass, bind_value, suggest
from .steps import load_all
from .template import references
from .yamlnodes import Node, load

COMMON_KEYS = ("name", "timeout", "continue_on_error")
BUILTIN_VARS = ("base_url", "journey", "run_id", "shopper_email", "shopper_name", "journey_token",
                "shopper_given_name", "shopper_family_name", "shopper_phone", "shopper_company", "shopper_street",
                "shopper_line2", "shopper_city", "shopper_postcode", "shopper_region", "shopper_country",
                "shopper_card_number", "shopper_card_expiry", "shopper_card_exp_month", "shopper_card_exp_year",
                "shopper_card_cvc", "shopper_card_holder", "shopper_payment", "shopper_password_env",
                "shopper_place_orders")


@dataclass(frozen=True)
class Step:
    """One step: its kind's spec plus the keys every step has."""

    index: int
    kind: str
    spec: Any
    label: str
    line: int
    col: int
    timeout: Duration | None = None
    continue_on_error: bool = False

    @property
    def uses_page(self) -> bool:
        return bool(getattr(self.spec, "uses_page", True))

    def has_secret(self) -> bool:
        return any(r.is_secret for text in _strings(self.spec) for r in references(text))


@dataclass(frozen=True)
class Journey:
    name: str
    path: str
    steps: tuple[Step, ...]
    description: str = ""
    tags: tuple[str, ...] = ()
    site: str | None = None
    variables: dict[str, str] = field(default_factory=dict)
    timeout: Duration | None = None
    step_timeout: Duration | None = None
    flows: dict[str, tuple[Step, ...]] = field(default_factory=dict)   # default flows for `- flow: NAME`


@dataclass(frozen=True)
class _Header:
    """The top-level keys of a journey file (steps are bound separately)."""

    name: str
    description: str = ""
    tags: list[str] = field(default_factory=list)
    site: str | None = None
    variables: dict[str, str | None] = field(default_factory=dict)   # null: absent unless a profile sets it
    timeout: Duration | None = None
    step_timeout: Duration | None = None
    findings: dict[str, DeclaredKind] = field(default_factory=dict)   # finding kinds its soft checks may name


def _strings(obj: Any) -> Iterable[str]:
    if isinstance(obj, str):
        yield obj
    elif dataclasses.is_dataclass(obj):
        for f in dataclasses.fields(obj):
            yield from _strings(getattr(obj, f.name))
    elif isinstance(obj, (list, tuple)):
        for v in obj:
            yield from _strings(v)
    elif isinstance(obj, dict):
        for v in obj.values():
            yield from _strings(v)


def _scalars(node: Node) -> Iterable[Node]:
    if node.is_map:
        for v in node.value.values():
            yield from _scalars(v)
    elif node.is_list:
        for v in node.value:
            yield from _scalars(v)
    elif isinstance(node.value, str):
        yield node


def _bind_step(i: int, node: Node, path: str, problems: list[Problem]) -> Step | None:
    kinds = load_all()
    where = f"step {i + 1}"
    if isinstance(node.value, str) and node.value in kinds:   # `- check_links` with no options
        node = Node({node.value: Node(None, node.line, node.col)}, node.line, node.col,
                    {node.value: (node.line, node.col)})
    if not node.is_map:
        problems.append(Problem(path, node.line, node.col, f"{where}: expected a mapping like "
                                f"'- click: \"#button\"', got {node.value!r}{suggest(str(node.value), kinds)}"))
        return None
    kind_keys = [k for k in node.value if k not in COMMON_KEYS]
    if not kind_keys:
        problems.append(Problem(path, node.line, node.col, f"{where}: no step kind (kinds: {', '.join(sorted(kinds))})"))
        return None
    if len(kind_keys) > 1:
        known = [k for k in kind_keys if k in kinds]
        for k in kind_keys:
            if k not in kinds or len(known) > 1:
                line, col = node.key_marks[k]
                msg = (f"'{k}' is not a step kind{suggest(k, kinds)} (kinds: {', '.join(sorted(kinds))})"
                       if k not in kinds else f"{where}: one step kind per step (found {', '.join(known)})")
                problems.append(Problem(path, line, col, msg))
        return None
    kind = kind_keys[0]
    line, col = node.key_marks[kind]
    if kind not in kinds:
        problems.append(Problem(path, line, col, f"'{kind}' is not a step kind{suggest(kind, kinds)}"
                                f" (kinds: {', '.join(sorted(kinds))})"))
        return None
    cls = kinds[kind]
    value = node.value[kind]
    n_before = len(problems)
    if value.is_map:
        spec = bind_dataclass(cls, value, path, f"{kind}", problems)
    elif value.value is None:
        spec = bind_dataclass(cls, Node({}, value.line, value.col), path, kind, problems)
    elif value.is_list or cls.shorthand is None:
        problems.append(Problem(path, value.line, value.col, f"{kind}: expected a mapping of options"
                                f"{'' if cls.shorthand is None else f' or a value for {cls.shorthand!r}'}"))
        return None
    else:
        key = cls.shorthand
        spec = bind_dataclass(cls, Node({key: value}, value.line, value.col, {key: (value.line, value.col)}),
                              path, kind, problems)
    common = {}
    hints = {"name": str, "timeout": Duration, "continue_on_error": bool}
    for k in COMMON_KEYS:
        if k in node.value:
            v = bind_value(hints[k], node.value[k], path, f"{where}.{k}", problems)
            if v is not MISSING:
                common[k] = v
    if spec is MISSING or len(problems) > n_before:
        return None
    for msg in getattr(spec, "problems", lambda: [])():
        problems.append(Problem(path, line, col, f"{kind}: {msg}"))
    _finding_kind_problems(kind, spec, value, path, problems)
    return Step(index=i, kind=kind, spec=spec, label=common.get("name") or _default_label(kind, spec),
                line=line, col=col, timeout=common.get("timeout"),
                continue_on_error=common.get("continue_on_error", False))


def _finding_kind_problems(kind: str, spec: Any, value: Node, path: str, problems: list[Problem]) -> None:
    """`finding:` must name a registered kind (of the step's own check, for compare and count_mail)."""
    name = getattr(spec, "finding", None)
    if not isinstance(name, str):
        return
    from checks.registry import kind_problem

    msg = kind_problem(name, check=getattr(spec, "finding_check", None))
    if msg is not None:
        where = value.value.get("finding") if value.is_map else None
        problems.append(Problem(path, where.line if where else value.line, where.col if where else value.col,
                                f"{kind}.finding: {msg}"))


def _default_label(kind: str, spec: Any) -> str:
    short = getattr(spec, "shorthand", None)
    val = getattr(spec, short, None) if short else None
    if val is None and dataclasses.is_dataclass(spec):
        for f in dataclasses.fields(spec):
            v = getattr(spec, f.name)
            if isinstance(v, str) and v:
                val = v
                break
    return f"{kind} {val}" if val else kind


def parse_journey(text: str, path: str, known_vars: Iterable[str] = ()) -> Journey:
    """Validate a journey's text; raises JourneyError with every problem found."""
    root, problems = load(text, path)
    if root is None:
        raise JourneyError(path, problems)
    if not root.is_map:
        raise JourneyError(path, [Problem(path, root.line, root.col, "a journey is a mapping with 'name' and 'steps'")])
    header_node = Node({k: v for k, v in root.value.items() if k not in ("steps", "flows")}, root.line, root.col,
                       root.key_marks)
    header = bind_dataclass(_Header, header_node, path, "journey", problems)
    if header is not MISSING:
        _declare_kinds(header.findings, root.value.get("findings"), path, problems)
    flows = parse_flows(root.value.get("flows"), path, problems)
    steps: list[Step] = []
    steps_node = root.value.get("steps")
    if steps_node is None:
        problems.append(Problem(path, root.line, root.col, "journey: missing 'steps' (a list of steps)"))
    elif not steps_node.is_list or not steps_node.value:
        problems.append(Problem(path, steps_node.line, steps_node.col, "'steps' must be a non-empty list"))
    else:
        defined = set(known_vars) | set(BUILTIN_VARS)
        vars_node = root.value.get("variables")
        if vars_node is not None and vars_node.is_map:
            defined |= set(vars_node.value)
        for i, snode in enumerate(steps_node.value):
            for sc in _scalars(snode):   # undefined variables, at the value's position
                for ref in references(sc.value):
                    if not ref.is_secret and ref.name not in defined:
                        hints = {d for d in defined if not d.startswith("shopper_") or ref.name.startswith("shopper")}
                        problems.append(Problem(path, sc.line, sc.col, f"variable '{ref.name}' is not defined"
                                                f"{suggest(ref.name, hints)} (define it under 'variables:',"
                                                f" in the site profile, or extract it in an earlier step)"))
            step = _bind_step(i, snode, path, problems)
            if step is not None:
                steps.append(step)
                defined |= set(getattr(step.spec, "defines", lambda: [])())
                if step.kind == "flow":   # what its default defines is known after it
                    for fs in flows.get(step.spec.name, ()):
                        defined |= set(getattr(fs.spec, "defines", lambda: [])())
    if problems:
        raise JourneyError(path, sorted(problems, key=lambda p: (p.line, p.col)))
    return Journey(name=header.name, path=path, steps=tuple(steps), description=header.description,
                   tags=tuple(header.tags), site=header.site, variables=dict(header.variables),
                   timeout=header.timeout, step_timeout=header.step_timeout, flows=flows)


def _declare_kinds(kinds: dict[str, DeclaredKind], node: Node | None, path: str, problems: list[Problem]) -> None:
    """Register the kinds a journey declares under `findings:` (before its steps name them)."""
    for name, kind in kinds.items():
        msg = register_declared(name, kind)
        if msg is not None:
            line, col = node.key_marks.get(name, (node.line, node.col)) if node is not None and node.is_map \
                else (0, 0)
            problems.append(Problem(path, line, col, f"findings.{name}: {msg}"))


def parse_flows(node: Node | None, path: str, problems: list[Problem]) -> dict[str, tuple[Step, ...]]:
    """`flows:` of a journey or a site profile: name -> steps, every problem located (no nested flows)."""
    if node is None:
        return {}
    if not node.is_map:
        problems.append(Problem(path, node.line, node.col, "'flows' must map names to lists of steps"))
        return {}
    out: dict[str, tuple[Step, ...]] = {}
    for name, fnode in node.value.items():
        if not fnode.is_list or not fnode.value:
            problems.append(Problem(path, fnode.line, fnode.col, f"flow '{name}' must be a non-empty list of steps"))
            continue
        steps = []
        for i, snode in enumerate(fnode.value):
            step = _bind_step(i, snode, path, problems)
            if step is not None and step.kind == "flow":
                problems.append(Problem(path, step.line, step.col, f"flow '{name}': a flow cannot call a flow"))
            elif step is not None:
                steps.append(step)
        out[name] = tuple(steps)
    return out


def expand_flows(journey: Journey, profile_flows: dict[str, tuple[Step, ...]]) -> tuple[Step, ...]:
    """The journey's steps with each `- flow: NAME` replaced by the site's flow (else the journey's own
    default), renumbered; JourneyError naming the flow when neither has it."""
    out: list[Step] = []
    for step in journey.steps:
        if step.kind != "flow":
            out.append(dataclasses.replace(step, index=len(out)))
            continue
        name = step.spec.name
        body = profile_flows.get(name) or journey.flows.get(name)
        if body is None:
            known = sorted(set(profile_flows) | set(journey.flows))
            raise JourneyError(journey.path, [Problem(journey.path, step.line, step.col,
                                                      f"flow '{name}' is defined neither in the site profile nor in "
                                                      f"the journey's 'flows:' (flows: {', '.join(known) or 'none'})")])
        for fs in body:
            out.append(dataclasses.replace(fs, index=len(out), label=f"{name}: {fs.label}"))
    return tuple(out)


MAX_JOURNEY_BYTES = 1024 * 1024   # a long journey is a few KB; parsing tens of MB would take minutes


def read_text_file(path: str | Path, limit: int = MAX_JOURNEY_BYTES) -> str:
    """A user's YAML file as text; JourneyError located at the first byte that is not UTF-8, or for size."""
    p, where = Path(path), str(path)
    try:
        size = p.stat().st_size
        if size > limit:
            raise JourneyError(where, [Problem(where, 1, 1, f"the file is {size / 1e6:.1f} MB; journey files are "
                                                            f"at most {limit // (1024 * 1024)} MB (split it)")])
        raw = p.read_bytes()
    except OSError as e:
        raise JourneyError(where, [Problem(where, 1, 1, f"cannot read the file: {e}")]) from None
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as e:
        line_start = raw.rfind(b"\n", 0, e.start) + 1
        line = raw.count(b"\n", 0, e.start) + 1
        col = len(raw[line_start:e.start].decode("utf-8", "replace")) + 1
        raise JourneyError(where, [Problem(where, line, col, f"not UTF-8 text: byte 0x{raw[e.start]:02x} cannot be "
                                                             f"read; save the file as UTF-8")]) from None


def load_journey(path: str | Path, known_vars: Iterable[str] = ()) -> Journey:
    return parse_journey(read_text_file(path), str(path), known_vars)


def find_journey_files(paths: Iterable[str | Path]) -> list[Path]:
    """Expand directories to their *.yaml/*.yml files (sorted); keep files as given."""
    out: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            out.extend(sorted([*p.glob("*.yaml"), *p.glob("*.yml")]))
        else:
            out.append(p)
    return out
