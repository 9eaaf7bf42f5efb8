"""Expectation rules: acknowledgements vs answers, bounces, breaches only after a successful sweep."""
from datetime import datetime, timedelta, timezone

from shopper.expectations import Arrival, Expectation, apply_arrival, apply_deadlines, changes, sender_allowed

T0 = datetime(2026, 1, 5, 9, 0, tzinfo=timezone.utc)
H = timedelta(hours=1)


def exp(**kw):
    base = dict(token="ms-aaaaaaaaaaaa", journey="contact", channel="email", target="support@shop.test",
                created_at=T0, answer_deadline=T0 + 48 * H, ack_deadline=T0 + H, reply_from=("shop.test",))
    base.update(kw)
    return Expectation(**base)


def test_autoreply_acknowledges_but_does_not_answer():
    e = apply_arrival(exp(), Arrival("autoreply", "noreply@help.shop.test", T0 + 0.1 * H))
    assert (e.state, e.acked_at, e.answered_at) == ("open", T0 + 0.1 * H, None)
    assert e.ack_latency == 0.1 * H


def test_reply_answers_and_acknowledges():
    e = apply_arrival(exp(), Arrival("reply", "ann@shop.test", T0 + 5 * H))
    assert (e.state, e.acked_at, e.answered_at, e.answer_latency) == ("met", T0 + 5 * H, T0 + 5 * H, 5 * H)


def test_reply_from_someone_else_does_not_count():
    e = apply_arrival(exp(), Arrival("reply", "spam@elsewhere.test", T0 + H))
    assert e.state == "open" and e.answered_at is None


def test_bounce_is_final():
    e = apply_arrival(exp(), Arrival("bounce", "MAILER-DAEMON@mx.test", T0 + 0.01 * H, {"reason": "mailboxfull"}))
    e2 = apply_arrival(e, Arrival("reply", "ann@shop.test", T0 + H))
    assert (e2.state, e2.bounce, e2.answered_at) == ("bounced", {"reason": "mailboxfull"}, None)


def test_breach_only_after_successful_sweep_past_deadline():
    e = exp()
    assert apply_deadlines(e, T0 + 47 * H, True).state == "open"
    assert apply_deadlines(e, T0 + 49 * H, False).state == "open"   # the mailbox could not be read
    b = apply_deadlines(e, T0 + 49 * H, True)
    assert (b.state, b.ack_missed) == ("breached", True)
    assert changes(e, b) == ["breached", "ack_missed"]


def test_late_ack_is_missed_even_when_answered():
    e = apply_arrival(exp(), Arrival("reply", "ann@shop.test", T0 + 3 * H))
    e = apply_deadlines(e, T0 + 4 * H, True)
    assert (e.state, e.ack_missed) == ("met", True)


def test_ack_in_time_is_not_missed():
    e = apply_arrival(exp(), Arrival("autoreply", "bot@shop.test", T0 + 0.5 * H))
    e = apply_deadlines(e, T0 + 49 * H, True)
    assert (e.state, e.ack_missed) == ("breached", False)


def test_late_answer_after_breach_is_recorded():
    b = apply_deadlines(exp(), T0 + 49 * H, True)
    late = apply_arrival(b, Arrival("reply", "ann@shop.test", T0 + 50 * H))
    assert late.state == "breached" and changes(b, late) == ["acked", "late_answer"]


def test_sender_rules():
    e = exp(reply_from=("shop.test", "agent@partner.test"))
    assert sender_allowed(e, "x@shop.test") and sender_allowed(e, "x@eu.shop.test")
    assert sender_allowed(e, "AGENT@partner.test") and not sender_allowed(e, "other@partner.test")
    assert not sender_allowed(e, "x@notshop.test") and sender_allowed(exp(reply_from=()), None)
