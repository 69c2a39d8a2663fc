-- The pairings API and page say how many pairings a programme has in each state on every page;
-- grouping its pairings each time read all of them (5,000 index entries at 100,000 people).
-- The counts are kept by triggers in the same transaction as every change, deletes by cascade
-- included. A state that drops to zero keeps its row at 0.
CREATE TABLE pairing_counts (
    programme_id BIGINT NOT NULL REFERENCES programmes(id) ON DELETE CASCADE,
    state TEXT NOT NULL,
    n BIGINT NOT NULL,
    PRIMARY KEY (programme_id, state)
);
INSERT INTO pairing_counts (programme_id, state, n)
    SELECT programme_id, state, COUNT(*) FROM pairings GROUP BY programme_id, state;

CREATE TRIGGER pairing_counted AFTER INSERT ON pairings
BEGIN
    INSERT INTO pairing_counts (programme_id, state, n) VALUES (NEW.programme_id, NEW.state, 1)
        ON CONFLICT (programme_id, state) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER pairing_uncounted AFTER DELETE ON pairings
BEGIN
    UPDATE pairing_counts SET n = n - 1
     WHERE programme_id = OLD.programme_id AND state = OLD.state;
END;
CREATE TRIGGER pairing_recounted AFTER UPDATE OF programme_id, state ON pairings
    WHEN OLD.programme_id <> NEW.programme_id OR OLD.state <> NEW.state
BEGIN
    UPDATE pairing_counts SET n = n - 1
     WHERE programme_id = OLD.programme_id AND state = OLD.state;
    INSERT INTO pairing_counts (programme_id, state, n) VALUES (NEW.programme_id, NEW.state, 1)
        ON CONFLICT (programme_id, state) DO UPDATE SET n = n + 1;
END;
