"""Both stores keep the store contract (shopper/store/contract.py): every method of every role, with the same
parameters (names, kinds, defaults) and the same annotations, so the stores and the Protocols cannot drift."""
from __future__ import annotations

import inspect

import pytest

from shopper.store import contract
from shopper.store.sqlite import SqliteStore

PROTOCOL_PLUMBING = {"__init__", "__subclasshook__", "__class_getitem__", "__init_subclass__"}


def _stores() -> list[type]:
    stores: list[type] = [SqliteStore]
    try:
        from shopper.store.postgres import PostgresStore
    except ModuleNotFoundError:     # psycopg is an extra: a plain install has only SQLite
        return stores
    return [*stores, PostgresStore]


def _methods(protocol: type) -> dict[str, object]:
    """The methods a protocol asks for, its bases' included."""
    out: dict[str, object] = {}
    for klass in reversed(protocol.__mro__):
        if klass is object or klass.__module__ != contract.__name__:
            continue
        out.update({name: f for name, f in vars(klass).items() if inspect.isfunction(f)
                    and name not in PROTOCOL_PLUMBING})
    return out


def _shape(f: object) -> list[tuple[str, object, object, str]]:
    sig = inspect.signature(f)   # follows functools.wraps (retry_conflicts) to the method itself
    return [(p.name, p.kind, p.default, _annotation(p.annotation)) for p in sig.parameters.values()] + \
        [("->", None, None, _annotation(sig.return_annotation))]


def _annotation(a: object) -> str:
    return "" if a is inspect.Parameter.empty else " ".join(str(a).split())


def test_the_contract_names_every_role():
    assert {p.__name__ for p in contract.ROLES} == {"RunStore", "MailStore", "AlertStore", "QueueStore"}
    whole = set(_methods(contract.Store))
    assert whole == set().union(*(_methods(p) for p in contract.ROLES))
    assert len(whole) > 50


def _drift(store: type, protocol: type) -> list[str]:
    drift = []
    for name, wanted in _methods(protocol).items():
        have = getattr(store, name, None)
        if not callable(have):
            drift.append(f"{store.__name__} has no {name}{inspect.signature(wanted)}")
        elif _shape(have) != _shape(wanted):
            drift.append(f"{store.__name__}.{name}{inspect.signature(have)} is not {name}{inspect.signature(wanted)}")
    return drift


@pytest.mark.parametrize("store", _stores(), ids=lambda s: s.__name__)
@pytest.mark.parametrize("protocol", [*contract.ROLES, contract.Store], ids=lambda p: p.__name__)
def test_each_store_keeps_each_role(store, protocol):
    assert _drift(store, protocol) == [], "the store and shopper/store/contract.py disagree"


def test_a_store_missing_a_method_or_changing_a_signature_is_caught():
    """The check itself can fail: a store that renamed a parameter, retyped a result and lost a method."""
    class Drifted(SqliteStore):
        def runs(self, count: int = 50, kind: str | None = "run"):   # type: ignore[override]
            return []

        def last_run(self) -> dict:   # type: ignore[override]
            return {}

        last_sweep = None   # type: ignore[assignment]

    assert sorted(line.split("(")[0] for line in _drift(Drifted, contract.Store)) == [
        "Drifted has no last_sweep", "Drifted.last_run", "Drifted.runs"]
