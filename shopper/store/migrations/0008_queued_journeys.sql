-- Journeys of runs that go through the job queue (PostgreSQL store): each is run once. A worker lost in the
-- middle of one leaves it 'running'; the retry runs it again, unless it may already have written to the
-- company (wrote_step set before such a step started): then it is recorded as interrupted instead.
CREATE TABLE queued_journeys (
    run_id TEXT NOT NULL,
    journey TEXT NOT NULL,
    state TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    worker TEXT,
    wrote_step INTEGER,
    wrote_kind TEXT,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (run_id, journey)
);
