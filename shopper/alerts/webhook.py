"""The alert webhook: a JSON (or Slack) POST with a timeout and one retry; the URL never shows in output."""
from __future__ import annotations

import logging
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Iterator
from urllib.parse import urlsplit

import httpx

from .mail import MAX_LISTED, finding_line
from .plan import FINDING_KEYS, Alert

log = logging.getLogger(__name__)

MASK = "***"
RETRY_STATUS = frozenset({408, 425, 429, 500, 502, 503, 504})


@dataclass(frozen=True)
class WebhookResult:
    """`line` is for the user and the log: it names the masked URL and, on failure, what to check."""

    ok: bool
    status: int | None
    line: str


def json_payload(alert: Alert) -> dict[str, Any]:
    """The documented payload: run, trigger, title, scores and each finding's kind/severity/journey/title/fingerprint."""
    return {"run_id": alert.run_id, "trigger": alert.trigger, "title": alert.title, "score": alert.score,
            "previous_score": alert.previous_score,
            "findings": [{k: f.get(k) for k in FINDING_KEYS} for f in alert.findings]}


def slack_payload(alert: Alert, prefix: str = "Mystery Shopper") -> dict[str, Any]:
    """`{"text", "blocks"}` for a Slack incoming webhook; values from audited sites are escaped for mrkdwn."""
    head = f"{_slack(prefix)}: {_slack(alert.title)}"
    lines = [f"• {_slack(finding_line(f))}" for f in alert.findings[:MAX_LISTED]]
    if len(alert.findings) > MAX_LISTED:
        lines.append(f"… and {len(alert.findings) - MAX_LISTED} more in the report")
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": f"{prefix}: {alert.title}"[:150]}},
        {"type": "context", "elements": [{"type": "mrkdwn", "text": f"run `{_slack(alert.run_id)}` · {alert.trigger}"}]},
    ]
    # a section's text is limited to 3000 characters: split the list over several sections
    chunk: list[str] = []
    for line in lines:
        if sum(len(x) + 1 for x in chunk) + len(line) > 2900:
            blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": "\n".join(chunk)}})
            chunk = []
        chunk.append(line)
    if chunk:
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": "\n".join(chunk)}})
    return {"text": head, "blocks": blocks}


def mask_url(url: str) -> str:
    """'https://hooks.example.test/services/T0/B0/xyz?token=1' -> 'https://hooks.example.test/***'."""
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        port = f":{parts.port}" if parts.port else ""
    except ValueError:
        return MASK
    if not parts.scheme or not host:
        return MASK
    host = f"[{host}]" if ":" in host else host
    return f"{parts.scheme}://{host}{port}/{MASK}"


def post(url: str, payload: dict[str, Any], *, timeout: float, client: httpx.Client | None = None) -> WebhookResult:
    """POST `payload` as JSON; retry once on a transport error or a 5xx/429; never raise, never show `url`."""
    shown = mask_url(url)
    own = client is None
    client = client or httpx.Client(timeout=timeout, follow_redirects=False)
    try:
        with _scrubbed_logs(url, shown):
            return _post_twice(client, url, shown, payload, timeout)
    finally:
        if own:
            client.close()


def _post_twice(client: httpx.Client, url: str, shown: str, payload: dict[str, Any], timeout: float) -> WebhookResult:
    status: int | None = None
    failure = ""
    for attempt in (1, 2):
        status = None
        try:
            response = client.post(url, json=payload, timeout=timeout)
        except httpx.TimeoutException:
            failure = f"did not answer within {timeout:g}s"
            continue
        except (httpx.HTTPError, httpx.InvalidURL, OSError) as exc:
            failure = f"could not be reached ({_scrub(type(exc).__name__ + ': ' + str(exc), url, shown)})"
            continue
        status = response.status_code
        if 200 <= status < 300:
            return WebhookResult(True, status, f"webhook {status} ({shown})")
        failure = f"answered {status}"
        if status not in RETRY_STATUS:
            return WebhookResult(False, status, _failed(shown, failure, status, attempt))
    return WebhookResult(False, status, _failed(shown, failure, status, 2))


def _failed(shown: str, failure: str, status: int | None, attempts: int) -> str:
    if status is None:
        hint = "check the URL's host and that this machine can reach it (proxy, firewall)"
    elif status in (401, 403, 404, 410):
        hint = "the URL or its token is probably wrong or revoked: check alerts.webhook"
    elif 300 <= status < 400:
        hint = "the URL redirects: use the final URL in alerts.webhook"
    else:
        hint = "check the receiving service"
    tries = "after a retry" if attempts == 2 else "(not retried)"
    return f"webhook {shown} {failure} {tries}: alert not delivered, kept for the next run; {hint}"


def _scrub(text: str, url: str, shown: str) -> str:
    text = text.replace(url, shown)
    path = urlsplit(url).path
    return text.replace(path, f"/{MASK}") if len(path) > 1 else text


class _UrlFilter(logging.Filter):
    """Rewrites records that name the webhook URL (httpx logs every request's URL at INFO)."""

    def __init__(self, url: str, shown: str):
        super().__init__()
        self.url, self.shown = url, shown

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        scrubbed = _scrub(message, self.url, self.shown)
        if scrubbed != message:
            record.msg, record.args = scrubbed, ()
        return True


@contextmanager
def _scrubbed_logs(url: str, shown: str) -> Iterator[None]:
    loggers = [logging.getLogger(name) for name in ("httpx", "httpcore.http11", "httpcore.connection")]
    scrub = _UrlFilter(url, shown)
    for logger in loggers:
        logger.addFilter(scrub)
    try:
        yield
    finally:
        for logger in loggers:
            logger.removeFilter(scrub)


def _slack(text: str) -> str:
    """Slack mrkdwn: &, < and > are control characters (links, mentions), so an audited site cannot inject them."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
