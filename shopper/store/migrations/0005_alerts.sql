-- Alerts: when each problem (fingerprint) was last alerted, alerts waiting to go out, and what went where.
CREATE TABLE alerted (
    fingerprint TEXT PRIMARY KEY,
    alerted_at TEXT NOT NULL,
    run_id TEXT NOT NULL,
    alert_trigger TEXT NOT NULL
);
CREATE TABLE pending_alerts (
    run_id TEXT NOT NULL,
    alert_trigger TEXT NOT NULL,
    alert TEXT NOT NULL,
    channels TEXT NOT NULL DEFAULT '[]',
    reason TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    last_error TEXT,
    PRIMARY KEY (run_id, alert_trigger)
);
CREATE TABLE alerts_sent (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    run_id TEXT NOT NULL,
    alert_trigger TEXT NOT NULL,
    channel TEXT NOT NULL,
    title TEXT NOT NULL,
    fingerprints TEXT NOT NULL DEFAULT '[]',
    sent_at TEXT NOT NULL
);
CREATE INDEX alerts_sent_run ON alerts_sent(run_id);
