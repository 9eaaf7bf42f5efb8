"""Views that disagree (payment_inconsistent...) and too many of one mail (duplicate_confirmation...)."""
from __future__ import annotations

from typing import Iterator

from shopper.model import Finding

from . import Observations, check
from .registry import FindingKind, severity_of

VIEWS = [  # kinds a journey's `compare: {finding: ...}` may name
    FindingKind("inconsistent_views", "major", "website", configurable=True,
                fix="Make the page, the mails, the status page and the support scripts read from one source.",
                summary="Two views of the same thing (page, mail, status page, chat) tell the customer different things."),
    FindingKind("payment_inconsistent", "critical", "payment", configurable=True,
                fix="Reconcile the payment gateway with the order status; align page, mails and support scripts.",
                summary="The customer is told both that the payment failed and that it went through."),
]
MAILS = [  # kinds a journey's `count_mail: {finding: ...}` may name
    FindingKind("duplicate_mail", "major", "support", configurable=True,
                fix="Send each automatic mail once per event (make the sending idempotent).",
                summary="More messages of one kind came than should."),
    FindingKind("duplicate_confirmation", "major", "orders", configurable=True,
                fix="Make the confirmation mail idempotent per order (send once per order number).",
                summary="The order confirmation came more than once for one order."),
]


@check("inconsistent_views", kinds=VIEWS)
def inconsistent_views(obs: Observations) -> Iterator[Finding]:
    for o in obs.of_kind("comparison"):
        d = o.data
        if d["consistent"]:
            continue
        told = ", ".join(f"{k}: {v or 'unclear'}" for k, v in d["labels"].items())
        yield Finding.of(d["finding"], severity=severity_of(d["finding"]),
                         journey=o.journey, step=o.step, subject=d["name"],
                         title=f"The customer is told different things about the {d['name']} ({told})",
                         detail="\n".join(f"{k}: {v}" for k, v in d["views"].items()), data=dict(d))


@check("too_many_mails", kinds=MAILS)
def too_many_mails(obs: Observations) -> Iterator[Finding]:
    for o in obs.of_kind("mail_count"):
        d = o.data
        if d["count"] > d["at_most"]:
            yield Finding.of(d["finding"], severity=severity_of(d["finding"]), journey=o.journey, step=o.step,
                             subject=f"{d['finding']}:{d.get('subject')}",   # not the order number: new each run
                             title=f"{d['count']} messages where at most {d['at_most']} should come"
                                   + (f" ({d['contains']})" if d.get("contains") else ""),
                             detail="\n".join(f"{m['received_at']}  {m['from']}  {m['subject']}" for m in d["messages"]),
                             data=dict(d))
