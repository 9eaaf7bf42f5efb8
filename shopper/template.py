"""Values in journeys: `${name}` for variables and extracted values, `${secret:ENV_NAME}` for secrets.

`$${` writes a literal `${`. Rendering for display masks secrets; resolving for the browser reveals them.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Mapping

from .secrets import Redactor, Secret

PLACEHOLDER = re.compile(r"\$\$\{|\$\{\s*([A-Za-z_][A-Za-z0-9_.-]*(?::[A-Za-z_][A-Za-z0-9_]*)?)\s*\}")


@dataclass(frozen=True)
class Ref:
    name: str
    is_secret: bool
    start: int


def references(text: str) -> list[Ref]:
    """Every `${...}` in text, in order."""
    out = []
    for m in PLACEHOLDER.finditer(text):
        if m.group(1) is None:
            continue
        name = m.group(1)
        if name.startswith("secret:"):
            out.append(Ref(name[len("secret:"):], True, m.start()))
        else:
            out.append(Ref(name, False, m.start()))
    return out


class UndefinedVariable(KeyError):
    def __init__(self, name: str, known: list[str]):
        super().__init__(name)
        self.name, self.known = name, known


class MissingSecret(KeyError):
    def __init__(self, env_name: str):
        super().__init__(env_name)
        self.env_name = env_name


@dataclass
class Resolved:
    """A resolved value: `text` to use, `display` to show (secrets masked), and whether a secret is in it."""

    text: str
    display: str
    has_secret: bool


def expand_known(text: str, variables: Mapping[str, str | None], redactor: Redactor) -> str:
    """A message with the `${name}` of every known variable filled in for showing (secrets masked, values
    redacted); secrets and unknown names stay as written. Steps' messages quote the values they were given:
    this is what makes "no link named ${tracking_link}" read "no link named /track .../i"."""
    def fill(m: re.Match[str]) -> str:
        name = m.group(1)
        if name is None or name.startswith("secret:") or variables.get(name) is None:
            return m.group(0)
        value = str(variables[name])
        if "${" in value:   # a value made of others (`/orders/${order_no}`): one more level, as resolve does
            value = PLACEHOLDER.sub(lambda n: fill(n) if n.group(1) != name else n.group(0), value)
        return redactor.redact(value)

    return PLACEHOLDER.sub(fill, text) if "${" in text else text


def resolve(text: str, variables: Mapping[str, str], redactor: Redactor,
            environ: Mapping[str, str], _depth: int = 0) -> Resolved:
    """Fill in `${...}`; raises UndefinedVariable or MissingSecret. A variable's own value is resolved
    too (site profiles may say `/orders/${order_no}`), up to a few levels deep."""
    has_secret = False
    real: list[str] = []
    shown: list[str] = []
    pos = 0
    for m in PLACEHOLDER.finditer(text):
        real.append(text[pos:m.start()])
        shown.append(text[pos:m.start()])
        pos = m.end()
        if m.group(1) is None:
            real.append("${")
            shown.append("${")
            continue
        name = m.group(1)
        if name.startswith("secret:"):
            env_name = name[len("secret:"):]
            if env_name not in environ:
                raise MissingSecret(env_name)
            secret: Secret = redactor.secret(env_name, dict(environ))
            real.append(secret.reveal())
            shown.append(str(secret))
            has_secret = True
        else:
            if variables.get(name) is None:   # not defined, or declared absent (null) by the site profile
                raise UndefinedVariable(name, sorted(variables))
            value = str(variables[name])
            if _depth < 5 and "${" in value:
                inner = resolve(value, variables, redactor, environ, _depth + 1)
                real.append(inner.text)
                shown.append(inner.display)
                has_secret = has_secret or inner.has_secret
                continue
            real.append(value)
            shown.append(redactor.redact(value))
    real.append(text[pos:])
    shown.append(text[pos:])
    return Resolved("".join(real), "".join(shown), has_secret)
