"""YAML loaded with positions: every value keeps the line:col it came from, for file:line errors."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import yaml

from .errors import Problem


@dataclass
class Node:
    """A YAML value with its position (1-based). `value` is dict[str, Node], list[Node] or a scalar."""

    value: Any
    line: int
    col: int
    key_marks: dict[str, tuple[int, int]] = field(default_factory=dict)
    tag: str = ""

    @property
    def is_map(self) -> bool:
        return isinstance(self.value, dict)

    @property
    def is_list(self) -> bool:
        return isinstance(self.value, list)

    def plain(self) -> Any:
        """The value without positions."""
        if isinstance(self.value, dict):
            return {k: v.plain() for k, v in self.value.items()}
        if isinstance(self.value, list):
            return [v.plain() for v in self.value]
        return self.value


_SCALAR_LOADER = yaml.SafeLoader("")


def _scalar(node: yaml.ScalarNode) -> Any:
    return _SCALAR_LOADER.construct_object(node, deep=True)


def _convert(node: yaml.Node, path: str, problems: list[Problem]) -> Node:
    line, col = node.start_mark.line + 1, node.start_mark.column + 1
    if isinstance(node, yaml.MappingNode):
        out: dict[str, Node] = {}
        marks: dict[str, tuple[int, int]] = {}
        merged: dict[str, Node] = {}
        for knode, vnode in node.value:
            kl, kc = knode.start_mark.line + 1, knode.start_mark.column + 1
            if knode.tag == "tag:yaml.org,2002:merge":   # `<<: *defaults`: keys of its own win
                sources = vnode.value if isinstance(vnode, yaml.SequenceNode) else [vnode]
                for src in sources:
                    inner = _convert(src, path, problems)
                    if not inner.is_map:
                        problems.append(Problem(path, kl, kc, "'<<' merges mappings only"))
                        continue
                    for k, v in inner.value.items():
                        merged.setdefault(k, v)
                continue
            if not isinstance(knode, yaml.ScalarNode):
                problems.append(Problem(path, kl, kc, "a key must be a plain name, not a list or mapping"))
                continue
            key = str(knode.value)   # keys are names: `on:` stays "on", not YAML 1.1's true
            if key in out:
                problems.append(Problem(path, kl, kc, f"duplicate key '{key}' (first at line {marks[key][0]})"))
                continue
            out[key] = _convert(vnode, path, problems)
            marks[key] = (kl, kc)
        for k, v in merged.items():
            if k not in out:
                out[k] = v
                marks[k] = (v.line, v.col)
        return Node(out, line, col, marks, node.tag)
    if isinstance(node, yaml.SequenceNode):
        return Node([_convert(v, path, problems) for v in node.value], line, col, tag=node.tag)
    try:
        return Node(_scalar(node), line, col, tag=node.tag)
    except yaml.YAMLError as e:
        problems.append(Problem(path, line, col, f"bad value: {e}"))
        return Node(None, line, col, tag=node.tag)


MAX_VALUES = 100_000   # after aliases are expanded: a journey or config has hundreds; a YAML bomb has billions


def _expanded_size(node: yaml.Node, sizes: dict[int, int]) -> int:
    """How many values `node` stands for once aliases are expanded (aliases share nodes: memoised, linear)."""
    known = sizes.get(id(node))
    if known is not None:
        return known
    size = 1
    if isinstance(node, yaml.MappingNode):
        size += sum(_expanded_size(k, sizes) + _expanded_size(v, sizes) for k, v in node.value)
    elif isinstance(node, yaml.SequenceNode):
        size += sum(_expanded_size(v, sizes) for v in node.value)
    sizes[id(node)] = size
    return size


def _alias_bomb(root: yaml.Node, path: str) -> Problem | None:
    """A located problem when aliases expand the document past MAX_VALUES (the innermost value that does)."""
    sizes: dict[int, int] = {}
    if _expanded_size(root, sizes) <= MAX_VALUES:
        return None
    node = root
    while True:
        children = [c for pair in node.value for c in pair] if isinstance(node, yaml.MappingNode) else \
            node.value if isinstance(node, yaml.SequenceNode) else []
        bigger = next((c for c in children if sizes.get(id(c), 0) > MAX_VALUES), None)
        if bigger is None:
            break
        node = bigger
    return Problem(path, node.start_mark.line + 1, node.start_mark.column + 1,
                   f"aliases expand this value to {sizes[id(node)]:,} values (more than {MAX_VALUES:,}: a "
                   f"'billion laughs' YAML bomb?); use fewer nested aliases")


def load(text: str, path: str) -> tuple[Node | None, list[Problem]]:
    """Parse YAML text; returns (root, problems). Syntax errors become one located problem."""
    problems: list[Problem] = []
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except RecursionError:
        return None, [Problem(path, 1, 1, "YAML nested too deeply to read (lists or mappings inside each other "
                                          "hundreds of times): flatten the file")]
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        msg = f"YAML syntax error: {e.problem or e}"
        if e.context:
            cm = e.context_mark
            where = f" that starts at line {cm.line + 1}, column {cm.column + 1}" if cm and cm is not mark else ""
            msg += f" ({e.context}{where})"
        return None, [Problem(path, line, col, msg)]
    except yaml.YAMLError as e:
        return None, [Problem(path, 1, 1, f"YAML error: {e}")]
    if root is None:
        return None, [Problem(path, 1, 1, "the file is empty; expected a mapping with 'name' and 'steps'")]
    try:
        bomb = _alias_bomb(root, path)
        if bomb is not None:
            return None, [bomb]
        return _convert(root, path, problems), problems
    except RecursionError:
        return None, [Problem(path, 1, 1, "YAML nested too deeply to read: flatten the file")]
