-- Every failed recipient of a bounce, in the order the bounce names them: a DSN about two addresses is two
-- rows (messages.recipient keeps only the first, for listing).
CREATE TABLE failed_recipients (
    message_key TEXT NOT NULL,
    position INTEGER NOT NULL,
    recipient TEXT,
    reason TEXT NOT NULL,
    status TEXT,
    reply_code TEXT,
    hard INTEGER NOT NULL DEFAULT 0,
    action TEXT,
    diagnostic TEXT NOT NULL DEFAULT '',
    reporting_mta TEXT,
    remote_mta TEXT,
    PRIMARY KEY (message_key, position)
);
CREATE INDEX failed_recipients_recipient ON failed_recipients(recipient);
