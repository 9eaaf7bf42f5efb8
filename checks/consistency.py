"""Views that disagree (payment_inconsistent...) and too many of one mail (duplicate_confirmation...)."""
from __future__ import annotations

from typing import Iterator

from shopper.model import Finding

from . import Observations, check


@check("inconsistent_views")
def inconsistent_views(obs: Observations) -> Iterator[Finding]:
    for o in obs.of_kind("comparison"):
        d = o.data
        if d["consistent"]:
            continue
        told = ", ".join(f"{k}: {v or 'unclear'}" for k, v in d["labels"].items())
        yield Finding.of(d["finding"], severity="critical" if "payment" in d["finding"] else "major",
                         journey=o.journey, step=o.step, subject=d["name"],
                         title=f"The customer is told different things about the {d['name']} ({told})",
                         detail="\n".join(f"{k}: {v}" for k, v in d["views"].items()), data=dict(d))


@check("too_many_mails")
def too_many_mails(obs: Observations) -> Iterator[Finding]:
    for o in obs.of_kind("mail_count"):
        d = o.data
        if d["count"] > d["at_most"]:
            yield Finding.of(d["finding"], severity="major", journey=o.journey, step=o.step,
                             subject=f"{d['finding']}:{d.get('subject')}",   # not the order number: new each run
                             title=f"{d['count']} messages where at most {d['at_most']} should come"
                                   + (f" ({d['contains']})" if d.get("contains") else ""),
                             detail="\n".join(f"{m['received_at']}  {m['from']}  {m['subject']}" for m in d["messages"]),
                             data=dict(d))
