-- Mail: what the shopper sent, what it expects back, how far each folder was read, what arrived.
CREATE TABLE sent_messages (
    token TEXT PRIMARY KEY,
    run_id TEXT NOT NULL,
    journey TEXT NOT NULL,
    step INTEGER,
    message_id TEXT NOT NULL,
    from_addr TEXT NOT NULL,
    to_addr TEXT NOT NULL,
    subject TEXT NOT NULL,
    sent_at TEXT NOT NULL,
    ok INTEGER NOT NULL,
    refused TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX sent_messages_mid ON sent_messages(message_id);
CREATE TABLE expectations (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    token TEXT NOT NULL,
    run_id TEXT NOT NULL,
    journey TEXT NOT NULL,
    step INTEGER,
    channel TEXT NOT NULL,
    target TEXT NOT NULL,
    reply_from TEXT NOT NULL DEFAULT '[]',
    created_at TEXT NOT NULL,
    ack_deadline TEXT,
    answer_deadline TEXT NOT NULL,
    state TEXT NOT NULL DEFAULT 'open',
    acked_at TEXT,
    answered_at TEXT,
    ack_missed INTEGER NOT NULL DEFAULT 0,
    bounce TEXT,
    resolved_at TEXT,
    updated_at TEXT NOT NULL
);
CREATE INDEX expectations_state ON expectations(state);
CREATE INDEX expectations_token ON expectations(token);
CREATE TABLE mailbox_state (
    mailbox TEXT NOT NULL,
    folder TEXT NOT NULL,
    uidvalidity INTEGER NOT NULL,
    last_uid INTEGER NOT NULL,
    highestmodseq INTEGER,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (mailbox, folder)
);
CREATE TABLE messages (
    key TEXT PRIMARY KEY,
    mailbox TEXT NOT NULL,
    folder TEXT NOT NULL,
    uid INTEGER NOT NULL,
    uidvalidity INTEGER NOT NULL,
    received_at TEXT NOT NULL,
    swept_at TEXT NOT NULL,
    sweep_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    reason TEXT,
    status TEXT,
    recipient TEXT,
    from_addr TEXT,
    subject TEXT NOT NULL DEFAULT '',
    matched_token TEXT,
    truncated INTEGER NOT NULL DEFAULT 0,
    size INTEGER NOT NULL DEFAULT 0,
    classification TEXT NOT NULL
);
CREATE INDEX messages_token ON messages(matched_token);
CREATE TABLE sweeps (
    id TEXT PRIMARY KEY,
    started_at TEXT NOT NULL,
    finished_at TEXT,
    ok INTEGER NOT NULL DEFAULT 0,
    error TEXT,
    new_messages INTEGER NOT NULL DEFAULT 0
);
