-- The directory is listed a page at a time by name: without this index every page sorted every
-- person first.
CREATE INDEX people_by_name ON people (name, email_key);
