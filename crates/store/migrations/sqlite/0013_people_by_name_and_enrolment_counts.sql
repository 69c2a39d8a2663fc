-- The directory is listed a page at a time by name: without this index every page sorted every
-- person first.
CREATE INDEX people_by_name ON people (name, email_key);
-- A programme's mentors and mentees are counted from the index alone, without reading each
-- enrolment.
CREATE INDEX enrolments_by_programme_role ON enrolments (programme_id, role, withdrawn_at);
