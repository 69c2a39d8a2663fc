-- The audit trail says how many entries it holds on every page; counting them each time read
-- the whole trail, which only grows. The counts per programme (0 for entries about no
-- programme) are kept by a trigger in the same transaction as every entry.
CREATE TABLE audit_counts (
    programme_id BIGINT PRIMARY KEY,
    n BIGINT NOT NULL
);
INSERT INTO audit_counts (programme_id, n)
    SELECT COALESCE(programme_id, 0), COUNT(*) FROM audit_log GROUP BY COALESCE(programme_id, 0);

CREATE FUNCTION count_audit_entry() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND COALESCE(OLD.programme_id, 0) = COALESCE(NEW.programme_id, 0) THEN
        RETURN NULL;
    END IF;
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        UPDATE audit_counts SET n = n - 1 WHERE programme_id = COALESCE(OLD.programme_id, 0);
    END IF;
    IF TG_OP IN ('UPDATE', 'INSERT') THEN
        INSERT INTO audit_counts (programme_id, n) VALUES (COALESCE(NEW.programme_id, 0), 1)
            ON CONFLICT (programme_id) DO UPDATE SET n = audit_counts.n + 1;
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER audit_entries_counted AFTER INSERT OR DELETE OR UPDATE OF programme_id ON audit_log
    FOR EACH ROW EXECUTE FUNCTION count_audit_entry();
