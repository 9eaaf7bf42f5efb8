-- A journey that does not apply to the shop (status not_applicable) keeps its reason: "the shop offers no card
-- payment". An outcome, not an error, so it has its own column.
ALTER TABLE journey_runs ADD COLUMN reason TEXT;
