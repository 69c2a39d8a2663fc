-- Programme-scoped management: a programme has its managers (its creator and the co-managers
-- they add); a manager sees and changes only those programmes, admins all of them.
-- Kept column-for-column in step with the other engine's folder.
CREATE TABLE programme_managers (
    programme_id BIGINT NOT NULL REFERENCES programmes(id) ON DELETE CASCADE,
    user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    added_by TEXT NOT NULL,
    added_at BIGINT NOT NULL,
    PRIMARY KEY (programme_id, user_id)
);
CREATE INDEX programme_managers_by_user ON programme_managers (user_id, programme_id);

-- Until now every manager ran every programme: keep that for what exists, so nobody loses a
-- programme they were running; new programmes start with their creator alone.
INSERT INTO programme_managers (programme_id, user_id, added_by, added_at)
SELECT p.id, u.id, 'migration', p.created_at FROM programmes p, users u WHERE u.role = 'manager';

-- Which programme an audit entry concerns, so a manager reads only their programmes' entries.
ALTER TABLE audit_log ADD COLUMN programme_id BIGINT;
UPDATE audit_log SET programme_id = CAST(substr(subject, 11) AS BIGINT)
    WHERE subject LIKE 'programme %';
UPDATE audit_log SET programme_id =
    (SELECT pairings.programme_id FROM pairings WHERE pairings.id = CAST(substr(audit_log.subject, 9) AS BIGINT))
    WHERE subject LIKE 'pairing %';
CREATE INDEX audit_log_by_programme ON audit_log (programme_id, id);
