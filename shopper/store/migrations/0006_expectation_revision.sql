-- A revision per expectation, raised by every update: an update names the revision it read, so that when
-- several sweeps judge the same expectation at once exactly one of them changes it.
ALTER TABLE expectations ADD COLUMN revision INTEGER NOT NULL DEFAULT 0;
