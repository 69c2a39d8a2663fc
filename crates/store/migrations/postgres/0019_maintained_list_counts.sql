-- The directory and the accounts list say how many they hold on every page; counting the table
-- each time grew with the organisation (PostgreSQL has no cheap COUNT(*)). These counts are
-- kept by triggers in the same transaction as every change (an upsert that updates fires no
-- INSERT trigger).
CREATE TABLE row_counts (
    name TEXT PRIMARY KEY,
    n BIGINT NOT NULL
);
INSERT INTO row_counts (name, n) SELECT 'people', COUNT(*) FROM people;
INSERT INTO row_counts (name, n)
    SELECT 'users:' || r.role, (SELECT COUNT(*) FROM users WHERE users.role = r.role)
      FROM (VALUES ('admin'), ('manager'), ('participant')) AS r (role);

CREATE FUNCTION count_person() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE row_counts SET n = n + CASE TG_OP WHEN 'INSERT' THEN 1 ELSE -1 END WHERE name = 'people';
    RETURN NULL;
END
$$;

CREATE FUNCTION count_account() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        UPDATE row_counts SET n = n - 1 WHERE name = 'users:' || OLD.role;
    END IF;
    IF TG_OP IN ('UPDATE', 'INSERT') THEN
        UPDATE row_counts SET n = n + 1 WHERE name = 'users:' || NEW.role;
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER people_counted AFTER INSERT OR DELETE ON people
    FOR EACH ROW EXECUTE FUNCTION count_person();
CREATE TRIGGER users_counted AFTER INSERT OR DELETE OR UPDATE OF role ON users
    FOR EACH ROW EXECUTE FUNCTION count_account();

-- A programme's enrolments are listed a page at a time, newest first (one role's page reads
-- about twice its rows from the same index).
CREATE INDEX enrolments_in_programme ON enrolments (programme_id, id);

-- Erasing a person rewrites their entries in the audit trail by actor: without this index,
-- every entry ever written was read.
CREATE INDEX audit_log_by_actor ON audit_log (LOWER(actor));
