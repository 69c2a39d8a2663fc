-- Withdrawing marks the enrolment instead of deleting it, so its pairings (and the refusals
-- they record) survive a withdrawal and a later re-enrolment, which reuses the same row.
ALTER TABLE enrolments ADD COLUMN withdrawn_at BIGINT;
