-- The token each journey run is given (in ${shopper_email}): mail sent to it belongs to that journey.
CREATE TABLE journey_tokens (
    token TEXT PRIMARY KEY,
    run_id TEXT NOT NULL,
    journey TEXT NOT NULL,
    created_at TEXT NOT NULL
);
