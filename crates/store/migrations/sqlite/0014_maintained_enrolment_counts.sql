-- Each programme keeps how many mentors and mentees are enrolled (not withdrawn), kept right by
-- triggers in the same transaction as every enrolment change (an upsert's update fires the
-- UPDATE trigger), so listing programmes reads two numbers instead of counting enrolments.
ALTER TABLE programmes ADD COLUMN mentors_enrolled INTEGER NOT NULL DEFAULT 0;
ALTER TABLE programmes ADD COLUMN mentees_enrolled INTEGER NOT NULL DEFAULT 0;
UPDATE programmes SET
    mentors_enrolled = (SELECT COUNT(*) FROM enrolments e WHERE e.programme_id = programmes.id
                          AND e.role = 'mentor' AND e.withdrawn_at IS NULL),
    mentees_enrolled = (SELECT COUNT(*) FROM enrolments e WHERE e.programme_id = programmes.id
                          AND e.role = 'mentee' AND e.withdrawn_at IS NULL);

CREATE TRIGGER enrolment_counted AFTER INSERT ON enrolments WHEN NEW.withdrawn_at IS NULL
BEGIN
    UPDATE programmes SET mentors_enrolled = mentors_enrolled + (NEW.role = 'mentor'),
                          mentees_enrolled = mentees_enrolled + (NEW.role = 'mentee')
     WHERE id = NEW.programme_id;
END;

CREATE TRIGGER enrolment_uncounted AFTER DELETE ON enrolments WHEN OLD.withdrawn_at IS NULL
BEGIN
    UPDATE programmes SET mentors_enrolled = mentors_enrolled - (OLD.role = 'mentor'),
                          mentees_enrolled = mentees_enrolled - (OLD.role = 'mentee')
     WHERE id = OLD.programme_id;
END;

CREATE TRIGGER enrolment_recounted AFTER UPDATE OF role, withdrawn_at, programme_id ON enrolments
BEGIN
    UPDATE programmes
       SET mentors_enrolled = mentors_enrolled - (OLD.role = 'mentor' AND OLD.withdrawn_at IS NULL),
           mentees_enrolled = mentees_enrolled - (OLD.role = 'mentee' AND OLD.withdrawn_at IS NULL)
     WHERE id = OLD.programme_id;
    UPDATE programmes
       SET mentors_enrolled = mentors_enrolled + (NEW.role = 'mentor' AND NEW.withdrawn_at IS NULL),
           mentees_enrolled = mentees_enrolled + (NEW.role = 'mentee' AND NEW.withdrawn_at IS NULL)
     WHERE id = NEW.programme_id;
END;
