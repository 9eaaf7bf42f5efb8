"""Before anything runs: do the journey paths exist, and does every name and tag asked for match a journey?

Nothing run is never clean: a selection that cannot audit anything is an error, said in one line
(with did-you-mean), before a browser starts — for `run`, for each entry of `schedule`, and for
every slot of a running scheduler (a folder can vanish after start).
"""
from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

from .journey import find_journey_files


@dataclass
class Catalogue:
    """What the journey paths hold: the names (and file stems) and tags a selection can ask for."""

    names: set[str] = field(default_factory=set)
    tags: set[str] = field(default_factory=set)
    by_tag: dict[str, list[str]] = field(default_factory=dict)
    journeys: list[Any] = field(default_factory=list)
    invalid: list[str] = field(default_factory=list)   # the file names of invalid journeys
    files: int = 0


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """"; did you mean 'browse_shop'?" or ''."""
    match = difflib.get_close_matches(word, sorted(choices), n=1, cutoff=0.6)
    return f"; did you mean '{match[0]}'?" if match else ""


def missing_paths(paths: Iterable[str | Path]) -> list[str]:
    """One line per journey path that does not exist (a folder resolved beside a config file elsewhere...)."""
    return [f"journeys: {p} does not exist" for p in paths if not Path(p).exists()]


def catalogue(paths: Iterable[str | Path], config: Any, extra_vars: Iterable[str] = ()) -> Catalogue:
    """Every journey under `paths` (invalid files count by their file stem)."""
    from .audit import select_journeys

    paths = list(paths)
    sel = select_journeys(paths, config, extra_vars=extra_vars)
    cat = Catalogue(journeys=sel.journeys, files=len(find_journey_files(paths)))
    for j in sel.journeys:
        cat.names |= {j.name, Path(j.path).stem}
        cat.tags |= set(j.tags)
        for t in j.tags:
            cat.by_tag.setdefault(t, []).append(j.name)
    cat.names |= {Path(e.path).stem for e in sel.invalid}
    cat.invalid = [Path(e.path).name for e in sel.invalid]
    return cat


def selection_problems(paths: Iterable[str | Path], config: Any, *, names: Iterable[str] = (),
                       tags: Iterable[str] = (), extra_vars: Iterable[str] = ()) -> list[str]:
    """Why this selection would audit nothing or not what was asked: missing paths, no journey files, unknown
    names or tags (each with did-you-mean), names and tags that together match none. Empty when it can run."""
    paths, names, tags = list(paths), list(names), list(tags)
    problems = missing_paths(paths)
    if problems:
        return problems
    cat = catalogue(paths, config, extra_vars)
    if not cat.files:
        return [f"journeys: no journey files (*.yaml) in {', '.join(map(str, paths))}"]
    problems += [f"unknown journey {n!r}{did_you_mean(n, cat.names)}" for n in dict.fromkeys(names)
                 if n not in cat.names]
    problems += [f"unknown tag {t!r}{did_you_mean(t, cat.tags)}" for t in dict.fromkeys(tags) if t not in cat.tags]
    invalid_stems = {Path(f).stem for f in cat.invalid}
    # names and tags together matching nothing (a name of an invalid file is reported with its problems instead)
    if not problems and cat.journeys and names and tags and not resolved_names(cat, names, tags) \
            and not invalid_stems & set(names):
        problems.append(f"no journey is both named {', '.join(map(repr, names))} and tagged "
                        f"{', '.join(map(repr, tags))}: nothing would be audited")
    return problems


def resolved_names(cat: Catalogue, names: Iterable[str] = (), tags: Iterable[str] = ()) -> list[str]:
    """The journeys a schedule entry resolves to (names, tags; neither: all), in file order."""
    names, tags = set(names), set(tags)
    return [j.name for j in cat.journeys
            if (not names or j.name in names or Path(j.path).stem in names) and (not tags or tags & set(j.tags))]
