"""Documentation of step kinds, generated from the registry: fields, types, defaults, docstring examples."""
from __future__ import annotations

import dataclasses
import inspect
import textwrap
from typing import Any

import yaml

from .duration import Duration

from .schema import describe, field_types
from .steps import load_all


def yaml_value(value: Any) -> str:
    """A default as a journey would write it: 2d, true, 'Enter', {a: b} (never a Python repr)."""
    if isinstance(value, Duration):
        return str(value)
    if dataclasses.is_dataclass(value):
        value = dataclasses.asdict(value)
    text = yaml.safe_dump(value, default_flow_style=True, allow_unicode=True, width=10_000).strip()
    return text.removesuffix("\n...").removesuffix("...").strip()


def kind_fields(cls: type) -> list[tuple[str, str, str]]:
    """(name, type description, default as YAML; '' when there is none) for every field of a step kind."""
    hints = field_types(cls)
    out = []
    for f in dataclasses.fields(cls):
        if f.default is not dataclasses.MISSING:
            default = "" if f.default is None else yaml_value(f.default)
        elif f.default_factory is not dataclasses.MISSING:
            default = yaml_value(f.default_factory())
        else:
            default = "required"
        out.append((f.name, describe(hints[f.name]), default))
    return out


def kinds_text() -> str:
    """Plain text for `runner.py kinds`."""
    lines = []
    for name, cls in sorted(load_all().items()):
        doc = inspect.getdoc(cls) or ""
        lines.append(f"{name}: {' '.join(doc.partition(chr(10) * 2)[0].split())}")
        for fname, typ, default in kind_fields(cls):
            lines.append(f"    {fname:<14} {typ}{f' (default {default})' if default else ''}")
    return "\n".join(lines)


def finding_kinds_text() -> str:
    """`runner.py kinds --findings`: the finding-kind registry, YAML-like."""
    from checks.registry import finding_kinds

    from .score import process_label

    lines = []
    for name, k in sorted(finding_kinds().items()):
        flags = [w for w, on in (("breach", k.breach), ("setup", k.setup), ("configurable", k.configurable),
                                 ("declared", k.declared)) if on]
        lines.append(f"{name}:")
        lines.append(f"    severity: {k.severity}")
        lines.append(f"    process: {process_label(k.process)} ({k.process})")
        lines.append(f"    check: {k.check}")
        if flags:
            lines.append(f"    flags: [{', '.join(flags)}]")
        if k.summary:
            lines.append(f"    means: {yaml_value(k.summary)}")
        lines.append(f"    fix: {yaml_value(k.fix)}")
    return "\n".join(lines)


def kinds_markdown() -> str:
    """The step-kind reference section of docs/journeys.md."""
    parts = []
    for name, cls in sorted(load_all().items()):
        doc = inspect.getdoc(cls) or ""
        head, _, rest = doc.partition("\n\n")
        parts.append(f"### `{name}`\n\n{head}\n")
        if cls.shorthand:
            parts.append(f"Short form: `- {name}: VALUE` sets `{cls.shorthand}`.\n")
        parts.append("| key | type | default |\n|---|---|---|")
        for fname, typ, default in kind_fields(cls):
            parts.append(f"| `{fname}` | {typ} | {default or '—'} |")
        is_code = [ln.startswith(" ") or ln.lstrip().startswith("- ") for ln in rest.splitlines()]
        code = [ln for ln, c in zip(rest.splitlines(), is_code) if c]
        prose = " ".join(ln.strip() for ln, c in zip(rest.splitlines(), is_code) if ln.strip() and not c)
        if code:
            parts.append("\nExample:\n\n```yaml\n" + textwrap.dedent("\n".join(code)) + "\n```\n")
        parts.append(prose + "\n" if prose else "")
    return "\n".join(parts)
