-- The directory and the accounts list say how many they hold on every page; counting the table
-- each time grew with the organisation. These counts are kept by triggers in the same
-- transaction as every change (an upsert that updates fires no INSERT trigger).
CREATE TABLE row_counts (
    name TEXT PRIMARY KEY,
    n BIGINT NOT NULL
);
INSERT INTO row_counts (name, n) SELECT 'people', COUNT(*) FROM people;
INSERT INTO row_counts (name, n)
    SELECT 'users:' || r.role, (SELECT COUNT(*) FROM users WHERE users.role = r.role)
      FROM (SELECT 'admin' AS role UNION ALL SELECT 'manager' UNION ALL SELECT 'participant') r;

CREATE TRIGGER person_counted AFTER INSERT ON people
BEGIN
    UPDATE row_counts SET n = n + 1 WHERE name = 'people';
END;
CREATE TRIGGER person_uncounted AFTER DELETE ON people
BEGIN
    UPDATE row_counts SET n = n - 1 WHERE name = 'people';
END;
CREATE TRIGGER account_counted AFTER INSERT ON users
BEGIN
    UPDATE row_counts SET n = n + 1 WHERE name = 'users:' || NEW.role;
END;
CREATE TRIGGER account_uncounted AFTER DELETE ON users
BEGIN
    UPDATE row_counts SET n = n - 1 WHERE name = 'users:' || OLD.role;
END;
CREATE TRIGGER account_recounted AFTER UPDATE OF role ON users
BEGIN
    UPDATE row_counts SET n = n - 1 WHERE name = 'users:' || OLD.role;
    UPDATE row_counts SET n = n + 1 WHERE name = 'users:' || NEW.role;
END;

-- A programme's enrolments are listed a page at a time, newest first (one role's page reads
-- about twice its rows from the same index).
CREATE INDEX enrolments_in_programme ON enrolments (programme_id, id);

-- Erasing a person rewrites their entries in the audit trail by actor: without this index,
-- every entry ever written was read.
CREATE INDEX audit_log_by_actor ON audit_log (LOWER(actor));
