"""Sending planned alerts by email and webhook; a fingerprint counts as alerted only once delivered."""
from __future__ import annotations

import logging
import smtplib
from datetime import datetime
from typing import TYPE_CHECKING, Any, Mapping

import httpx

from ..errors import ProbeError
from ..probes import smtp
from .mail import alert_email
from .plan import Alert, plan_alerts
from .settings import AlertsConfig
from .webhook import json_payload, post, slack_payload

if TYPE_CHECKING:
    from ..store.contract import Store

log = logging.getLogger(__name__)


def alert_after(config: AlertsConfig, store: Store, run_id: str, now: datetime, **delivery: Any) -> list[str]:
    """Plan and deliver the alerts of run `run_id` (what the CLI calls after a run or a sweep); lines for the user.

    `delivery`: smtp_settings, sender_address, environ and optionally http_client, as for deliver_alerts.
    """
    if not config.enabled:
        return []
    alerts = plan_alerts(config, store, run_id, now)
    held_until = config.held_until(now)
    if held_until is not None:
        held = sum(1 for p in store.pending_alerts() if p["reason"] == "maintenance")
        if not held:
            return []
        line = (f"{held} alert(s) held: maintenance window until {held_until.isoformat()}; "
                "they go out after the first run or sweep after it")
        log.info(line)
        return [line]
    return deliver_alerts(alerts, config, now=now, store=store, **delivery)


def deliver_alerts(alerts: list[Alert], config: AlertsConfig, *, smtp_settings: smtp.SmtpSettings | None,
                   sender_address: str, environ: Mapping[str, str], now: datetime, store: Store,
                   http_client: httpx.Client | None = None) -> list[str]:
    """Send each alert on every channel it is owed; never raises for a delivery failure.

    A channel that fails is reported (with what to fix) and the alert stays queued in the store
    for that channel, to be tried again by the next alert_after; only when no channel is owed any
    more are its fingerprints recorded as alerted at `now`.
    """
    owed_before = {(p["alert"]["run_id"], p["alert"]["trigger"]): p["channels"] for p in store.pending_alerts()}
    lines: list[str] = []
    for alert in alerts:
        owed = owed_before.get((alert.run_id, alert.trigger)) or list(config.channels)
        owed = [c for c in owed if c in config.channels]
        if not owed:
            store.drop_pending_alert(alert.run_id, alert.trigger)
            lines.append(f"alert '{alert.title}' ({alert.run_id}) dropped: the channel it was owed to is no longer "
                         "configured in alerts:")
            continue
        sent, failed, errors = [], [], []
        for channel in owed:
            ok, line = (_by_email(alert, config, smtp_settings, sender_address, now) if channel == "email"
                        else _by_webhook(alert, config, environ, http_client))
            (log.info if ok else log.warning)("%s", line)
            lines.append(line)
            (sent if ok else failed).append(channel)
            if not ok:
                errors.append(line)
        store.record_alert_delivery(alert.to_dict(), list(alert.keys), sent, failed, now.isoformat(),
                                    "; ".join(errors) or None)
    return lines


def _by_email(alert: Alert, config: AlertsConfig, settings: smtp.SmtpSettings | None, sender: str,
              now: datetime) -> tuple[bool, str]:
    assert config.email is not None
    to = ", ".join(config.email.to)
    if settings is None:
        return False, (f"alert email to {to} not sent: no SMTP server configured; set smtp.host (and smtp.user, "
                       "with the password in $SHOPPER_SMTP_PASSWORD) in config.yaml; kept for the next run")
    try:
        message = alert_email(alert, to=config.email.to, sender=sender, subject_prefix=config.email.subject_prefix,
                              now=now)
        result = smtp.send(settings, message)
    except (ProbeError, ValueError, smtplib.SMTPException, OSError) as exc:
        return False, f"alert email to {to} not sent: {exc}; kept for the next run"
    if not result.ok:
        why = "; ".join(f"{a}: {code} {text}" for a, (code, text) in result.refused.items())
        if result.data_code is not None:
            why = (why + "; " if why else "") + f"DATA answered {result.data_code} {result.data_text}"
        return False, (f"alert email to {to} refused by {settings.where} ({why}): check alerts.email.to and that "
                       "the server relays for the sender; kept for the next run")
    partial = f" (refused: {', '.join(result.refused)})" if result.refused else ""
    return True, f"alert sent to {', '.join(result.accepted)}{partial}: {message['Subject']}"


def _by_webhook(alert: Alert, config: AlertsConfig, environ: Mapping[str, str],
                client: httpx.Client | None) -> tuple[bool, str]:
    hook = config.webhook
    assert hook is not None
    url = hook.url
    if hook.url_env:
        url = environ.get(hook.url_env, "")
        if not url:
            return False, (f"webhook not called: ${hook.url_env} is not set; export it with the webhook URL "
                           "(or set alerts.webhook.url); kept for the next run")
    payload = slack_payload(alert) if hook.format == "slack" else json_payload(alert)
    result = post(url, payload, timeout=hook.timeout.seconds, client=client)
    return result.ok, result.line
