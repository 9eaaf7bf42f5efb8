"""Who may speak for a request: the recipients a delivery report may be about, the site's mail domains, DMARC.

Only mail about what the shopper sent counts: a delivery report counts when the recipient it says failed is
one the shopper wrote to; an answer to a web form comes from the audited site's domains unless the journey
says otherwise; with the shopper's own provider trusted (its `authserv-id`), a reply whose
Authentication-Results say `dmarc=fail` counts for nothing.
"""
from __future__ import annotations

from email.utils import getaddresses
from urllib.parse import urlsplit

from shopper.mail.parse import Headers
from shopper.mail.patterns import lazy

# Second-level labels under which registries hand out names (example.co.uk, shop.com.au): a short rule that
# keeps "the site's domain" right for the common cases without a public-suffix list.
_SECOND_LEVEL = {"co", "com", "net", "org", "gov", "edu", "ac", "or", "ne", "go", "gob", "nic", "ltd", "plc"}
_METHOD = lazy(r"\bdmarc\s*=\s*([a-z]+)")


def addresses_written_to(to_field: str | None) -> set[str]:
    """The addresses of a sent message's To (lower-cased)."""
    return {a.lower() for _, a in getaddresses([to_field or ""]) if "@" in a}


def registrable_domain(host: str) -> str:
    """`shop.kettle.test` -> `kettle.test`, `www.kettle.co.uk` -> `kettle.co.uk` (mail comes from the company's
    domain, pages from any of its hosts)."""
    labels = [x for x in (host or "").lower().strip(".").split(".") if x]
    if len(labels) <= 2:
        return ".".join(labels)
    if len(labels[-1]) == 2 and labels[-2] in _SECOND_LEVEL:
        return ".".join(labels[-3:])
    return ".".join(labels[-2:])


def site_mail_domains(base_url: str, hosts: tuple[str, ...] | list[str] = ()) -> list[str]:
    """The audited site's mail domains: its base URL's registrable domain, then the profile's `hosts` as written
    (a hosted helpdesk such as kettle.zendesk.com stays that tenant, never all of zendesk.com); no IPs."""
    base = urlsplit(base_url or "").hostname or ""
    out: list[str] = []
    for domain in [registrable_domain(base), *(h.lower().strip(".") for h in hosts)]:
        if domain and "." in domain and domain not in out and not domain.replace(".", "").isdigit() \
                and not any(domain == d or domain.endswith("." + d) for d in out):
            out.append(domain)
    return out


def dmarc_verdict(headers: Headers, trusted: tuple[str, ...] | frozenset[str]) -> tuple[str, str] | None:
    """(authserv-id, dmarc result) of the topmost Authentication-Results header a trusted server added, or None.

    Only the shopper's own provider's header counts: anyone can write an Authentication-Results header into
    the mail they send, so those of other servers are never read (RFC 8601 section 5)."""
    wanted = {t.lower() for t in trusted}
    if not wanted:
        return None
    for value in headers.get_all("authentication-results"):
        authserv = value.split(";", 1)[0].strip().split()[0].lower() if value.strip() else ""
        if authserv not in wanted:
            continue
        m = _METHOD.search(value.lower())
        return authserv, (m.group(1) if m else "none")
    return None
