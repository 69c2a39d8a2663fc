-- A manager's programme page shows the programme's goal figures on every visit. They were
-- found by walking every pairing of the programme for its goals (5,000 index entries at
-- 100,000 people, most of the page's growth with the organisation); each goal now names its
-- programme, and the figures read the programme's goals alone, from one covering index.
ALTER TABLE goals ADD COLUMN programme_id BIGINT REFERENCES programmes(id) ON DELETE CASCADE;
UPDATE goals SET programme_id = (SELECT programme_id FROM pairings WHERE pairings.id = goals.pairing_id);
CREATE INDEX goals_by_programme ON goals (programme_id, pairing_id, outcome, progress);
ALTER TABLE goals ALTER COLUMN programme_id SET NOT NULL;
