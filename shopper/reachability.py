"""Is the audited site there at all? The cause, in words, of a site that does not resolve, refuses
connections, fails TLS or answers 5xx on its home page — and a browser error, shortened to one line.

A site that cannot be reached is one fact about the site, not one failed step per journey: the runner
records it once per host (observation `site_unreachable`), does not start the other journeys of that
host, and the check of the same name makes one finding of it.
"""
from __future__ import annotations

import re
from urllib.parse import urlsplit

# Chromium's net error codes (net/base/net_error_list.h) that mean "the site is not there", in words
NET_CAUSES: list[tuple[str, str]] = [
    ("ERR_NAME_NOT_RESOLVED", "the name {host} does not resolve (DNS: no such host)"),
    ("ERR_NAME_RESOLUTION_FAILED", "the name {host} could not be resolved (DNS failed)"),
    ("ERR_CONNECTION_REFUSED", "{host} refuses connections (nothing listens on that port)"),
    ("ERR_CONNECTION_RESET", "{host} reset the connection"),
    ("ERR_CONNECTION_CLOSED", "{host} closed the connection without an answer"),
    ("ERR_EMPTY_RESPONSE", "{host} closed the connection without an answer"),
    ("ERR_CONNECTION_TIMED_OUT", "{host} does not answer (connection timed out)"),
    ("ERR_TIMED_OUT", "{host} does not answer (timed out)"),
    ("ERR_ADDRESS_UNREACHABLE", "{host} is unreachable (no route to its address)"),
    ("ERR_CONNECTION_FAILED", "the connection to {host} failed"),
    ("ERR_CERT_", "the TLS certificate of {host} is not valid ({code})"),
    ("ERR_SSL_", "the TLS handshake with {host} failed ({code})"),
    ("ERR_BAD_SSL_CLIENT_AUTH_CERT", "the TLS handshake with {host} failed ({code})"),
]
_NET_CODE = re.compile(r"net::(ERR_[A-Z_]+)")
_URL = re.compile(r"https?://[^\s\"'<>]+")


def net_error_code(error: str) -> str | None:
    """'ERR_NAME_NOT_RESOLVED' of a Playwright error text, or None."""
    m = _NET_CODE.search(error or "")
    return m.group(1) if m else None


def unreachable_cause(error: str, host: str) -> str | None:
    """The cause in words when `error` (a failed step's) says the site cannot be reached at all; else None."""
    code = net_error_code(error)
    if code is None:
        return None
    for prefix, words in NET_CAUSES:
        if code == prefix or (prefix.endswith("_") and code.startswith(prefix)):
            return words.format(host=host or "the site", code=code)
    return None


def server_error_cause(status: int, host: str) -> str:
    return f"{host} answers HTTP {status} on its home page (a server error)"


def short_error(error: str | None, limit: int = 160) -> str:
    """One line of a step's error for the console: the Playwright message without its call log."""
    if not error:
        return ""
    text = error.split("Call log:")[0]
    text = re.sub(r"^(?:[A-Za-z]+Error|Error): ", "", text.strip())
    text = re.sub(r"\s+", " ", text).strip(" :")
    return text if len(text) <= limit else text[:limit - 1].rstrip() + "…"


def origin(url: str) -> str:
    """'https://shop.test:8443' of a URL (the default port left out): what "the site" is."""
    u = urlsplit(url or "")
    default = {"http": 80, "https": 443}.get(u.scheme)
    try:
        port = u.port
    except ValueError:
        port = None
    return f"{u.scheme}://{u.hostname or ''}" + (f":{port}" if port and port != default else "")


def site_down(step: object, observations: list, base_url: str, first_open: bool) -> tuple[str, str, str] | None:
    """(origin, host, cause) when this step shows the audited site — the origin of the base URL — cannot be
    reached: a navigation to it failed with a network or TLS error, or, at the journey's first `open`, its
    home page answered 5xx. Another origin that fails (a link out, another port) is that step's failure, not
    the site's. `observations` are the step's own."""
    site = origin(base_url)
    host = urlsplit(base_url).hostname or ""
    error = getattr(step, "error", None) or ""
    if getattr(step, "status", "") == "failed":
        m = _URL.search(error)
        if m is None or origin(m.group(0)) == site:
            cause = unreachable_cause(error, host)
            if cause:
                return site, host, cause
    if first_open:
        home = urlsplit(base_url)
        for o in observations:
            d = o.data
            if o.kind != "response" or d.get("type") != "document" or not d.get("main_frame"):
                continue
            u = urlsplit(d["url"])
            if origin(d["url"]) == site and u.path.rstrip("/") == home.path.rstrip("/") and d["status"] >= 500:
                return site, host, server_error_cause(d["status"], host)
    return None
