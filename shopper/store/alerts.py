"""The alerts half of the store: when each fingerprint was last alerted, alerts held or owed, what was sent."""
from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from .codec import parse_dt as _dt
from .codec import to_json as _j
from .dialect import retry_conflicts


class AlertStoreMixin:
    """Alerts are kept as plain dicts here; shopper.alerts turns them into Alert values."""

    def last_alerted(self, keys: list[str]) -> dict[str, datetime]:
        """{fingerprint: when it was last alerted} for those of `keys` ever alerted."""
        found: dict[str, datetime] = {}
        for i in range(0, len(keys), 500):
            chunk = keys[i:i + 500]
            rows = self.query(f"SELECT fingerprint, alerted_at FROM alerted "
                              f"WHERE fingerprint IN ({','.join('?' * len(chunk))})", *chunk)
            found.update({r["fingerprint"]: _dt(r["alerted_at"]) for r in rows})
        return found

    @retry_conflicts
    def hold_alert(self, alert: dict[str, Any], reason: str, at: str, channels: list[str] | None = None,
                   error: str | None = None) -> None:
        """Queue an alert (by run_id + trigger) to go out later; `channels` still owed, [] meaning all configured."""
        with self.tx() as db:
            db.execute("INSERT INTO pending_alerts(run_id, alert_trigger, alert, channels, reason, created_at, "
                       "updated_at, attempts, last_error) VALUES (?,?,?,?,?,?,?,?,?) "
                       "ON CONFLICT(run_id, alert_trigger) DO UPDATE SET alert=excluded.alert, "
                       "channels=excluded.channels, reason=excluded.reason, updated_at=excluded.updated_at, "
                       "attempts=pending_alerts.attempts + excluded.attempts, last_error=excluded.last_error",
                       (alert["run_id"], alert["trigger"], _j(alert), _j(channels or []), reason, at, at,
                        int(error is not None), error))

    def pending_alerts(self) -> list[dict[str, Any]]:
        """Alerts waiting to go out, oldest first: {alert, channels, reason, created_at, attempts, last_error}."""
        rows = self.query("SELECT * FROM pending_alerts ORDER BY created_at, run_id, alert_trigger")
        return [{"alert": json.loads(r["alert"]), "channels": json.loads(r["channels"]), "reason": r["reason"],
                 "created_at": r["created_at"], "attempts": r["attempts"], "last_error": r["last_error"]}
                for r in rows]

    @retry_conflicts
    def record_alert_delivery(self, alert: dict[str, Any], keys: list[str], sent: list[str], owed: list[str],
                              at: str, error: str | None = None) -> None:
        """One transaction: log the channels that took the alert; when none is owed any more, mark its keys
        (fingerprints) alerted at `at` and drop it from the queue, else keep it queued for the channels owed."""
        run_id, trigger = alert["run_id"], alert["trigger"]
        with self.tx() as db:
            db.executemany("INSERT INTO alerts_sent(run_id, alert_trigger, channel, title, fingerprints, sent_at) "
                           "VALUES (?,?,?,?,?,?)",
                           [(run_id, trigger, channel, alert["title"], _j(keys), at) for channel in sent])
            if owed:
                db.execute("INSERT INTO pending_alerts(run_id, alert_trigger, alert, channels, reason, created_at, "
                           "updated_at, attempts, last_error) VALUES (?,?,?,?,'failed',?,?,1,?) "
                           "ON CONFLICT(run_id, alert_trigger) DO UPDATE SET channels=excluded.channels, "
                           "reason='failed', updated_at=excluded.updated_at, attempts=pending_alerts.attempts + 1, "
                           "last_error=excluded.last_error",
                           (run_id, trigger, _j(alert), _j(owed), at, at, error))
                return
            db.executemany("INSERT INTO alerted(fingerprint, alerted_at, run_id, alert_trigger) VALUES (?,?,?,?) "
                           "ON CONFLICT(fingerprint) DO UPDATE SET alerted_at=excluded.alerted_at, "
                           "run_id=excluded.run_id, alert_trigger=excluded.alert_trigger",
                           [(k, at, run_id, trigger) for k in sorted(set(keys))])   # one order: no deadlock
            db.execute("DELETE FROM pending_alerts WHERE run_id=? AND alert_trigger=?", (run_id, trigger))

    @retry_conflicts
    def drop_pending_alert(self, run_id: str, trigger: str) -> None:
        """Forget a queued alert (e.g. no channel it was owed to is configured any more)."""
        with self.tx() as db:
            db.execute("DELETE FROM pending_alerts WHERE run_id=? AND alert_trigger=?", (run_id, trigger))

    def alerts_sent(self, run_id: str | None = None) -> list[dict[str, Any]]:
        """What went out, in order: {run_id, trigger, channel, title, fingerprints, sent_at}."""
        sql = "SELECT * FROM alerts_sent" + (" WHERE run_id=?" if run_id else "") + " ORDER BY id"
        return [{"run_id": r["run_id"], "trigger": r["alert_trigger"], "channel": r["channel"], "title": r["title"],
                 "fingerprints": json.loads(r["fingerprints"]), "sent_at": r["sent_at"]}
                for r in self.query(sql, *((run_id,) if run_id else ()))]
