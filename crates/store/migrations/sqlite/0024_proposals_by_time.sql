-- The server's upkeep looks every two seconds for proposals past their halfway point (to
-- remind) and past their answer date (to expire). Both read every pairing of every programme
-- (1–2 ms at 5,000 pairings, growing with the organisation); these partial indexes hold only
-- open proposals, by the time each query asks about.
CREATE INDEX proposals_by_answer_due ON pairings (answer_due) WHERE state = 'proposed';
CREATE INDEX proposals_to_remind ON pairings ((published_at + (answer_due - published_at) / 2))
    WHERE state = 'proposed' AND reminded_at IS NULL;
