"""Mail is written ahead of sending: a process killed once the server has it leaves its record; a mail that never
left (the shopper's own SMTP server failed) leaves none; the step's own record replaces the one written ahead."""
from __future__ import annotations

from shopper.ledger import record_outgoing_observations
from shopper.model import Observation
from shopper.store import open_store

MAIL = {"token": "ms-aaaaaaaaaaaa", "message_id": "<m1@mail.test>", "to": "support@shop.test",
        "from": "alex@mail.test", "subject": "Help"}


def _obs(kind: str, data: dict) -> Observation:
    return Observation(kind=kind, journey="write_support", step=0, data=data, at="2026-12-01T10:00:00+00:00")


def _rows(store) -> list[tuple]:
    return [tuple(r) for r in store.query("SELECT token, message_id, ok FROM sent_messages")]


def test_written_ahead_then_sent_then_forgotten(tmp_path):
    with open_store(str(tmp_path / "store.db")) as store:
        store.begin_run("run-1", "2026-12-01T10:00:00+00:00")
        record_outgoing_observations(store, "run-1", [_obs("mail_sending", MAIL)])
        assert _rows(store) == [("ms-aaaaaaaaaaaa", "<m1@mail.test>", 0)]   # known, delivery unknown
        assert store.known_tokens(["ms-aaaaaaaaaaaa"]) == {"ms-aaaaaaaaaaaa"}   # a reply to it still matches

        record_outgoing_observations(store, "run-1", [_obs("mail_sent", {**MAIL, "ok": True, "refused": {}})])
        assert _rows(store) == [("ms-aaaaaaaaaaaa", "<m1@mail.test>", 1)]   # replaced, not doubled

        other = {**MAIL, "token": "ms-bbbbbbbbbbbb", "message_id": "<m2@mail.test>"}
        record_outgoing_observations(store, "run-1", [_obs("mail_sending", other),
                                                      _obs("mail_not_sent", {"token": "ms-bbbbbbbbbbbb"})])
        assert _rows(store) == [("ms-aaaaaaaaaaaa", "<m1@mail.test>", 1)]   # never left: no record of it
