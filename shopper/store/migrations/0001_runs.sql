-- Runs, journeys, steps, observations, findings and artifacts of each run.
CREATE TABLE runs (
    id TEXT PRIMARY KEY,
    started_at TEXT NOT NULL,
    finished_at TEXT,
    status TEXT NOT NULL,
    kind TEXT NOT NULL DEFAULT 'run',
    summary TEXT NOT NULL DEFAULT '{}'
);
CREATE TABLE journey_runs (
    run_id TEXT NOT NULL REFERENCES runs(id),
    name TEXT NOT NULL,
    path TEXT NOT NULL,
    site TEXT,
    tags TEXT NOT NULL DEFAULT '[]',
    status TEXT NOT NULL,
    started_at TEXT NOT NULL,
    duration_ms REAL NOT NULL,
    error TEXT,
    evidence TEXT NOT NULL DEFAULT '[]',
    blocked TEXT NOT NULL DEFAULT '{}',
    PRIMARY KEY (run_id, name)
);
CREATE TABLE steps (
    run_id TEXT NOT NULL,
    journey TEXT NOT NULL,
    idx INTEGER NOT NULL,
    kind TEXT NOT NULL,
    label TEXT NOT NULL,
    status TEXT NOT NULL,
    started_at TEXT NOT NULL,
    duration_ms REAL NOT NULL,
    detail TEXT NOT NULL DEFAULT '',
    error TEXT,
    evidence TEXT NOT NULL DEFAULT '[]',
    url TEXT,
    title TEXT,
    line INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (run_id, journey, idx)
);
CREATE TABLE observations (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    run_id TEXT NOT NULL,
    journey TEXT NOT NULL,
    step INTEGER,
    kind TEXT NOT NULL,
    at TEXT NOT NULL,
    data TEXT NOT NULL,
    evidence TEXT NOT NULL DEFAULT '[]'
);
CREATE INDEX observations_run ON observations(run_id, kind);
CREATE TABLE findings (
    run_id TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    kind TEXT NOT NULL,
    severity TEXT NOT NULL,
    journey TEXT NOT NULL,
    step INTEGER,
    title TEXT NOT NULL,
    detail TEXT NOT NULL DEFAULT '',
    subject TEXT NOT NULL,
    reason TEXT,
    evidence TEXT NOT NULL DEFAULT '[]',
    data TEXT NOT NULL DEFAULT '{}',
    PRIMARY KEY (run_id, fingerprint)
);
CREATE INDEX findings_fingerprint ON findings(fingerprint);
CREATE TABLE invalid_journeys (
    run_id TEXT NOT NULL,
    path TEXT NOT NULL,
    problems TEXT NOT NULL
);
