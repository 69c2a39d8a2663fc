-- Each programme keeps how many mentors and mentees are enrolled (not withdrawn), kept right by
-- a trigger in the same transaction as every enrolment change (an upsert's update fires the
-- UPDATE trigger), so listing programmes reads two numbers instead of counting enrolments.
ALTER TABLE programmes ADD COLUMN mentors_enrolled BIGINT NOT NULL DEFAULT 0,
                       ADD COLUMN mentees_enrolled BIGINT NOT NULL DEFAULT 0;
UPDATE programmes SET
    mentors_enrolled = (SELECT COUNT(*) FROM enrolments e WHERE e.programme_id = programmes.id
                          AND e.role = 'mentor' AND e.withdrawn_at IS NULL),
    mentees_enrolled = (SELECT COUNT(*) FROM enrolments e WHERE e.programme_id = programmes.id
                          AND e.role = 'mentee' AND e.withdrawn_at IS NULL);

CREATE FUNCTION count_enrolment() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.withdrawn_at IS NULL THEN
        UPDATE programmes
           SET mentors_enrolled = mentors_enrolled - (OLD.role = 'mentor')::int,
               mentees_enrolled = mentees_enrolled - (OLD.role = 'mentee')::int
         WHERE id = OLD.programme_id;
    END IF;
    IF TG_OP IN ('UPDATE', 'INSERT') AND NEW.withdrawn_at IS NULL THEN
        UPDATE programmes
           SET mentors_enrolled = mentors_enrolled + (NEW.role = 'mentor')::int,
               mentees_enrolled = mentees_enrolled + (NEW.role = 'mentee')::int
         WHERE id = NEW.programme_id;
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER enrolments_counted
    AFTER INSERT OR DELETE OR UPDATE OF role, withdrawn_at, programme_id ON enrolments
    FOR EACH ROW EXECUTE FUNCTION count_enrolment();
