-- When the directory (an import or SCIM) replaced a time zone or location the person had set
-- themselves: the directory wins, and their profile page says so.
ALTER TABLE people ADD COLUMN profile_overridden_at BIGINT;
