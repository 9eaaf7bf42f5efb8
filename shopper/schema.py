"""Bind located YAML nodes to dataclasses: the dataclass fields are the schema.

Field types understood: str, int, float, bool, Duration, Literal[...], list[str], dict[str, str|scalar],
nested dataclasses, dict[str, <dataclass>], and Optional of any of these. Every problem is
collected with its line:col, never just the first.
"""
from __future__ import annotations

import dataclasses
import difflib
import keyword
import types
import typing
from typing import Any, Literal, Union, get_args, get_origin

from .duration import Duration
from .errors import Problem
from .yamlnodes import Node

MISSING = dataclasses.MISSING


def suggest(word: str, choices: typing.Iterable[str]) -> str:
    """"; did you mean 'click'?" or ''."""
    match = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f"; did you mean '{match[0]}'?" if match else ""


def describe(tp: Any) -> str:
    """A type as a user would read it: 'a duration like 30s', 'a list of text'."""
    origin = get_origin(tp)
    if origin in (Union, types.UnionType):
        inner = [a for a in get_args(tp) if a is not type(None)]
        return " or ".join(describe(a) for a in inner)
    if origin is Literal:
        return "one of " + ", ".join(repr(a) for a in get_args(tp))
    if origin in (list, tuple):
        return f"a list of {describe(get_args(tp)[0])}" if get_args(tp) else "a list"
    if origin is dict:
        return "a mapping"
    if tp is Duration:
        return "a duration like '30s', '5m', '2d'"
    if dataclasses.is_dataclass(tp):
        return "a mapping"
    return {str: "text", int: "a whole number", float: "a number", bool: "true or false",
            Duration: "a duration like '30s', '5m', '2d'", Any: "a value"}.get(tp, getattr(tp, "__name__", str(tp)))


def field_types(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)


def required_fields(cls: type) -> list[str]:
    return [f.name for f in dataclasses.fields(cls)
            if f.default is MISSING and f.default_factory is MISSING and f.init]


def bind_value(tp: Any, node: Node, path: str, where: str, problems: list[Problem]) -> Any:
    """Convert one node to type `tp`; on a mismatch, add a problem and return MISSING."""
    def bad(expected: str | None = None) -> Any:
        got = "a mapping" if node.is_map else "a list" if node.is_list else repr(node.value)
        problems.append(Problem(path, node.line, node.col,
                                f"{where}: expected {expected or describe(tp)}, got {got}"))
        return MISSING

    origin = get_origin(tp)
    if tp is Any:
        return node.plain()
    if origin in (Union, types.UnionType):
        args = get_args(tp)
        if node.value is None and type(None) in args:
            return None
        inner = [a for a in args if a is not type(None)]
        for a in inner:  # first that binds without problems wins
            trial: list[Problem] = []
            v = bind_value(a, node, path, where, trial)
            if not trial:
                return v
        if len(inner) == 1:
            return bind_value(inner[0], node, path, where, problems)
        return bad()
    if origin is Literal:
        if node.value in get_args(tp):
            return node.value
        choices = [str(a) for a in get_args(tp)]
        problems.append(Problem(path, node.line, node.col, f"{where}: {node.value!r} is not one of "
                                f"{', '.join(choices)}{suggest(str(node.value), choices)}"))
        return MISSING
    if origin in (list, tuple):
        (item,) = get_args(tp)[:1] or (Any,)
        if not node.is_list:
            if not node.is_map and node.value is not None and item in (str, Any):
                return [str(node.value)] if item is str else [node.value]  # a scalar stands for a one-item list
            return bad()
        out = [bind_value(item, n, path, f"{where}[{i}]", problems) for i, n in enumerate(node.value)]
        return out if all(v is not MISSING for v in out) else MISSING
    if origin is dict:
        _, vt = get_args(tp) or (str, Any)
        if not node.is_map:
            return bad()
        out = {k: bind_value(vt, n, path, f"{where}.{k}", problems) for k, n in node.value.items()}
        return out if all(v is not MISSING for v in out.values()) else MISSING
    if tp is Duration:
        try:
            return Duration.parse(node.value)
        except (ValueError, TypeError):
            return bad()
    if dataclasses.is_dataclass(tp):
        return bind_dataclass(tp, node, path, where, problems)
    if tp is bool:
        return node.value if isinstance(node.value, bool) else bad()
    if tp is int:
        return node.value if isinstance(node.value, int) and not isinstance(node.value, bool) else bad()
    if tp is float:
        ok = isinstance(node.value, (int, float)) and not isinstance(node.value, bool)
        return float(node.value) if ok else bad()
    if tp is str:
        if node.is_map or node.is_list or node.value is None:
            return bad()
        return node.value if isinstance(node.value, str) else str(node.value).lower() if isinstance(node.value, bool) else str(node.value)
    return node.plain()


def bind_dataclass(cls: type, node: Node, path: str, where: str, problems: list[Problem],
                   extra_keys: typing.Iterable[str] = ()) -> Any:
    """Bind a mapping node to dataclass `cls`: unknown keys, missing fields and wrong types are problems."""
    if not node.is_map:
        problems.append(Problem(path, node.line, node.col, f"{where}: expected a mapping"
                                f" with keys {', '.join(f.name for f in dataclasses.fields(cls))}"))
        return MISSING
    hints = field_types(cls)
    names = [f.name for f in dataclasses.fields(cls) if f.init]
    kwargs: dict[str, Any] = {}
    ok = True
    for key, vnode in node.value.items():
        if key in extra_keys:
            continue
        if keyword.iskeyword(key) and key + "_" in names:   # `from:` binds the field `from_`
            key = key + "_"
        if key not in names:
            line, col = node.key_marks.get(key, (vnode.line, vnode.col))
            problems.append(Problem(path, line, col, f"unknown key '{key}' in {where}{suggest(key, names)}"
                                    f" (keys: {', '.join(names)})"))
            ok = False
            continue
        v = bind_value(hints[key], vnode, path, f"{where}.{key}" if where else key, problems)
        if v is MISSING:
            ok = False
        else:
            kwargs[key] = v
    for name in required_fields(cls):
        if name not in node.value:
            problems.append(Problem(path, node.line, node.col,
                                    f"{where}: missing '{name}' ({describe(hints[name])})"))
            ok = False
    if not ok:
        return MISSING
    try:
        obj = cls(**kwargs)
    except (ValueError, TypeError) as e:
        problems.append(Problem(path, node.line, node.col, f"{where}: {e}"))
        return MISSING
    return obj
