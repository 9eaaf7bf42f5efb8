"""`check_address`: is an address a customer can write to? Syntax, then the domain's MX (or A/AAAA)."""
from __future__ import annotations

from ..address_check import check_address
from ..page.addresses import find_address
from .registry import step_kind


@step_kind("check_address", shorthand="address", writes="never")
class CheckAddress:
    """Check an address (literal or variable) or one found on the page; a bad one becomes a
    `broken_email` finding (bad syntax, no such domain, a domain that takes no mail).

        - check_address: "${support_address}"
        - check_address: {find: true, match: "/unsubscribe/i"}
    """

    address: str | None = None
    find: bool = False
    within: str | None = None
    match: str | None = None

    def problems(self) -> list[str]:
        if (self.address is None) == (not self.find):
            return ["give either 'address' or 'find: true' (an address on the page)"]
        return []

    @property
    def uses_page(self) -> bool:
        return self.find

    def run(self, ctx) -> str:
        addr = ctx.value(self.address) if self.address else find_address(
            ctx.page, self.within and ctx.value(self.within), self.match and ctx.value(self.match), ctx.timeout_ms)
        result = check_address(addr, ctx.probes.resolver)
        ctx.record("address_check", {"address": addr, "ok": result.ok, "kind": result.kind,
                                     "problem": result.problem, "mx": list(result.mx),
                                     "found_on_page": self.find})
        return f"{addr}: ok" if result.ok else f"{addr}: {result.problem}"
