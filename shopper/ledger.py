"""After a journey: keep what the shopper sent and what it now expects, so later sweeps can judge it."""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from .expectations import Expectation

if TYPE_CHECKING:
    from .store.contract import MailStore


def record_outgoing_observations(store: MailStore, run_id: str, observations: Any) -> int:
    """Store the sent messages and expectations among these observations (a step's, as it ends: nothing sent is
    forgotten if the run dies); returns how many expectations were left."""
    left = 0
    for o in observations:
        d = o.data
        if o.kind == "mail_sent":
            store.record_sent(run_id, o.journey, o.step, d["token"], d["message_id"], d["from"], d["to"],
                              d["subject"], o.at, d["ok"], d["refused"])
        elif o.kind == "mail_sending":   # about to go: delivery unknown until its mail_sent replaces this row
            store.record_sent(run_id, o.journey, o.step, d["token"], d["message_id"], d["from"], d["to"],
                              d["subject"], o.at, False, {})
        elif o.kind == "mail_not_sent":   # written ahead, but it never left: the shopper's set-up failed
            store.forget_sent(d["token"])
        elif o.kind == "expectation_left":
            created = datetime.fromisoformat(o.at)
            ack = timedelta(seconds=d["ack_within_s"]) if d["ack_within_s"] else None
            store.add_expectation(Expectation(
                token=d["token"], journey=o.journey, channel=d["channel"], target=d["target"], created_at=created,
                answer_deadline=created + timedelta(seconds=d["answer_within_s"]),
                ack_deadline=created + ack if ack else None, reply_from=tuple(d["reply_from"]), run_id=run_id,
                step=o.step))
            left += 1
        elif o.kind == "order_mail_expected":   # the order's life: a notice about it by a deadline
            created = datetime.fromisoformat(o.at)
            store.add_expectation(Expectation(
                token=d["token"], journey=o.journey, channel=d["notice"], target=d["order_no"], created_at=created,
                answer_deadline=created + timedelta(seconds=d["within_s"]), run_id=run_id, step=o.step,
                kind="order"))
            left += 1
        elif o.kind == "silence_expected":
            created = datetime.fromisoformat(o.at)
            grace_end = created + timedelta(seconds=d["grace_s"])
            store.add_expectation(Expectation(
                token=d["token"], journey=o.journey, channel="newsletter", target=d["list_id"], created_at=created,
                answer_deadline=grace_end, window_end=grace_end + timedelta(seconds=d["watch_for_s"]),
                run_id=run_id, step=o.step, kind="silence"))
            left += 1
    return left
