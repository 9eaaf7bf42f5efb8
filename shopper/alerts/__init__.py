"""Alerts after a run or sweep: new findings, breaches or a score drop, by email and/or webhook."""
from __future__ import annotations

from .deliver import alert_after, deliver_alerts
from .maintenance import MaintenanceWindow
from .plan import Alert, plan_alerts
from .settings import TRIGGERS, AlertsConfig, EmailAlertConfig, WebhookConfig

__all__ = ["Alert", "AlertsConfig", "EmailAlertConfig", "MaintenanceWindow", "TRIGGERS",
           "WebhookConfig", "alert_after", "deliver_alerts", "plan_alerts"]
