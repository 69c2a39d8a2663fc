-- Mail that follows a pair through the programme: a reminder the day before each meeting, a
-- nudge when the pair's engagement worsens, and the managers' weekly digest.
-- Kept column-for-column in step with ../sqlite.

ALTER TABLE meetings ADD COLUMN reminded_at BIGINT;
-- The meetings still to remind, found by time without scanning the rest.
CREATE INDEX meetings_to_remind ON meetings (starts_at)
    WHERE reminded_at IS NULL AND status = 'scheduled';

-- The last engagement a pair was told about, so a nudge goes once per worsening.
CREATE TABLE engagement_alerts (
    pairing_id BIGINT PRIMARY KEY REFERENCES pairings(id) ON DELETE CASCADE,
    status TEXT NOT NULL CHECK (status IN ('healthy', 'at_risk', 'stalled')),
    changed_at BIGINT NOT NULL
);

-- When a server last looked at the programme's engagement (daily) and mailed its managers'
-- digest (weekly): each is claimed by a conditional update, so one server does it.
ALTER TABLE programmes ADD COLUMN engagement_checked_at BIGINT;
ALTER TABLE programmes ADD COLUMN digest_sent_at BIGINT;
