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

CREATE FUNCTION count_pairing() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND OLD.programme_id = NEW.programme_id AND OLD.state = NEW.state THEN
        RETURN NULL;
    END IF;
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        UPDATE pairing_counts SET n = n - 1
         WHERE programme_id = OLD.programme_id AND state = OLD.state;
    END IF;
    IF TG_OP IN ('UPDATE', 'INSERT') THEN
        INSERT INTO pairing_counts (programme_id, state, n) VALUES (NEW.programme_id, NEW.state, 1)
            ON CONFLICT (programme_id, state) DO UPDATE SET n = pairing_counts.n + 1;
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER pairings_counted AFTER INSERT OR DELETE OR UPDATE OF programme_id, state ON pairings
    FOR EACH ROW EXECUTE FUNCTION count_pairing();
