-- The audit trail says how many entries it holds on every page; counting them each time read
-- the whole trail, which only grows. The counts per programme (0 for entries about no
-- programme) are kept by triggers in the same transaction as every entry.
CREATE TABLE audit_counts (
    programme_id BIGINT PRIMARY KEY,
    n BIGINT NOT NULL
);
INSERT INTO audit_counts (programme_id, n)
    SELECT COALESCE(programme_id, 0), COUNT(*) FROM audit_log GROUP BY COALESCE(programme_id, 0);

CREATE TRIGGER audit_counted AFTER INSERT ON audit_log
BEGIN
    INSERT INTO audit_counts (programme_id, n) VALUES (COALESCE(NEW.programme_id, 0), 1)
        ON CONFLICT (programme_id) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER audit_uncounted AFTER DELETE ON audit_log
BEGIN
    UPDATE audit_counts SET n = n - 1 WHERE programme_id = COALESCE(OLD.programme_id, 0);
END;
CREATE TRIGGER audit_recounted AFTER UPDATE OF programme_id ON audit_log
    WHEN COALESCE(OLD.programme_id, 0) <> COALESCE(NEW.programme_id, 0)
BEGIN
    UPDATE audit_counts SET n = n - 1 WHERE programme_id = COALESCE(OLD.programme_id, 0);
    INSERT INTO audit_counts (programme_id, n) VALUES (COALESCE(NEW.programme_id, 0), 1)
        ON CONFLICT (programme_id) DO UPDATE SET n = n + 1;
END;
