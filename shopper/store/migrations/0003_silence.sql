-- Expectations of silence (no more newsletters after unsubscribing) and the messages that broke them.
ALTER TABLE expectations ADD COLUMN kind TEXT NOT NULL DEFAULT 'reply';
ALTER TABLE expectations ADD COLUMN window_end TEXT;
ALTER TABLE expectations ADD COLUMN evidence TEXT NOT NULL DEFAULT '[]';
