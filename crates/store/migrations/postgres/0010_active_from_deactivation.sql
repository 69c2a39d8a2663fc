-- Whether someone is active is whether they were deactivated: one fact, kept once.
UPDATE people SET deactivated_at = updated_at WHERE active = 0 AND deactivated_at IS NULL;
ALTER TABLE people DROP COLUMN active;
CREATE INDEX people_deactivated ON people (deactivated_at);
